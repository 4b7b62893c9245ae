import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { main } from '../../lib/validation/cli';
import { crdsAvailable, Report, RULE_CATALOGUE, SUPPRESS_ANNOTATION, useCrdDirs } from '../harness';
import { configMap, deployment } from './fixtures';

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cli-')); });
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (rel: string, docs: any[]) => {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return file;
};

function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests.yaml'] };

describe('cdk8s-gpu-platform validate', () => {
  test('a GitOps tree is one cluster per environment folder: the same names in dev and prod are fine', () => {
    for (const env of ['dev', 'prod']) {
      write(`${env}/web/manifests.yaml`, [configMap(), deployment()]);
      write(`${env}/web/kustomization.yaml`, [kustomization]);
    }
    const r = run('validate', root, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.clusters.map((c) => [path.basename(c.name), c.objects, c.files, c.findings.length])).toEqual([['dev', 2, 1, 0], ['prod', 2, 1, 0]]);
    expect(report.summary).toEqual({ clusters: 2, files: 2, objects: 4, errors: 0, warnings: 0, suppressed: 0 });

    // As one cluster, every object exists twice.
    const single = run('validate', root, '--json', '--clusters', 'single');
    expect(single.code).toBe(1);
    expect(new Set((JSON.parse(single.out) as Report).clusters[0].findings.map((f) => f.rule))).toEqual(new Set(['unique-objects']));
  });

  test('findings are grouped by file and object, each with severity, rule, path and fix; errors exit 1', () => {
    const bad = deployment();
    bad.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const file = write('app.k8s.yaml', [configMap(), bad]);
    const r = run('validate', root);
    expect(r.code).toBe(1);
    expect(r.out).toContain([
      `  ${file}`,
      '    Deployment/team-a/web (document 2)',
      '      error   pod-security: restricted: R2 spec.template.spec.containers[0] (server).securityContext.allowPrivilegeEscalation: must be false',
      '        fix: Set securityContext.allowPrivilegeEscalation: false on every container (cdk8s-plus: securityContext: { allowPrivilegeEscalation: false }).',
    ].join('\n'));
    expect(r.out).toMatch(/^1 error, 0 warnings, 0 suppressed in 2 objects \(1 file, 1 cluster\) in \d+\.\d\d s$/m);

    const json = JSON.parse(run('validate', root, '--json').out) as Report;
    expect(json.clusters[0].findings).toEqual([{
      rule: 'pod-security', severity: 'error', object: 'Deployment/team-a/web', file, document: 2,
      message: 'restricted: R2 spec.template.spec.containers[0] (server).securityContext.allowPrivilegeEscalation: must be false',
      fix: 'Set securityContext.allowPrivilegeEscalation: false on every container (cdk8s-plus: securityContext: { allowPrivilegeEscalation: false }).',
    }]);
    expect(json.schemas.kubernetes).toEqual({ version: '1.27', source: 'kubernetes-models 4.3.1' });
  });

  test('warnings alone exit 0, with --strict 1; suppressed findings are listed with their reason', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team-a' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } };
    write('a.yaml', [svc]);
    expect(run('validate', root).code).toBe(0);
    expect(run('validate', root, '--strict').code).toBe(1);
    write('a.yaml', [{ ...svc, metadata: { ...svc.metadata, annotations: { [SUPPRESS_ANNOTATION]: 'service-selects-pods: endpoints come from an external controller' } } }]);
    const r = run('validate', root, '--strict');
    expect(r.code).toBe(0);
    expect(r.out).toContain('      suppressed service-selects-pods: spec.selector {"app":"none"} selects no pod template in namespace team-a\n        reason: endpoints come from an external controller');
  });

  test('a file that is not YAML is a finding; bad usage exits 2', () => {
    const file = path.join(root, 'broken.yaml');
    fs.writeFileSync(file, 'a: [1, 2\nb: }\n');
    const r = run('validate', root, '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as Report).clusters[0].findings).toEqual([expect.objectContaining({ rule: 'yaml', severity: 'error', file, document: 1 })]);
    expect(run().code).toBe(2);
    expect(run('validate').code).toBe(2);
    expect(run('validate', path.join(root, 'missing')).err).toMatch(/does not exist/);
    expect(run('validate', root, '--colour').err).toMatch(/unknown option --colour/);
    expect(run('validate', root, '--skip', 'nope').err).toMatch(/skip: given "nope"; allowed: a rule id/);
    expect(run('validate', root, '--clusters', 'two').err).toContain('--clusters: given "two"; allowed: auto, single, folders');
    expect(run('lint').code).toBe(2);
  });

  test('rules lists the catalogue', () => {
    const r = run('rules', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(RULE_CATALOGUE);
    expect(run('rules').out.split('\n').filter((l) => /^[a-z]/.test(l))).toHaveLength(RULE_CATALOGUE.length);
  });

  (crdsAvailable ? test : test.skip)('names the CRD versions it validates against; --crds adds a user\'s own CRDs', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team-a' }, spec: { size: 'two' } };
    write('w.yaml', [widget]);
    const before = JSON.parse(run('validate', root, '--json').out) as Report;
    expect(before.schemas.crds).toEqual(expect.arrayContaining([
      expect.objectContaining({ project: 'argo-cd', version: 'v3.5.1', repository: 'https://github.com/argoproj/argo-cd', kinds: expect.arrayContaining(['argoproj.io/v1alpha1/Application']) }),
      expect.objectContaining({ project: 'lws', version: 'commit 060ab4da17ee', kinds: ['leaderworkerset.x-k8s.io/v1/LeaderWorkerSet'] }),
    ]));
    expect(before.clusters[0].findings.map((f) => f.rule)).toEqual(['unknown-kind']);

    const crds = path.join(os.tmpdir(), `widget-crds-${process.pid}`);
    fs.mkdirSync(path.join(crds, 'widgets'), { recursive: true });
    fs.writeFileSync(path.join(crds, 'widgets', 'widget.yaml'), stringify({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }] },
    }));
    try {
      const after = JSON.parse(run('validate', root, '--json', '--crds', crds).out) as Report;
      expect(after.clusters[0].findings.map((f) => `${f.rule} ${f.message}`)).toEqual(['crd spec.size: must be integer']);
      expect(after.schemas.crds.map((c) => c.project)).toEqual(expect.arrayContaining(['argo-cd', `${crds}/widgets`]));
    } finally {
      useCrdDirs([]);
      fs.rmSync(crds, { recursive: true, force: true });
    }
  });
});
