import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../../lib/core/k8s';
import { Environment, FileLayout, FolderChart, GitOpsApp } from '../../lib/gitops';
import { applyDefaultSyncWaves } from '../../lib/gitops/kinds';
import { kustomizationFor } from '../../lib/gitops/linear-synth';
import { synth } from '../harness';
import { tempDir } from '../support/tmp';

const REPO = 'https://github.com/example/platform.git';

/** A small app with nested charts and explicit dependencies, built into any App. */
function populate(app: App, counter: { n: number }): void {
  const root = app instanceof GitOpsApp ? new Environment(app, 'dev') : app;
  const add = (id: string): Chart => (root instanceof Environment ? root.addApplication(id) : new FolderChart(root, id, { folder: `dev/${id}` }));
  for (const id of ['alpha', 'beta', 'gamma']) {
    const chart = add(id);
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: id } });
    const cm = new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'settings', namespace: id }, data: { b: '2', a: 'x: y' } });
    const svc = new k8s.KubeService(chart, 'svc', { metadata: { name: 'web', namespace: id }, spec: { ports: [{ port: 80 }], selector: { app: 'web' } } });
    if (id === 'beta') {
      // Dependencies reorder objects: the Service goes before the ConfigMap.
      cm.node.addDependency(svc);
      const nested = new Chart(chart, 'nested');
      new k8s.KubeSecret(nested, 's', { metadata: { name: 'token', namespace: id }, stringData: { t: 'v' } });
    }
    const c = new Construct(chart, 'counted');
    c.node.addValidation({ validate: () => { counter.n++; return []; } });
  }
}

describe('GitOpsApp linear synth', () => {
  test('validates once, where cdk8s validates once per chart more', () => {
    const ours = { n: 0 };
    const a = new GitOpsApp({ repoUrl: REPO });
    populate(a, ours);
    a.synthFolders();
    expect(ours.n).toBe(3);

    const theirs = { n: 0 };
    const b = new App({ outdir: tempDir('cdk8s-'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    populate(b, theirs);
    b.synth();
    expect(theirs.n).toBeGreaterThan(3 * 3);
  });

  test('every object is byte-identical to what cdk8s serializes, in canonical order', () => {
    const a = new GitOpsApp({ repoUrl: REPO });
    populate(a, { n: 0 });
    const ours = a.synthFolders().filter((f) => !f.folder.endsWith('/apps') && !f.folder.endsWith('/root'));
    const b = new App();
    populate(b, { n: 0 });
    applyDefaultSyncWaves(b);
    // cdk8s' own per-chart path (App._synthChart), chart by chart.
    const theirs = b.charts.map((c) => c.toJson().map((o: any) => Yaml.stringify(o)));
    const oursYaml = ours.map((f) => f.objects.map((o) => Yaml.stringify(o.manifest)));
    // beta's nested chart is its own chart in cdk8s; we write it into beta's folder.
    const flatTheirs = theirs.flat();
    const flatOurs = oursYaml.flat();
    expect(flatOurs.length).toBe(flatTheirs.length);
    expect(new Set(flatOurs)).toEqual(new Set(flatTheirs));
    const beta = ours.find((f) => f.folder === 'dev/beta')!;
    // Canonical order, as Argo CD applies them: wave (Namespace -20, Secret/ConfigMap -5, Service 0), kind, name.
    expect(beta.objects.map((o) => o.manifest.kind)).toEqual(['Namespace', 'Secret', 'ConfigMap', 'Service']);
  });

  test('the files on disk hold exactly the bytes cdk8s writes for FOLDER_PER_CHART_FILE_PER_RESOURCE', () => {
    const outA = tempDir('gitops-');
    const a = new GitOpsApp({ repoUrl: REPO, outdir: outA });
    populate(a, { n: 0 });
    a.synth();
    const outB = tempDir('cdk8s-');
    const b = new App({ outdir: outB, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    populate(b, { n: 0 });
    applyDefaultSyncWaves(b); // what GitOpsApp.prepare() does, so both serialize the same objects
    b.synth();
    const read = (dir: string, skip: (f: string) => boolean) => {
      const out: string[] = [];
      const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p); else if (!skip(p)) out.push(fs.readFileSync(p, 'utf8'));
      });
      walk(dir);
      return out.sort();
    };
    const ours = read(outA, (p) => p.endsWith('kustomization.yaml') || /\/(apps|root)\//.test(p));
    const theirs = read(outB, () => false);
    expect(ours).toEqual(theirs);
  });

  test('writes one file per object and a kustomization listing them', () => {
    const out = tempDir('gitops-');
    const a = new GitOpsApp({ repoUrl: REPO, outdir: out });
    populate(a, { n: 0 });
    a.synth();
    expect(fs.readdirSync(path.join(out, 'dev')).sort()).toEqual(['alpha', 'apps', 'beta', 'gamma', 'root']);
    expect(fs.readdirSync(path.join(out, 'dev/beta')).sort()).toEqual([
      'configmap-settings.yaml', 'kustomization.yaml', 'namespace-beta.yaml', 'secret-token.yaml', 'service-web.yaml',
    ]);
    expect(fs.readFileSync(path.join(out, 'dev/beta/kustomization.yaml'), 'utf8')).toBe([
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - namespace-beta.yaml',
      '  - secret-token.yaml',
      '  - configmap-settings.yaml',
      '  - service-web.yaml',
      '',
    ].join('\n'));
    // A stale file from an earlier synth is gone after the next one.
    fs.writeFileSync(path.join(out, 'dev/beta/stale.yaml'), 'x');
    a.synth();
    expect(fs.existsSync(path.join(out, 'dev/beta/stale.yaml'))).toBe(false);
  });

  test('serializer threads write the same files as the main thread alone, byte for byte', () => {
    const read = (dir: string): Record<string, string> => Object.fromEntries(
      (fs.readdirSync(dir, { recursive: true }) as string[]).sort()
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const inline = tempDir('gitops-inline-');
    const threaded = tempDir('gitops-threads-');
    const a = new GitOpsApp({ repoUrl: REPO, outdir: inline, serializerThreads: 0 });
    populate(a, { n: 0 });
    a.synth();
    const b = new GitOpsApp({ repoUrl: REPO, outdir: threaded, serializerThreads: 2 });
    populate(b, { n: 0 });
    b.synth();
    const files = read(threaded);
    expect(Object.keys(files)).toContain('dev/beta/kustomization.yaml');
    expect(files).toEqual(read(inline));
  });

  test.each([[-1], [1.5], [9]])('serializerThreads %p is refused', (n) => {
    expect(() => new GitOpsApp({ repoUrl: REPO, serializerThreads: n }))
      .toThrow(`serializerThreads: given ${n}; allowed: a whole number from 0 to 8`);
  });

  test('synthYaml (used by the harness) is the same stream as the folders', () => {
    const a = new GitOpsApp({ repoUrl: REPO });
    populate(a, { n: 0 });
    expect(synth(a)).toEqual(a.synthManifests());
  });

  test('same kind and name in two namespaces of one Application: both files name their namespace', () => {
    const a = new GitOpsApp({ repoUrl: REPO });
    const env = new Environment(a, 'dev');
    const c = env.addApplication('x');
    new k8s.KubeConfigMap(c, 'a', { metadata: { name: 'cfg', namespace: 'one' } });
    new k8s.KubeConfigMap(c, 'b', { metadata: { name: 'cfg', namespace: 'two' } });
    const folder = a.synthFolders().find((f) => f.folder === 'dev/x')!;
    expect(folder.objects.map((o) => o.fileName)).toEqual(['configmap-one-cfg.yaml', 'configmap-two-cfg.yaml']);
  });

  test('FILE_PER_APPLICATION writes one manifests.yaml per folder: the same documents, in the same order', () => {
    const perResource = tempDir('gitops-res-');
    const perApp = tempDir('gitops-app-');
    const a = new GitOpsApp({ repoUrl: REPO, outdir: perResource });
    populate(a, { n: 0 });
    a.synth();
    const b = new GitOpsApp({ repoUrl: REPO, outdir: perApp, fileLayout: FileLayout.FILE_PER_APPLICATION });
    populate(b, { n: 0 });
    b.synth();
    expect(fs.readdirSync(path.join(perApp, 'dev/beta')).sort()).toEqual(['kustomization.yaml', 'manifests.yaml']);
    expect(fs.readFileSync(path.join(perApp, 'dev/beta/kustomization.yaml'), 'utf8')).toBe([
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - manifests.yaml',
      '',
    ].join('\n'));
    const listed = (dir: string) => Yaml.load(path.join(dir, 'kustomization.yaml'))[0].resources as string[];
    for (const folder of ['dev/alpha', 'dev/beta', 'dev/gamma', 'dev/apps', 'dev/root']) {
      const separate = listed(path.join(perResource, folder)).map((f) => fs.readFileSync(path.join(perResource, folder, f), 'utf8'));
      expect(fs.readFileSync(path.join(perApp, folder, 'manifests.yaml'), 'utf8')).toBe(separate.join('---\n'));
    }
    expect(kustomizationFor({ folder: 'x', extraResources: [], objects: [
      { fileName: 'a.yaml', manifest: {}, patch: false, path: 'a' }, { fileName: 'b.yaml', manifest: {}, patch: true, path: 'b' },
    ] }, FileLayout.FILE_PER_APPLICATION)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests.yaml'], patches: [{ path: 'b.yaml' }],
    });
  });

  test('kustomization lists patches apart from resources', () => {
    expect(kustomizationFor({ folder: 'x', extraResources: ['https://example.com/install.yaml'], objects: [
      { fileName: 'a.yaml', manifest: {}, patch: false, path: 'a' }, { fileName: 'b.yaml', manifest: {}, patch: true, path: 'b' },
    ] })).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization',
      resources: ['https://example.com/install.yaml', 'a.yaml'], patches: [{ path: 'b.yaml' }],
    });
  });

  describe('errors', () => {
    test('invalid repo URL', () => {
      expect(() => new GitOpsApp({ repoUrl: 'not a url' })).toThrow('[] repoUrl: given "not a url"; allowed: a Git repository URL: https://host/path, ssh://[user@]host/path or user@host:path');
    });
    test('repoPath', () => {
      expect(() => new GitOpsApp({ repoUrl: REPO, repoPath: '/abs' })).toThrow(/\[\] repoPath: given "\/abs"; allowed: a relative path/);
    });
    test('a chart outside any folder', () => {
      const a = new GitOpsApp({ repoUrl: REPO });
      new Chart(a, 'loose');
      expect(() => a.synthFolders()).toThrow('[loose] chart: given "loose"; allowed: charts inside a FolderChart or an Application (Environment.addApplication / addApplicationForChart, or a chart nested in one)');
    });
    test('duplicate object in one Application', () => {
      const a = new GitOpsApp({ repoUrl: REPO });
      const c = new Environment(a, 'dev').addApplication('x');
      new k8s.KubeConfigMap(c, 'a', { metadata: { name: 'cfg', namespace: 'one' } });
      new k8s.KubeConfigMap(c, 'b', { metadata: { name: 'cfg', namespace: 'one' } });
      expect(() => a.synthFolders()).toThrow('[x/b] metadata.name: given "ConfigMap/one/cfg"; allowed: one object per kind, namespace and name in an Application');
    });
    test('validation errors are reported together, in the cdk8s format', () => {
      const a = new GitOpsApp({ repoUrl: REPO });
      const c = new Environment(a, 'dev').addApplication('x');
      new k8s.KubeConfigMap(c, 'a', { metadata: { name: 'a' } });
      new k8s.KubeConfigMap(c, 'b', { metadata: { name: 'b' } });
      expect(() => a.synthFolders()).toThrow(/^Validation failed with the following errors:\n {2}environment "dev":\n {2}\[Apps\/xApplication\] \[x\/a\] metadata.namespace.*\n {2}\[Apps\/xApplication\] \[x\/b\] metadata.namespace/);
    });
    test('errors of every environment are reported together, before anything is written', () => {
      const out = tempDir('gitops-errors-');
      const a = new GitOpsApp({ repoUrl: REPO, outdir: out });
      for (const name of ['dev', 'prod']) {
        const c = new Environment(a, name).addApplication('x');
        new k8s.KubeConfigMap(c, 'a', { metadata: { name: 'a' } });
      }
      let message = '';
      try { a.synth(); } catch (e) { message = (e as Error).message; }
      expect(message).toMatch(/environment "dev":\n {2}\[Apps\/xApplication\] \[x\/a\] metadata.namespace/);
      expect(message).toMatch(/environment "prod":\n {2}\[Apps\/xApplication\] \[x\/a\] metadata.namespace/);
      expect(fs.readdirSync(out)).toEqual([]);
    });
  });
});
