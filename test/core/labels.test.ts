import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Labels } from '../../lib/core';
import { selectorLabels, standardLabels, validateIdentity } from '../../lib/core/labels';
import { k8s } from '../../lib/core/k8s';
import { synth } from '../harness';

describe('labels', () => {
  test('selector labels come from name, instance and component only', () => {
    expect(selectorLabels({ name: 'llm' })).toEqual({ 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm' });
    expect(selectorLabels({ name: 'llm', instance: 'llm-prod', component: 'router', partOf: 'chat', tenant: 'team-a' })).toEqual({
      'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm-prod', 'app.kubernetes.io/component': 'router',
    });
  });

  test('standard labels add part-of, managed-by and the tenant', () => {
    expect(standardLabels({ name: 'llm', component: 'server', partOf: 'chat', tenant: 'team-a' })).toEqual({
      [Labels.NAME]: 'llm',
      [Labels.INSTANCE]: 'llm',
      [Labels.COMPONENT]: 'server',
      [Labels.PART_OF]: 'chat',
      [Labels.MANAGED_BY]: 'cdk8s-gpu-platform',
      [Labels.TENANT]: 'team-a',
    });
    expect(standardLabels({ name: 'llm' })).toEqual({ [Labels.NAME]: 'llm', [Labels.INSTANCE]: 'llm', [Labels.MANAGED_BY]: 'cdk8s-gpu-platform' });
    expect(Labels.TENANT).toBe('gpu-platform.dev/tenant');
  });

  test('the selector does not depend on the construct id or path', () => {
    const build = (chartId: string, id: string) => {
      const chart = new Chart(Testing.app(), chartId);
      const scope = new Construct(chart, id);
      const selector = selectorLabels({ name: 'llm', component: 'server' });
      new k8s.KubeDeployment(scope, 'deployment', {
        metadata: { name: 'llm', namespace: 'team-a' },
        spec: { selector: { matchLabels: selector }, template: { metadata: { labels: standardLabels({ name: 'llm', component: 'server' }) }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      });
      return synth(chart)[0].spec.selector;
    };
    const a = build('chart', 'Server');
    const b = build('renamed-chart', 'RenamedServer');
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('validateIdentity checks every value and names the prop', () => {
    const scope = new Construct(new Chart(Testing.app(), 'chart'), 'thing');
    expect(() => validateIdentity(scope, 'identity', { name: 'llm', component: 'server', partOf: 'chat', tenant: 'team-a', instance: 'x' })).not.toThrow();
    expect(() => validateIdentity(scope, 'identity', { name: 'LLM server' })).toThrow('[chart/thing] identity.name: given "LLM server"; allowed: a label value');
    expect(() => validateIdentity(scope, 'identity', { name: 'llm', instance: '-x' })).toThrow('[chart/thing] identity.instance: given "-x"');
    expect(() => validateIdentity(scope, 'identity', { name: 'llm', component: 'a/b' })).toThrow('[chart/thing] identity.component: given "a/b"');
    expect(() => validateIdentity(scope, 'identity', { name: 'llm', partOf: 'x'.repeat(64) })).toThrow('[chart/thing] identity.partOf');
    expect(() => validateIdentity(scope, 'identity', { name: 'llm', tenant: 'team a' })).toThrow('[chart/thing] identity.tenant: given "team a"');
  });
});
