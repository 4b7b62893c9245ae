import { Chart, Testing } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { k8s } from '../../lib/core/k8s';
import { Cpu, Memory } from '../../lib/core/quantity';
import {
  GangScheduler, PodGroup, podGroupMembership, SCHEDULER_PLUGINS_POD_GROUP_LABEL, VOLCANO_GROUP_NAME_ANNOTATION, withPodGroupMembership,
} from '../../lib/workloads/pod-group';
import { synthValid } from '../harness';

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

describe('PodGroup', () => {
  test('scheduler-plugins and Volcano groups validate against their CRDs and match the snapshot', () => {
    const c = chart();
    new PodGroup(c, 'sp', {
      name: 'llm-gang', namespace: 'ml-team', minMember: 6, scheduleTimeoutSeconds: 120,
      minResources: { cpu: Cpu.cores(24), memory: Memory.gibibytes(256), gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }] },
    });
    new PodGroup(c, 'vc', {
      name: 'llm-gang-vc', namespace: 'ml-team', minMember: 4, scheduler: GangScheduler.VOLCANO,
      queue: 'ml', priorityClassName: 'high-priority', labels: { team: 'ml' },
      minResources: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }] },
    });
    expect(synthValid(c)).toMatchSnapshot();
  });

  test('scheduler-plugins is the default: scheduling.x-k8s.io/v1alpha1, CONFIG sync wave', () => {
    const c = chart();
    const pg = new PodGroup(c, 'pg', { name: 'g', namespace: 'ml-team', minMember: 3 });
    const [obj] = synthValid(c);
    expect(obj.apiVersion).toBe('scheduling.x-k8s.io/v1alpha1');
    expect(obj.kind).toBe('PodGroup');
    expect(obj.metadata).toEqual({ name: 'g', namespace: 'ml-team', annotations: { 'argocd.argoproj.io/sync-wave': '-5' } });
    expect(obj.spec).toEqual({ minMember: 3 });
    expect(pg.membership).toEqual({
      labels: { 'scheduling.x-k8s.io/pod-group': 'g' }, annotations: {}, schedulerName: 'scheduler-plugins-scheduler',
    });
  });

  test('Volcano: scheduling.volcano.sh/v1beta1 with queue and priority; members get the group-name annotation and schedulerName volcano', () => {
    const c = chart();
    const pg = new PodGroup(c, 'pg', { name: 'g', namespace: 'ml-team', minMember: 2, scheduler: GangScheduler.VOLCANO, queue: 'gpu', priorityClassName: 'prod' });
    const [obj] = synthValid(c);
    expect(obj.apiVersion).toBe('scheduling.volcano.sh/v1beta1');
    expect(obj.spec).toEqual({ minMember: 2, queue: 'gpu', priorityClassName: 'prod' });
    expect(pg.membership).toEqual({ labels: {}, annotations: { [VOLCANO_GROUP_NAME_ANNOTATION]: 'g' }, schedulerName: 'volcano' });
  });

  test('minResources render as quantities', () => {
    const c = chart();
    new PodGroup(c, 'pg', { name: 'g', namespace: 'ml-team', minMember: 2, minResources: { cpu: Cpu.millis(500), gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 2 }] } });
    const [obj] = synthValid(c);
    expect(obj.spec.minResources).toEqual({ 'cpu': '500m', 'nvidia.com/gpu': 2 });
  });

  test('membership helper merges into a pod template without losing its labels', () => {
    const t: k8s.PodTemplateSpec = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const sp = withPodGroupMembership(t, podGroupMembership(GangScheduler.SCHEDULER_PLUGINS, 'g'));
    expect(sp.metadata?.labels).toEqual({ app: 'x', [SCHEDULER_PLUGINS_POD_GROUP_LABEL]: 'g' });
    expect(sp.spec?.schedulerName).toBe('scheduler-plugins-scheduler');
    const vc = withPodGroupMembership(t, podGroupMembership(GangScheduler.volcano('volcano-gpu'), 'g'));
    expect(vc.metadata?.annotations).toEqual({ 'scheduling.k8s.io/group-name': 'g' });
    expect(vc.spec?.schedulerName).toBe('volcano-gpu');
    expect(t.metadata?.labels).toEqual({ app: 'x' });
  });

  test('GangScheduler exposes only its scheduler name: no kind to switch on, no rendered apiVersion', () => {
    const v: any = GangScheduler.VOLCANO;
    expect(v.schedulerName).toBe('volcano');
    expect('isVolcano' in v).toBe(false);
    expect('apiVersion' in v).toBe(false);
    // The PodGroup apiVersion a scheduler reads is on the PodGroup object it renders.
    const c = chart();
    const apiVersions = [GangScheduler.VOLCANO, GangScheduler.SCHEDULER_PLUGINS].map((scheduler, i) =>
      new PodGroup(c, `g${i}`, { name: `g${i}`, namespace: 'ns', scheduler, minMember: 1 }).apiObject.apiVersion);
    expect(apiVersions).toEqual(['scheduling.volcano.sh/v1beta1', 'scheduling.x-k8s.io/v1alpha1']);
  });

  describe('errors', () => {
    test('no namespace and no tenant (never a silent "default")', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', minMember: 1 }))
        .toThrow('[test/pg] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
    });
    test('minMember < 1', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', namespace: 'ml-team', minMember: 0 }))
        .toThrow('[test/pg] minMember: given 0; allowed: an integer from 1 to 2147483647');
    });
    test('scheduleTimeoutSeconds with Volcano', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', namespace: 'ml-team', minMember: 1, scheduler: GangScheduler.VOLCANO, scheduleTimeoutSeconds: 60 }))
        .toThrow('[test/pg] scheduleTimeoutSeconds: given 60; allowed: only with GangScheduler.SCHEDULER_PLUGINS (Volcano has no schedule timeout)');
    });
    test('queue with scheduler-plugins', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', namespace: 'ml-team', minMember: 1, queue: 'q' }))
        .toThrow('[test/pg] queue: given "q"; allowed: only with GangScheduler.VOLCANO');
    });
    test('priorityClassName with scheduler-plugins', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', namespace: 'ml-team', minMember: 1, priorityClassName: 'p' }))
        .toThrow('[test/pg] priorityClassName: given "p"; allowed: only with GangScheduler.VOLCANO');
    });
    test('GPU count in minResources', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'g', namespace: 'ml-team', minMember: 1, minResources: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 1.5 }] } }))
        .toThrow('[test/pg] minResources.gpus[0].count: given 1.5; allowed: a whole number of GPUs >= 1');
    });
    test('bad name', () => {
      expect(() => new PodGroup(chart(), 'pg', { name: 'G!', namespace: 'ml-team', minMember: 1 }))
        .toThrow(/\[test\/pg\] name: given "G!"; allowed: a DNS-1123 subdomain/);
    });
  });
});
