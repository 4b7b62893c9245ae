import { execFile, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { k8s } from '../../lib/core/k8s';
import { ClusterPrerequisites, Prerequisite } from '../../lib/core';
import { Environment, FileLayout, GitOpsApp, PlatformProject } from '../../lib/gitops';
import { compareManifests, compareStrings } from '../../lib/gitops/canonical-order';
import { kustomizationFor } from '../../lib/gitops/linear-synth';

const REPO = 'https://github.com/example/platform.git';
const ROOT = path.join(__dirname, '..', '..');

/** Every file the tree would hold, in both layouts, path -> bytes. */
function treeBytes(app: GitOpsApp): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of app.synthFolders()) {
    for (const o of f.objects) out.set(`${f.folder}/${o.fileName}`, Yaml.stringify(o.manifest));
    out.set(`${f.folder}/manifests.yaml`, Yaml.stringify(...f.objects.filter((o) => !o.patch).map((o) => o.manifest)));
    out.set(`${f.folder}/kustomization.yaml`, Yaml.stringify(kustomizationFor(f)));
    out.set(`${f.folder}/kustomization.app.yaml`, Yaml.stringify(kustomizationFor(f, FileLayout.FILE_PER_APPLICATION)));
  }
  return out;
}

/** One object a step adds: what kind, in which Application. */
interface Step { readonly app: number; readonly kind: 'cm' | 'svc' | 'ignore' | 'secret'; readonly name: string }

const APPS = ['zeta', 'alpha', 'mid', 'beta'];

/** Builds the same environment whatever the order of `appOrder` (Applications) and `steps` (their objects). */
function build(appOrder: number[], steps: Step[], useApplicationSet: boolean): GitOpsApp {
  const app = new GitOpsApp({ repoUrl: REPO });
  const env = new Environment(app, 'prod', { useApplicationSet });
  if (useApplicationSet) new ClusterPrerequisites(env, 'prerequisites', { declared: [Prerequisite.argoCdProgressiveSyncs()] });
  const charts = new Map<number, Construct>();
  for (const i of appOrder) {
    // One AppProject per Application, added in the same (shuffled) order: the apps/ listing must not show it.
    const project = new PlatformProject(env.appsChart, `project-${APPS[i]}`, { name: `prod-${APPS[i]}`, sourceRepos: [REPO] });
    const chart = env.addApplication(APPS[i], { project });
    charts.set(i, chart);
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: APPS[i] } });
  }
  for (const s of steps) {
    const chart = charts.get(s.app)!;
    const id = `${s.kind}-${s.name}`;
    if (chart.node.tryFindChild(id)) continue;
    const ns = APPS[s.app];
    if (s.kind === 'cm') new k8s.KubeConfigMap(chart, id, { metadata: { name: s.name, namespace: ns }, data: { k: s.name } });
    if (s.kind === 'secret') new k8s.KubeSecret(chart, id, { metadata: { name: s.name, namespace: ns }, stringData: { k: s.name } });
    if (s.kind === 'svc') new k8s.KubeService(chart, id, { metadata: { name: s.name, namespace: ns }, spec: { ports: [{ port: 80 }] } });
    if (s.kind === 'ignore') {
      const c = new Construct(chart, id);
      Object.assign(c, { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: s.name, namespace: ns, jsonPointers: ['/spec/replicas'] }] });
    }
  }
  return app;
}

describe('canonical order', () => {
  test('code-unit string order, never the locale (Danish sorts "aa" after "z")', () => {
    expect(['z', 'aa', 'B', 'a'].sort(compareStrings)).toEqual(['B', 'a', 'aa', 'z']);
    expect(compareStrings('x', 'x')).toBe(0);
  });

  test('manifests sort as Argo CD applies them: wave, kind rank, name', () => {
    const m = (kind: string, name: string, wave?: string) => ({ apiVersion: 'v1', kind, metadata: { name, annotations: wave ? { 'argocd.argoproj.io/sync-wave': wave } : undefined } });
    const sorted = [m('Service', 'a'), m('Rollout', 'r', '10'), m('ConfigMap', 'b'), m('Namespace', 'z', '-20'), m('ConfigMap', 'a')].sort(compareManifests);
    expect(sorted.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(['Namespace/z', 'ConfigMap/a', 'ConfigMap/b', 'Service/a', 'Rollout/r']);
  });

  test('property: the order constructs are added in never changes a byte of the tree', () => {
    const step = fc.record({
      app: fc.integer({ min: 0, max: APPS.length - 1 }),
      kind: fc.constantFrom<'cm' | 'svc' | 'ignore' | 'secret'>('cm', 'svc', 'ignore', 'secret'),
      name: fc.constantFrom('a', 'b', 'aa', 'z', 'a-b', 'web-1', 'web-10', 'web-2'), // valid object names only: 'B' is not one, and would collide with 'b' as a file name
    });
    fc.assert(fc.property(
      fc.array(step, { minLength: 1, maxLength: 24 }),
      fc.boolean(),
      fc.func(fc.integer()),
      (steps, useApplicationSet, rank) => {
        const identity = APPS.map((_, i) => i);
        const reference = treeBytes(build(identity, steps, useApplicationSet));
        // A permutation of the Applications and of the steps, drawn from the generated function.
        const shuffledApps = [...identity].sort((a, b) => rank(a) - rank(b) || a - b);
        const shuffledSteps = steps.map((s, i) => ({ s, k: rank(i + 100) })).sort((a, b) => a.k - b.k).map((x) => x.s);
        const other = treeBytes(build(shuffledApps, shuffledSteps, useApplicationSet));
        expect([...other.keys()].sort(compareStrings)).toEqual([...reference.keys()].sort(compareStrings));
        for (const [file, bytes] of reference) expect(other.get(file)).toBe(bytes);
      },
    ), { numRuns: 25 });
  }, 120_000);

  test('no localeCompare call anywhere in lib/', () => {
    const hits: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && /\.localeCompare\s*\(/.test(fs.readFileSync(p, 'utf8'))) hits.push(path.relative(ROOT, p));
    });
    walk(path.join(ROOT, 'lib'));
    expect(hits).toEqual([]);
  });

  test('the examples synthesize to the same bytes under LANG=C and LANG=da_DK.UTF-8', async () => {
    // Each child builds (swc, changed files only), synthesizes the examples into a scratch folder and prints a
    // digest of every file, plus the locale's own verdict on "aa" vs "z" to prove the locale took effect.
    const script = `
      const fs = require('fs'), path = require('path'), os = require('os'), crypto = require('crypto');
      require('./scripts/build').build();
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'locale-'));
      require('./build/examples/main').buildExamples(out).synth();
      const files = [];
      const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
        const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); });
      walk(out);
      const h = crypto.createHash('sha256');
      for (const f of files.map((f) => path.relative(out, f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        h.update(f + '\\0' + fs.readFileSync(path.join(out, f), 'utf8') + '\\0');
      }
      fs.rmSync(out, { recursive: true, force: true });
      console.log(JSON.stringify({ digest: h.digest('hex'), files: files.length, aaVsZ: 'aa'.localeCompare('z') }));`;
    // The two children run side by side; the build they start with is brought up to date here first, so that
    // neither writes build/ while the other reads it.
    execFileSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, stdio: 'pipe' });
    const run = (locale: string) => new Promise<any>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], {
        cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LANG: locale, LC_ALL: locale, LC_COLLATE: locale },
      }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop()!))));
    });
    const [c, da] = await Promise.all([run('C'), run('da_DK.UTF-8')]);
    // The two locales really collate differently here (ICU's Danish rule for "aa")...
    expect(Math.sign(c.aaVsZ)).not.toBe(Math.sign(da.aaVsZ));
    // ...and the tree is the same, byte for byte.
    expect(c.files).toBeGreaterThan(50);
    expect(da.digest).toBe(c.digest);
    expect(crypto.createHash('sha256').update('').digest('hex')).not.toBe(c.digest);
  }, 180_000);
});
