import * as fc from 'fast-check';
import { Chart, Testing } from 'cdk8s';
import { CanaryRollout } from '../../lib/delivery/canary-rollout';
import { NativeCanary } from '../../lib/delivery/native-canary';
import { Application } from '../../lib/gitops/application';
import { GpuInferenceService } from '../../lib/inference/gpu-inference-service';
import { TenantNamespace } from '../../lib/tenancy/tenant-namespace';
import { LeaderWorkerSet } from '../../lib/workloads/leader-worker-set';
import { PodGroup } from '../../lib/workloads/pod-group';
import { RoleBasedGroup } from '../../lib/workloads/role-based-group';
import { CanaryAnalysisTemplate } from '../../lib/delivery/analysis-template';
import { synth, validate } from '../harness';
import {
  analysisBase, applicationBase, lwsBase, nativeBase, pdBase, podGroupBase, rbgBase, rolloutBase, serviceBase, setPath, tenantBase,
} from './cases';

// Per construct: a valid base and the props an untyped caller may get wrong. Each run changes one to some
// arbitrary value (wrong types, out-of-range numbers, odd strings, nothing) and asserts: a PlatformError in
// the standard format, or output that passes the harness. Never a raw TypeError, never invalid output.
const SUBJECTS: Array<{ name: string; make: (c: Chart, p: any) => unknown; base: () => any; paths: string[] }> = [
  { name: 'TenantNamespace', make: (c, p) => new TenantNamespace(c, 't', p), base: tenantBase,
    paths: ['name', 'tenantName', 'labels', 'quota', 'quota.pods', 'quota.gpus', 'quota.gpus[0].count', 'quota.cpuRequests', 'network', 'network.ingressFrom[0].ports', 'nodePool', 'podSecurity', 'admins'] },
  { name: 'GpuInferenceService', make: (c, p) => new GpuInferenceService(c, 's', p), base: serviceBase,
    paths: ['name', 'namespace', 'image', 'model', 'gpu', 'gpu.count', 'replicas', 'cpu', 'memory', 'env', 'extraArgs', 'antiAffinity', 'maxModelLoadTime', 'labels', 'nodesPerReplica', 'tensorParallelSize'] },
  { name: 'LeaderWorkerSet', make: (c, p) => new LeaderWorkerSet(c, 'l', p), base: lwsBase,
    paths: ['name', 'size', 'replicas', 'workerTemplate', 'subGroupSize', 'labels', 'restartPolicy'] },
  { name: 'PodGroup', make: (c, p) => new PodGroup(c, 'g', p), base: podGroupBase,
    paths: ['name', 'minMember', 'scheduleTimeoutSeconds', 'minResources', 'scheduler', 'labels'] },
  { name: 'RoleBasedGroup', make: (c, p) => new RoleBasedGroup(c, 'r', p), base: rbgBase,
    paths: ['name', 'roles', 'roles[0].name', 'roles[0].replicas', 'mode', 'labels', 'router'] },
  { name: 'RoleBasedGroup.prefillDecode', make: (c, p) => RoleBasedGroup.prefillDecode(c, 'pd', p), base: pdBase,
    paths: ['name', 'image', 'decode.nodes', 'prefill.replicas', 'routerPort', 'engine', 'decode'] },
  { name: 'CanaryRollout', make: (c, p) => new CanaryRollout(c, 'ro', p), base: rolloutBase,
    paths: ['name', 'replicas', 'steps', 'port', 'maxSurge', 'stableServiceName'] },
  { name: 'NativeCanary', make: (c, p) => new NativeCanary(c, 'nc', p), base: nativeBase,
    paths: ['name', 'replicas', 'canaryWeight', 'port', 'stable.version', 'canary'] },
  { name: 'CanaryAnalysisTemplate', make: (c, p) => new CanaryAnalysisTemplate(c, 'at', p), base: analysisBase,
    paths: ['name', 'metrics', 'args'] },
  { name: 'Application', make: (c, p) => new Application(c, 'a', p), base: applicationBase,
    paths: ['name', 'path', 'syncWave', 'ignoreDifferences', 'labels', 'automated'] },
];

const FORMAT = /^\[[^\]]*\] [^\n]+: given [^\n]*; allowed: .+/m;

const wrongValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.integer({ min: -5, max: 5 }),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, NaN, Infinity, '', ' ', 'x', 'Bad Name', 'a/b/c', '8b', 'hard', null, undefined, [], {}),
  fc.string({ maxLength: 70 }),
);

describe.each(SUBJECTS)('$name: wrong types, missing props and out-of-range values', ({ make, base, paths }) => {
  test('a PlatformError in the standard format, or output that passes the harness', () => {
    fc.assert(fc.property(fc.constantFrom(...paths), wrongValue, (path, value) => {
      const chart = new Chart(Testing.app(), 'test');
      let manifests: any[];
      try {
        make(chart, setPath(base(), path, value));
        manifests = synth(chart);
      } catch (e) {
        if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) {
          throw new Error(`raw ${(e as Error).name} for ${path} = ${String(value)}: ${(e as Error).message}`);
        }
        if (!FORMAT.test((e as Error).message)) throw new Error(`unclear error for ${path}: ${(e as Error).message}`);
        return;
      }
      // Accepted: then the output must be valid (a service tested alone has no clients of its own to reach it).
      const violations = validate(manifests);
      if (violations.length > 0) throw new Error(`silently wrong output for ${path} = ${JSON.stringify(value)}: ${violations.map((v) => v.message).join('; ')}`);
    }), { numRuns: 60, seed: 13 });
  });
});
