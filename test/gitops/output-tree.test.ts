import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildExamples } from '../../examples/main';
import { EXAMPLE_ENVIRONMENTS } from '../../examples/platform';
import { SynthesizedFolder } from '../../lib/gitops';
import { renderApplicationSet } from './appset-render';
import { tempDir } from '../support/tmp';

const ENVS = EXAMPLE_ENVIRONMENTS.map((e) => e.name);

function tmp(prefix: string): string {
  return tempDir(prefix);
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `kubectl kustomize dir`, without blocking the test process (the environments build side by side). */
function kustomize(dir: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    (err, stdout, stderr) => (err ? reject(new Error(`kubectl kustomize ${dir}: ${err.message}\n${stderr}`)) : resolve(stdout))));
}

const outdir = tmp('tree-');
let folders: SynthesizedFolder[] = [];

beforeAll(() => {
  const app = buildExamples(outdir);
  folders = app.synthFolders();
  app.synth();
});

describe('output tree', () => {
  test('one folder per environment (dev, staging, prod), each with apps/, root/ and one folder per Application', () => {
    expect(ENVS).toEqual(['dev', 'staging', 'prod']);
    const top = fs.readdirSync(outdir).sort();
    expect(top).toEqual(['argocd-cmp', 'dev', 'prod', 'staging']);
    for (const env of ENVS) {
      const sub = fs.readdirSync(path.join(outdir, env));
      expect(sub).toEqual(expect.arrayContaining(['apps', 'root']));
      expect(sub.length).toBeGreaterThan(4);
    }
    // Environments have the same Applications (they differ in settings, not in shape).
    const names = (env: string) => fs.readdirSync(path.join(outdir, env)).sort();
    expect(names('staging')).toEqual(names('dev'));
    expect(names('prod')).toEqual(names('dev'));
  });

  test('one manifests.yaml per Application (objects in order), patches apart, and a kustomization.yaml listing exactly those files', () => {
    for (const f of folders) {
      const dir = path.join(outdir, f.folder);
      const onDisk = fs.readdirSync(dir).filter((n) => n !== 'kustomization.yaml').sort();
      const patches = f.objects.filter((o) => o.patch);
      const resources = f.objects.filter((o) => !o.patch);
      expect(onDisk).toEqual([...(resources.length > 0 ? ['manifests.yaml'] : []), ...patches.map((o) => o.fileName)].sort());
      const inFile = parseAllDocuments(fs.readFileSync(path.join(dir, 'manifests.yaml'), 'utf8')).map((d) => d.toJSON());
      expect(inFile).toEqual(resources.map((o) => o.manifest));
      for (const o of f.objects) {
        expect(o.fileName).toMatch(/^[a-z0-9.-]+\.yaml$/);
        expect(o.fileName.startsWith(`${String(o.manifest.kind).toLowerCase()}-`)).toBe(true);
      }
      const k = parseAllDocuments(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0].toJSON();
      expect(k.kind).toBe('Kustomization');
      const listed = [...k.resources.filter((r: string) => !r.startsWith('https://')), ...(k.patches ?? []).map((p: any) => p.path)].sort();
      expect(listed).toEqual(onDisk);
    }
  });

  test('every object in an Application folder has a sync wave and every namespaced object a namespace', () => {
    for (const f of folders) {
      // The root Application is applied by hand, outside any sync: it needs no wave.
      if (f.folder === 'argocd-cmp' || f.folder.endsWith('/root')) continue;
      for (const o of f.objects) {
        expect(o.manifest.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toMatch(/^-?[0-9]+$/);
        if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'CustomResourceDefinition'].includes(o.manifest.kind)) {
          expect({ file: `${f.folder}/${o.fileName}`, namespace: o.manifest.metadata.namespace }).toEqual({ file: `${f.folder}/${o.fileName}`, namespace: expect.any(String) });
        }
      }
    }
  });

  test('the root app-of-apps of each environment points at its apps folder; child Applications at their folders', () => {
    for (const env of ENVS) {
      const root = folders.find((f) => f.folder === `${env}/root`)!.objects[0].manifest;
      expect(root.kind).toBe('Application');
      expect(root.spec.source.path).toBe(`dist/${env}/apps`);
      const apps = folders.find((f) => f.folder === `${env}/apps`)!.objects.map((o) => o.manifest);
      const appFolders = folders.filter((f) => f.folder.startsWith(`${env}/`) && !/\/(apps|root)$/.test(f.folder)).map((f) => `dist/${f.folder}`).sort();
      // dev's Applications run the Config Management Plugin, whose env entries name the folder it prints.
      const pluginFolder = (src: any) => `dist/${src.plugin.env.find((e: any) => e.name === 'GITOPS_ENVIRONMENT').value}/${src.plugin.env.find((e: any) => e.name === 'GITOPS_APPLICATION').value}`;
      const children = apps.filter((m) => m.kind === 'Application').map((m) => (m.spec.source.plugin ? pluginFolder(m.spec.source) : m.spec.source.path));
      const set = apps.find((m) => m.kind === 'ApplicationSet');
      const paths = set ? set.spec.generators[0].list.elements.map((e: any) => e.path) : children;
      expect([...paths].sort()).toEqual(appFolders);
      expect(apps.filter((m) => m.kind === 'AppProject').length).toBeGreaterThanOrEqual(4);
    }
  });

  /** The manifests of one Application folder. */
  const manifestsOf = (folder: string) => folders.find((f) => f.folder === folder)!.objects.map((o) => o.manifest);
  const obj = (folder: string, kind: string, name: string) => {
    const m = manifestsOf(folder).find((o) => o.kind === kind && o.metadata.name === name);
    expect({ folder, kind, name, found: m !== undefined }).toEqual({ folder, kind, name, found: true });
    return m;
  };

  test('environments differ only through their typed settings', () => {
    const root = (env: string) => obj(`${env}/root`, 'Application', `${env}-root`);
    for (const s of EXAMPLE_ENVIRONMENTS) expect(root(s.name).spec.source.targetRevision).toBe(s.targetRevision);

    // Every workload follows its environment's settings.
    for (const { name: env, workloads: w } of EXAMPLE_ENVIRONMENTS) {
      const llama = obj(`${env}/inference-ml-team`, 'Deployment', 'llama-8b');
      const server = llama.spec.template.spec.containers[0];
      expect({ env, image: server.image, gpus: server.resources.limits['nvidia.com/gpu'], replicas: llama.spec.replicas })
        .toEqual({ env, image: `vllm/vllm-openai:${w.vllmImageTag}`, gpus: w.llamaGpus, replicas: undefined });
      const llamaHpa = obj(`${env}/inference-ml-team`, 'HorizontalPodAutoscaler', 'llama-8b').spec;
      expect([llamaHpa.minReplicas, llamaHpa.maxReplicas]).toEqual([w.llamaMinReplicas, w.llamaMaxReplicas]);
      const chat = obj(`${env}/inference-llm-serving`, 'Deployment', 'qwen-32b').spec.template.spec.containers[0];
      expect([chat.image, chat.resources.limits['nvidia.com/gpu']]).toEqual([`vllm/vllm-openai:${w.vllmImageTag}`, w.chatGpus]);
      const chatHpa = obj(`${env}/inference-llm-serving`, 'HorizontalPodAutoscaler', 'qwen-32b').spec;
      expect([chatHpa.minReplicas, chatHpa.maxReplicas]).toEqual([w.chatMinReplicas, w.chatMaxReplicas]);
      // The chat Rollout and its autoscaler follow the chat service.
      expect(chatHpa.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'qwen-32b' });
      expect(obj(`${env}/inference-llm-serving`, 'LeaderWorkerSet', 'llama-70b').spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].image)
        .toBe(`vllm/vllm-openai:${w.vllmImageTag}`);
      const roles = obj(`${env}/rbg-sglang-pd`, 'RoleBasedGroup', 'sglang-pd').spec.roles;
      const replicasOf = (r: string) => roles.find((x: any) => x.name === r).replicas;
      expect([replicasOf('prefill'), replicasOf('decode')]).toEqual([w.rbgPrefillReplicas, w.rbgDecodeReplicas]);
      expect(obj(`${env}/rbg-sglang-pd-native`, 'StatefulSet', 'sglang-pd-native-prefill').spec.replicas).toBe(w.rbgPrefillReplicas);
      expect(obj(`${env}/rbg-sglang-pd-native`, 'LeaderWorkerSet', 'sglang-pd-native-decode').spec.replicas).toBe(w.rbgDecodeReplicas);
      const storefront = manifestsOf(`${env}/canary-web-team`).filter((m) => m.kind === 'Deployment').map((m) => m.spec.replicas);
      expect(storefront.reduce((a: number, b: number) => a + b, 0)).toBe(w.storefrontReplicas);
    }

    // The concrete differences: dev runs one single-GPU llama-8b on the release candidate, prod 1-2 x 2 GPUs on the release.
    const llamaIn = (env: string) => {
      const c = obj(`${env}/inference-ml-team`, 'Deployment', 'llama-8b').spec.template.spec.containers[0];
      const hpa = obj(`${env}/inference-ml-team`, 'HorizontalPodAutoscaler', 'llama-8b').spec;
      return { image: c.image, gpus: c.resources.limits['nvidia.com/gpu'], minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas };
    };
    expect(llamaIn('dev')).toEqual({ image: 'vllm/vllm-openai:v0.19.0rc1', gpus: 1, minReplicas: 1, maxReplicas: 1 });
    expect(llamaIn('staging')).toEqual({ image: 'vllm/vllm-openai:v0.19.0rc1', gpus: 2, minReplicas: 1, maxReplicas: 2 });
    expect(llamaIn('prod')).toEqual({ image: 'vllm/vllm-openai:v0.18.0', gpus: 2, minReplicas: 1, maxReplicas: 2 });
    // No disruption budget where the HPA may sit at one replica (dev and prod: minReplicas 1): a budget
    // could only block drains or pretend to protect the single pod (a synth warning says so).
    expect(manifestsOf('dev/inference-ml-team').some((m) => m.kind === 'PodDisruptionBudget')).toBe(false);
    expect(manifestsOf('prod/inference-ml-team').some((m) => m.kind === 'PodDisruptionBudget')).toBe(false);

    // staging is prod on the release candidate: its workload folders are prod's, byte for byte, but for the tag.
    const staging = EXAMPLE_ENVIRONMENTS.find((e) => e.name === 'staging')!.workloads;
    const prod = EXAMPLE_ENVIRONMENTS.find((e) => e.name === 'prod')!.workloads;
    expect({ ...staging, vllmImageTag: prod.vllmImageTag }).toEqual(prod);
    const workloadFolders = (env: string) => folders.filter((f) => f.folder.startsWith(`${env}/`) && !/\/(apps|root)$/.test(f.folder));
    const text = (f: SynthesizedFolder) => JSON.stringify(f.objects.map((o) => [o.fileName, o.manifest]));
    const prodFolders = workloadFolders('prod');
    expect(prodFolders.length).toBeGreaterThan(5);
    for (const f of workloadFolders('staging')) {
      const twin = prodFolders.find((p) => p.folder === f.folder.replace(/^staging\//, 'prod/'))!;
      expect({ folder: f.folder, same: text(f).split(staging.vllmImageTag).join(prod.vllmImageTag) === text(twin) })
        .toEqual({ folder: f.folder, same: true });
    }
  });

  /** The child Application named `name` of an environment: written, or generated by its ApplicationSet. */
  const child = (env: string, name: string) => {
    const apps = manifestsOf(`${env}/apps`);
    const set = apps.find((m) => m.kind === 'ApplicationSet');
    const found = (set ? renderApplicationSet(set) : apps.filter((m) => m.kind === 'Application')).find((a) => a.metadata.name === name);
    expect({ env, name, found: found !== undefined }).toEqual({ env, name, found: true });
    return found;
  };

  test('the inference Applications ignore the replicas their autoscalers own, and respect that on sync (also ApplicationSet-generated)', () => {
    const replicas = (kind: string, name: string, namespace: string) =>
      ({ group: 'apps', kind, name, namespace, jsonPointers: ['/spec/replicas'] });
    for (const env of ['dev', 'staging', 'prod']) {
      const spec = child(env, `${env}-inference-ml-team`).spec;
      expect({ env, ignore: spec.ignoreDifferences }).toEqual({ env, ignore: [replicas('Deployment', 'llama-8b', 'ml-team')] });
      expect(spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['RespectIgnoreDifferences=true', 'ServerSideApply=true']));
      // A tenant's Application: no CreateNamespace (the namespace is the platform's), in both modes.
      expect(spec.syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
      // The chat service and its canary share one Application (its HPA scales the Rollout): the Rollout under the
      // retargeted HPA and the Deployment Argo Rollouts scales to 0.
      const canary = child(env, `${env}-inference-llm-serving`).spec;
      expect(canary.ignoreDifferences).toEqual(expect.arrayContaining([
        { ...replicas('Rollout', 'qwen-32b', 'llm-serving'), group: 'argoproj.io' },
        replicas('Deployment', 'qwen-32b', 'llm-serving'),
      ]));
      expect(canary.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
      // Nothing autoscaled, nothing ignored.
      const tenant = child(env, `${env}-tenant-web-team`).spec;
      expect([tenant.ignoreDifferences?.length ? tenant.ignoreDifferences : undefined, tenant.syncPolicy.syncOptions]).toEqual([undefined, ['CreateNamespace=true', 'ServerSideApply=true']]);
    }
  });

  test('staging\'s ApplicationSet syncs its Applications in wave order (RollingSync), a declared prerequisite', () => {
    const set = manifestsOf('staging/apps').find((m) => m.kind === 'ApplicationSet');
    expect(set.spec.strategy.type).toBe('RollingSync');
    const waves = renderApplicationSet(set).map((a) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']));
    expect(set.spec.strategy.rollingSync.steps).toHaveLength(new Set(waves).size);
    expect(fs.readFileSync(path.join(outdir, 'staging', 'PREREQUISITES.md'), 'utf8')).toContain('applicationsetcontroller.enable.progressive.syncs');
    expect(fs.readFileSync(path.join(outdir, 'prod', 'PREREQUISITES.md'), 'utf8')).not.toContain('progressive');
  });

  test('kubectl kustomize builds every folder', async () => {
    if (!hasKubectl()) {
      console.warn('kubectl not found on PATH: skipping the `kubectl kustomize` check of the output tree');
      return;
    }
    // One kubectl per environment, not per folder (about 40, each mostly process start-up): a kustomization
    // listing every folder of the environment builds each folder's kustomization on its own, as Argo CD does
    // per Application, then adds the results up (failing on an object two folders both define); the origin
    // annotation names the folder each object came from.
    const built = await Promise.all(ENVS.map(async (env) => {
      const dir = tmp(`kustomize-${env}-`);
      const own = folders.filter((f) => f.folder.startsWith(`${env}/`));
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), ['buildMetadata: [originAnnotations]', 'resources:',
        ...own.map((f) => `  - ${path.relative(dir, path.join(outdir, f.folder)).split(path.sep).join('/')}`), ''].join('\n'));
      return { dir, docs: parseAllDocuments(await kustomize(dir)).map((d) => d.toJSON()).filter((d) => d) };
    }));
    const count = new Map<string, number>();
    for (const { dir, docs } of built) {
      for (const d of docs) {
        const origin = parseAllDocuments(d.metadata?.annotations?.['config.kubernetes.io/origin'] ?? '')[0]?.toJSON()?.path;
        expect({ object: `${d.kind}/${d.metadata?.name}`, origin: typeof origin }).toEqual({ object: `${d.kind}/${d.metadata?.name}`, origin: 'string' });
        const folder = path.relative(outdir, path.dirname(path.resolve(dir, origin))).split(path.sep).join('/');
        count.set(folder, (count.get(folder) ?? 0) + 1);
      }
    }
    for (const f of folders) {
      if (f.folder === 'argocd-cmp') continue;
      expect({ folder: f.folder, count: count.get(f.folder) ?? 0 }).toEqual({ folder: f.folder, count: f.objects.length });
    }
  }, 120_000);

  test('kubectl kustomize applies the plugin patch to the repo-server (upstream install stubbed)', () => {
    if (!hasKubectl()) {
      console.warn('kubectl not found on PATH: skipping the `kubectl kustomize` check of the plugin folder');
      return;
    }
    const dir = tmp('cmp-');
    for (const n of fs.readdirSync(path.join(outdir, 'argocd-cmp'))) fs.copyFileSync(path.join(outdir, 'argocd-cmp', n), path.join(dir, n));
    // The remote install, replaced by the part of it the patch targets, shaped like upstream's
    // (argo-cd v3.5.1 manifests/install.yaml: no metadata.namespace on any object; applied with -n argocd).
    fs.writeFileSync(path.join(dir, 'upstream.yaml'), [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cmd-params-cm', '  labels:',
      '    app.kubernetes.io/part-of: argocd', '---',
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: argocd-repo-server', '  labels:',
      '    app.kubernetes.io/name: argocd-repo-server', 'spec:',
      '  selector:', '    matchLabels:', '      app.kubernetes.io/name: argocd-repo-server', '  template:', '    metadata:',
      '      labels:', '        app.kubernetes.io/name: argocd-repo-server', '    spec:', '      containers:',
      '        - name: argocd-repo-server', '          image: quay.io/argoproj/argocd:v3.5.1', '      volumes:',
      '        - name: var-files', '          emptyDir: {}', '        - name: plugins', '          emptyDir: {}', '',
    ].join('\n'));
    const k = path.join(dir, 'kustomization.yaml');
    const kustomization = fs.readFileSync(k, 'utf8');
    expect(kustomization).toMatch(/^namespace: argocd$/m);
    fs.writeFileSync(k, kustomization.replace(/https:\/\/\S+install\.yaml/, 'upstream.yaml'));
    const docs = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJSON());
    const repo = docs.find((d) => d.kind === 'Deployment');
    expect(repo.metadata.namespace).toBe('argocd');
    expect(repo.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['cmp-cdk8s', 'argocd-repo-server']);
    expect(repo.spec.template.spec.volumes.map((v: any) => v.name).sort()).toEqual(['cmp-cdk8s', 'cmp-tmp', 'plugins', 'var-files']);
    expect(docs.filter((d) => d.kind === 'ConfigMap').map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort())
      .toEqual(['argocd/argocd-cmd-params-cm', 'argocd/cmp-cdk8s']);
    // The params patch merged into upstream's (empty) argocd-cmd-params-cm: the repo-server call timeouts.
    expect(docs.find((d) => d.metadata.name === 'argocd-cmd-params-cm').data)
      .toEqual({ 'controller.repo.server.timeout.seconds': '180', 'server.repo.server.timeout.seconds': '180' });
    expect(docs.find((d) => d.metadata.name === 'argocd-cmd-params-cm').metadata.labels['app.kubernetes.io/part-of']).toBe('argocd');
  });

  test('dev\'s Applications take the plugin of argocd-cmp/ as their source; its generate script prints their folders', () => {
    const cmp = manifestsOf('argocd-cmp').find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'cmp-cdk8s');
    const plugin = parseAllDocuments(cmp.data['plugin.yaml'])[0].toJSON();
    const generate: string = plugin.spec.generate.args[0];
    const apps = manifestsOf('dev/apps').filter((m) => m.kind === 'Application');
    expect(apps.length).toBe(folders.filter((f) => /^dev\/(?!apps$|root$)/.test(f.folder)).length);
    for (const env of EXAMPLE_ENVIRONMENTS) {
      const sources = manifestsOf(`${env.name}/apps`).filter((m) => m.kind === 'Application').map((m) => m.spec.source);
      expect({ env: env.name, plugin: sources.some((s) => s.plugin !== undefined) }).toEqual({ env: env.name, plugin: env.useConfigManagementPlugin });
    }
    const script = tempDir('cmp-run-');
    const sidecarTmp = tempDir('cmp-tmp-');
    for (const a of apps) {
      // The name the sidecar registers (<metadata.name>-<spec.version>), the repository root (where cdk8s.yaml,
      // the discover file, is) and env entries that are exactly the variables the generate script reads.
      expect(a.spec.source.plugin.name).toBe(`${plugin.metadata.name}-${plugin.spec.version}`);
      expect(a.spec.source.path).toBe('.');
      expect(plugin.spec.discover.fileName).toBe('cdk8s.yaml');
      const env = Object.fromEntries(a.spec.source.plugin.env.map((e: any) => [e.name, e.value]));
      expect(Object.keys(env)).toEqual(['GITOPS_APPLICATION', 'GITOPS_ENVIRONMENT']);
      for (const name of Object.keys(env)) expect(generate).toContain(`$ARGOCD_ENV_${name}`);
      // Run the generate script as the sidecar does (Argo CD passes env entries as ARGOCD_ENV_<name>), with the
      // synth replaced by a copy of this tree: it prints exactly the Application's folder.
      const run = generate.replace(/^.*"\$OUT".*>&2$/m, `cp -R ${JSON.stringify(outdir)}/. "$OUT"`);
      expect(run).not.toBe(generate);
      const out = execFileSync('sh', ['-c', run], {
        cwd: script, encoding: 'utf8',
        env: { PATH: process.env.PATH, TMPDIR: sidecarTmp, ARGOCD_ENV_GITOPS_ENVIRONMENT: env.GITOPS_ENVIRONMENT, ARGOCD_ENV_GITOPS_APPLICATION: env.GITOPS_APPLICATION },
      });
      // Every request leaves the sidecar's temporary folder as it found it.
      expect(fs.readdirSync(sidecarTmp)).toEqual([]);
      const printed = parseAllDocuments(out).map((d) => d.toJSON()).filter((d) => d);
      expect({ app: a.metadata.name, printed }).toEqual({ app: a.metadata.name, printed: manifestsOf(`${env.GITOPS_ENVIRONMENT}/${env.GITOPS_APPLICATION}`) });
    }
  });

  test('deterministic: two synths are byte-identical, with or without serializer threads', () => {
    const second = tmp('tree2-');
    buildExamples(second, { serializerThreads: 2 }).synth();
    const a = files(outdir);
    const b = files(second);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect({ file: k, same: v.equals(b.get(k)!) }).toEqual({ file: k, same: true });
  });

  test('renaming a construct id changes no selector and no object name', () => {
    const selectors = (fs: SynthesizedFolder[]) => {
      const out: { [key: string]: any } = {};
      for (const f of fs) {
        for (const o of f.objects) {
          const walk = (node: any, p: string) => {
            if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${p}[${i}]`));
            else if (node && typeof node === 'object') {
              for (const [key, v] of Object.entries(node)) {
                if (key === 'selector' || key === 'podSelector' || key === 'namespaceSelector') out[`${f.folder}/${o.fileName}:${p}.${key}`] = v;
                walk(v, `${p}.${key}`);
              }
            }
          };
          walk(o.manifest.spec, 'spec');
        }
      }
      return out;
    };
    const renamed = buildExamples(tmp('renamed-'), { scopeId: 'renamed-workloads' }).synthFolders();
    // The rename did move the constructs...
    const paths = (fs: SynthesizedFolder[]) => fs.flatMap((f) => f.objects.map((o) => o.path));
    expect(paths(renamed).some((p) => p.startsWith('renamed-workloads/'))).toBe(true);
    expect(paths(renamed).filter((p) => paths(folders).includes(p)).length).toBeLessThan(paths(renamed).length);
    // ...and changed no selector: workloads' spec.selector, Service selectors, policies, PDBs.
    const before = selectors(folders);
    const after = selectors(renamed);
    expect(Object.keys(before).length).toBeGreaterThan(10);
    expect(Object.keys(before).some((k) => /service-/.test(k))).toBe(true);
    expect(Object.keys(before).some((k) => /deployment-/.test(k))).toBe(true);
    expect(after).toEqual(before);
    // Same files and names too.
    expect(renamed.flatMap((f) => f.objects.map((o) => `${f.folder}/${o.fileName}`)))
      .toEqual(folders.flatMap((f) => f.objects.map((o) => `${f.folder}/${o.fileName}`)));
  });
});
