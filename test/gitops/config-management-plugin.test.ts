import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Cpu, Memory } from '../../lib/core';
import { ConfigManagementPlugin } from '../../lib/gitops';
import { synthValid } from '../harness';

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
      spec: { version: 'v1.0', init: { command: ['sh', '-c'], args: ['npm ci --no-audit --no-fund'] }, discover: { fileName: 'cdk8s.yaml' } },
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
    ])('%s', (_l, props, message) => {
      const chart = new Chart(Testing.app(), 'cmp');
      expect(() => new ConfigManagementPlugin(chart, 'p', props as any)).toThrow(message);
    });
  });
});
