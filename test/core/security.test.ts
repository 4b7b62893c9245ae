import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Memory, PodSecurityLevel, WorkloadSecurityOptions } from '../../lib/core';
import { workloadSecurity, writableDirs } from '../../lib/core/security';
import { k8s } from '../../lib/core/k8s';
import { synth, validate } from '../harness';

const newChart = () => new Chart(Testing.app(), 'chart');
const scope = () => new Construct(newChart(), 'thing');

/** A Deployment whose pods use workloadSecurity(), in a namespace with the given enforce level. */
function deploymentWith(options: WorkloadSecurityOptions, enforce: string): any[] {
  const chart = newChart();
  const sec = workloadSecurity(chart, 'security', options);
  const dirs = writableDirs([{ name: 'tmp', mountPath: '/tmp' }]);
  const labels = { app: 'x' };
  new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': enforce } } });
  new k8s.KubeDeployment(chart, 'd', {
    metadata: { name: 'x', namespace: 'team-a' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: sec.pod,
          initContainers: [{ name: 'init', image: 'busybox', securityContext: sec.container, volumeMounts: dirs.mounts }],
          containers: [{ name: 'main', image: 'app', securityContext: sec.container, volumeMounts: dirs.mounts }],
          volumes: dirs.volumes,
        },
      },
    },
  });
  return synth(chart);
}

describe('workloadSecurity', () => {
  test('restricted defaults', () => {
    expect(workloadSecurity(scope(), 'security')).toEqual({
      pod: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      container: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    });
  });

  test('the defaults pass Pod Security restricted for containers and init containers', () => {
    const manifests = deploymentWith({}, 'restricted');
    expect(validate(manifests)).toEqual([]);
    expect(manifests[1].spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('custom ids and a writable root filesystem', () => {
    const sec = workloadSecurity(scope(), 'security', { runAsUser: 65532, runAsGroup: 65532, fsGroup: 2000, readOnlyRootFilesystem: false });
    expect(sec.pod).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, fsGroup: 2000, runAsNonRoot: true });
    expect(sec.container.readOnlyRootFilesystem).toBe(false);
  });

  test('root is refused under restricted, naming path, prop, value and what is allowed', () => {
    expect(() => workloadSecurity(scope(), 'security', { runAsUser: 0 })).toThrow('[chart/thing] security.runAsUser: given 0; allowed: an integer >= 1');
  });

  test('ids must be integers', () => {
    expect(() => workloadSecurity(scope(), 'security', { runAsGroup: -1 })).toThrow('[chart/thing] security.runAsGroup: given -1; allowed: an integer >= 0');
    expect(() => workloadSecurity(scope(), 'security', { fsGroup: 1.5 })).toThrow('[chart/thing] security.fsGroup: given 1.5; allowed: an integer >= 0');
  });

  test('opting out is explicit: baseline allows root and drops runAsNonRoot', () => {
    const sec = workloadSecurity(scope(), 'security', { level: PodSecurityLevel.BASELINE, runAsUser: 0 });
    expect(sec.pod.runAsNonRoot).toBeUndefined();
    expect(sec.pod.runAsUser).toBe(0);
    expect(sec.container.runAsNonRoot).toBeUndefined();
    // Everything else stays hardened.
    expect(sec.container).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
  });

  test('an opted-out pod passes a baseline namespace but not a restricted one', () => {
    expect(validate(deploymentWith({ level: PodSecurityLevel.BASELINE, runAsUser: 0 }, 'baseline'))).toEqual([]);
    const vs = validate(deploymentWith({ level: PodSecurityLevel.BASELINE, runAsUser: 0 }, 'restricted'));
    expect(vs.map((v) => v.message.split(' ').slice(0, 2).join(' '))).toEqual(expect.arrayContaining(['restricted: R3', 'restricted: R4']));
  });
});

describe('PodSecurityLevel', () => {
  test('parses the three levels', () => {
    expect(PodSecurityLevel.of(scope(), 'level', 'restricted')).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurityLevel.of(scope(), 'level', 'baseline')).toBe(PodSecurityLevel.BASELINE);
    expect(PodSecurityLevel.of(scope(), 'level', 'privileged')).toBe(PodSecurityLevel.PRIVILEGED);
    expect(PodSecurityLevel.PRIVILEGED._render()).toBe('privileged');
  });

  test('an unknown level names path, prop, value and what is allowed', () => {
    expect(() => PodSecurityLevel.of(scope(), 'podSecurity', 'strict')).toThrow(
      '[chart/thing] podSecurity: given "strict"; allowed: one of "restricted", "baseline", "privileged"');
  });
});

describe('writableDirs', () => {
  test('emptyDir volumes and mounts, optionally in memory with a size limit', () => {
    const dirs = writableDirs([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'shm', mountPath: '/dev/shm', inMemory: true, sizeLimit: Memory.gibibytes(8).toK8s() },
    ]);
    expect(dirs.mounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'shm', mountPath: '/dev/shm' }]);
    expect(dirs.volumes[0]).toEqual({ name: 'tmp', emptyDir: { medium: undefined, sizeLimit: undefined } });
    expect(dirs.volumes[1].emptyDir?.medium).toBe('Memory');
    expect(dirs.volumes[1].emptyDir?.sizeLimit?.value).toBe('8Gi');
  });

  test('synthesizes without null fields', () => {
    const m = deploymentWith({}, 'restricted')[1];
    expect(m.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  });
});
