import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Cpu, Memory } from '../../lib/core';
import { ConfigManagementPlugin } from '../../lib/gitops';
import { CACHED_NPM_CI } from '../../lib/gitops/config-management-plugin';
import { synthValid } from '../harness';
import { tempDir } from '../support/tmp';

describe('ConfigManagementPlugin', () => {
  test('plugin.yaml ConfigMap and a repo-server sidecar patch that validates as a Deployment', () => {
    const chart = new Chart(Testing.app(), 'cmp');
    const cmp = new ConfigManagementPlugin(chart, 'p');
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(cmp.pluginName).toBe('cdk8s-v1.0');
    const cm = manifests.find((m) => m.kind === 'ConfigMap');
    expect(cm.metadata).toMatchObject({ name: 'cmp-cdk8s', namespace: 'argocd' });
    const plugin = parse(cm.data['plugin.yaml']);
    expect(plugin).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'cdk8s' },
      spec: { version: 'v1.0', init: { command: ['sh', '-c'], args: [CACHED_NPM_CI] }, discover: { fileName: 'cdk8s.yaml' } },
    });
    expect(plugin.spec.generate.args[0]).toContain('npm run --silent synth -- --output "$OUT"');
    expect(plugin.spec.generate.args[0]).toContain('$ARGOCD_ENV_GITOPS_ENVIRONMENT/$ARGOCD_ENV_GITOPS_APPLICATION');
    const patch = manifests.find((m) => m.kind === 'Deployment');
    expect(patch.metadata).toEqual({ name: 'argocd-repo-server', namespace: 'argocd' });
    expect(patch.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'argocd-repo-server' });
    const sidecar = patch.spec.template.spec.containers[0];
    expect(sidecar.command).toEqual(['/var/run/argocd/argocd-cmp-server']);
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(sidecar.volumeMounts).toContainEqual({ name: 'cmp-cdk8s', mountPath: '/home/argocd/cmp-server/config/plugin.yaml', subPath: 'plugin.yaml' });
    // One manifest generation may take 3 minutes: the callers' repo-server deadlines and the sidecar's exec timeout.
    expect(cmp.timeoutSeconds).toBe(180);
    expect(sidecar.env).toContainEqual({ name: 'ARGOCD_EXEC_TIMEOUT', value: '180s' });
    const params = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'argocd-cmd-params-cm');
    expect(params.data).toEqual({ 'controller.repo.server.timeout.seconds': '180', 'server.repo.server.timeout.seconds': '180' });
    expect(Testing.synth(chart).length).toBe(3);
  });

  test('timeout sets the sidecar exec timeout and both repo-server call timeouts', () => {
    const chart = new Chart(Testing.app(), 'cmp');
    const cmp = new ConfigManagementPlugin(chart, 'p', { timeout: Duration.minutes(5) });
    const manifests = synthValid(chart);
    expect(manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].env)
      .toContainEqual({ name: 'ARGOCD_EXEC_TIMEOUT', value: '300s' });
    expect(manifests.find((m) => m.metadata.name === 'argocd-cmd-params-cm').data)
      .toEqual({ 'controller.repo.server.timeout.seconds': '300', 'server.repo.server.timeout.seconds': '300' });
    expect(cmp.paramsPatch.name).toBe('argocd-cmd-params-cm');
  });

  test('the default init runs npm ci once per lock file and links node_modules into every fresh checkout', async () => {
    const root = tempDir('cmp-init-');
    // A stand-in npm that records its calls and takes a while, so two concurrent inits overlap.
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "$*" >> ${root}/npm-calls\nsleep 0.3\nmkdir -p node_modules/cdk8s\n`, { mode: 0o755 });
    const script = CACHED_NPM_CI.split('/tmp/cmp-deps').join(path.join(root, 'deps'));
    const checkout = (n: number, lock: string) => {
      const dir = path.join(root, `work-${n}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), '{}');
      fs.writeFileSync(path.join(dir, 'package-lock.json'), lock);
      return dir;
    };
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const run = (dir: string) => new Promise<number>((resolve) => spawn('sh', ['-c', script], { cwd: dir, env, stdio: 'ignore' }).on('exit', resolve));
    const calls = () => fs.readFileSync(path.join(root, 'npm-calls'), 'utf8').trim().split('\n');
    expect(await Promise.all([run(checkout(1, 'v1')), run(checkout(2, 'v1'))])).toEqual([0, 0]);
    expect(calls()).toEqual(['ci --no-audit --no-fund']);
    expect(await run(checkout(3, 'v1'))).toBe(0);
    expect(calls()).toHaveLength(1);
    for (const n of [1, 2, 3]) expect(fs.existsSync(path.join(root, `work-${n}`, 'node_modules', 'cdk8s'))).toBe(true);
    expect(fs.lstatSync(path.join(root, 'work-3', 'node_modules')).isSymbolicLink()).toBe(true);
    // Another lock file: another install.
    expect(await run(checkout(4, 'v2'))).toBe(0);
    expect(calls()).toHaveLength(2);
    expect(fs.readdirSync(path.join(root, 'deps')).filter((d) => !d.startsWith('.'))).toHaveLength(2);
    // An install no request used for a day is deleted by the next init; one in use is kept (each use touches it).
    const installs = fs.readdirSync(path.join(root, 'deps')).filter((d) => !d.startsWith('.')).map((d) => path.join(root, 'deps', d));
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    for (const d of installs) fs.utimesSync(d, dayAgo, dayAgo);
    expect(await run(checkout(5, 'v2'))).toBe(0);
    expect(calls()).toHaveLength(2);
    expect(installs.map((d) => fs.existsSync(d))).toEqual(installs.map((d) => fs.readlinkSync(path.join(root, 'work-4', 'node_modules')).startsWith(d)));
    expect(execFileSync('sh', ['-c', 'command -v flock && command -v sha256sum'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2);
  });

  test('options', () => {
    const chart = new Chart(Testing.app(), 'cmp');
    new ConfigManagementPlugin(chart, 'p', {
      name: 'cdk8s-ts', version: 'v2', argocdNamespace: 'gitops', image: 'ghcr.io/example/cdk8s-cmp:1.0.0',
      cpuLimit: Cpu.cores(4), memoryLimit: Memory.gibibytes(4), synthCommand: 'make synth OUT="$OUT"',
    });
    const manifests = synthValid(chart);
    const patch = manifests.find((m) => m.kind === 'Deployment');
    expect(patch.metadata.namespace).toBe('gitops');
    expect(patch.spec.template.spec.containers[0].image).toBe('ghcr.io/example/cdk8s-cmp:1.0.0');
    expect(patch.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '4', memory: '4Gi' });
    expect(parse(manifests[0].data['plugin.yaml']).spec.generate.args[0]).toContain('make synth OUT="$OUT"');
  });

  describe('errors', () => {
    test.each([
      ['image', { image: 'node:latest' }, /\[cmp\/p\] image: given "node:latest"; allowed: a pinned image reference/],
      ['version', { version: '1.0' }, '[cmp/p] version: given "1.0"; allowed: a version such as "v1.0"'],
      ['name', { name: 'CDK8S' }, /\[cmp\/p\] name: given "CDK8S"; allowed: a DNS-1123 label of at most 40 characters/],
      ['memoryLimit', { memoryLimit: Memory.parse('2GB') }, '[cmp/p] memoryLimit: given "2GB"; allowed: a memory quantity such as "512Mi" or "16Gi"'],
      ['timeout (too short)', { timeout: Duration.seconds(30) }, '[cmp/p] timeout: given "30 s"; allowed: at least 60 s'],
      ['timeout (too long)', { timeout: Duration.hours(2) }, /\[cmp\/p\] timeout: given "7200 s"; allowed: at most 1 hour/],
      ['timeout (fraction)', { timeout: Duration.millis(90500) }, /\[cmp\/p\] timeout: given "90500 ms"; allowed: a whole number of seconds/],
    ])('%s', (_l, props, message) => {
      const chart = new Chart(Testing.app(), 'cmp');
      expect(() => new ConfigManagementPlugin(chart, 'p', props as any)).toThrow(message);
    });
  });
});
