import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import type { Report } from '../harness';
import { podSpec } from './fixtures';

const ROOT = path.join(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'build/lib/validation/schemas.json');
const CRDS = process.env.CRDS_DIR ?? path.resolve(ROOT, '../shared/crds');
const withCrds = fs.existsSync(CRDS) ? describe : describe.skip;

/** The built command, as `npx cdk8s-gpu-platform` runs it: compiled code and the shipped schema bundle only. */
withCrds('the built command (bin/cdk8s-gpu-platform.js)', () => {
  let out: string;
  const env = { ...process.env };
  delete env.CRDS_DIR; // the bundle, not ../shared, must supply the CRDs

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, stdio: 'pipe' });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-command-'));
  }, 300_000);
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  const validate = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/cdk8s-gpu-platform.js'), 'validate', ...args], { cwd: ROOT, env, encoding: 'utf8' });

  test('the schema bundle ships next to the compiled validator, names its versions and stays small', () => {
    const size = fs.statSync(BUNDLE).size;
    expect(size).toBeLessThan(3_000_000);
    const bundle = JSON.parse(fs.readFileSync(BUNDLE, 'utf8'));
    expect(bundle.kubernetes.version).toBe('1.27');
    expect(bundle.kubernetes.kinds['apps/v1/Deployment']).toBeDefined();
    expect(bundle.crds.sources).toEqual(expect.arrayContaining([{ project: 'argo-rollouts', version: 'v1.9.1', repository: 'https://github.com/argoproj/argo-rollouts' }]));
    // Each schema is kept as its JSON text (parsed when used), descriptions stripped.
    expect(bundle.crds.entries.filter((e: any) => 'description' in JSON.parse(e.schema))).toEqual([]);
    expect(bundle.kubernetes.kinds['extensions/v1beta1/Deployment']).toBeUndefined(); // not served by 1.27
  });

  test('validates with the bundled CRDs, without kubernetes-models or ../shared', () => {
    const dir = path.join(out, 'cr');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'lws.yaml'), stringify({
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'big', namespace: 'team-a' },
      spec: { leaderWorkerTemplate: { size: 'two', workerTemplate: { spec: podSpec() } } },
    }));
    const script = `
      const { main } = require('./build/lib/validation/cli');
      const lines = [];
      const code = main(['validate', ${JSON.stringify(dir)}, '--json'], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
      const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/]kubernetes-models|shared[\\\\/]crds/.test(f));
      process.stdout.write(JSON.stringify({ code, report: JSON.parse(lines.join('\\n')), loaded }));`;
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8' }));
    expect(r.loaded).toEqual([]);
    expect(r.code).toBe(1);
    expect((r.report as Report).clusters[0].findings.map((f) => `${f.rule} ${f.message}`)).toEqual(['crd spec.leaderWorkerTemplate.size: must be integer']);
  });

  test('validates the examples\' GitOps tree (what npm run synth writes to dist/): one cluster per environment, exit 0', () => {
    const dist = path.join(out, 'dist');
    execFileSync(process.execPath, ['-e', `require('./build/examples/main').buildExamples(${JSON.stringify(dist)}).synth()`], { cwd: ROOT, stdio: 'pipe' });
    const r = validate(dist, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.clusters.map((c) => path.basename(c.name))).toEqual(['argocd-cmp', 'dev', 'prod', 'staging']);
    expect(report.summary.objects).toBeGreaterThan(300);
    expect(report.summary.errors).toBe(0);
    // The Argo CD sync checks ran on every environment: no order error or deadlock; the only warnings are
    // references across Applications that nothing orders without the Application health check. staging's
    // ApplicationSet orders its Applications by wave with RollingSync, health check or not: no warning.
    const findings = report.clusters.flatMap((c) => c.findings);
    expect([...new Set(findings.map((f) => `${f.rule} ${f.severity}`))]).toEqual(['sync-unordered warning']);
    expect(new Set(findings.map((f) => path.basename(report.clusters.find((c) => c.findings.includes(f))!.name)))).toEqual(new Set(['dev', 'prod']));
  });
});
