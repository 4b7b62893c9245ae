import { IConstruct } from 'constructs';
import { addRule, formatViolation } from './errors';
import { GpuResource } from './gpu';
import { k8s } from './k8s';
import { Cpu, Memory } from './quantity';

/**
 * Where a tenant's pods may run. TenantNamespace produces one; workload constructs apply it to their pod
 * templates so they land on (and tolerate) the tenant's dedicated node pool.
 */
export interface NodePlacement {
  /**
   * Required node labels (`nodeSelector`).
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Preferred node labels (soft isolation, preferred node affinity with weight 100).
   * @default - none
   */
  readonly preferredNodeLabels?: { [key: string]: string };
  /**
   * Tolerations for the pool's taints.
   * @default - none
   */
  readonly tolerations?: k8s.Toleration[];
}

/** The part of a tenant's ResourceQuota that workloads check themselves against at synth time. */
export interface TenantQuotaView {
  /** @default - no CPU requests quota */
  readonly cpuRequests?: Cpu;
  /** @default - no CPU limits quota */
  readonly cpuLimits?: Cpu;
  /** @default - no memory requests quota */
  readonly memoryRequests?: Memory;
  /** @default - no memory limits quota */
  readonly memoryLimits?: Memory;
  /**
   * GPU quotas by resource.
   * @default - no GPU quota: the tenant may use no GPUs
   */
  readonly gpus?: GpuQuotaEntry[];
}

/** One GPU quota line. */
export interface GpuQuotaEntry {
  readonly resource: GpuResource;
  readonly count: number;
}

/** What workload constructs need from a tenant (implemented by TenantNamespace). */
export interface ITenant extends IConstruct {
  /** The tenant name (label value). */
  readonly tenantName: string;
  /** The namespace the tenant's objects go into. */
  readonly namespaceName: string;
  /** Node placement for the tenant's pods. */
  readonly placement: NodePlacement;
  /** The tenant's quota. */
  readonly quota: TenantQuotaView;
}

/** What a workload asks of its tenant at its peak (max replicas, plus any rollout surge). */
export interface TenantUsage {
  /** A short description of what was counted, for the error message. */
  readonly description: string;
  /** @default - none */
  readonly gpus?: GpuQuotaEntry[];
  /** @default - none */
  readonly cpuRequests?: number;
  /** @default - none */
  readonly cpuLimits?: number;
  /** @default - none (bytes) */
  readonly memoryRequests?: number;
  /** @default - none (bytes) */
  readonly memoryLimits?: number;
}

/** Finds the quota count for a GPU resource, or 0 when the tenant has none. */
export function gpuQuotaFor(quota: TenantQuotaView, resource: GpuResource): number {
  return (quota.gpus ?? []).filter((q) => q.resource.resourceName === resource.resourceName).reduce((a, q) => a + q.count, 0);
}

/**
 * Registers a synth-time rule that the workload fits its tenant's quota. It runs at synth, so it also sees
 * resources added after construction.
 */
export function checkFitsTenant(scope: IConstruct, tenant: ITenant, usage: () => TenantUsage): void {
  addRule(scope, () => {
      const u = usage();
      const errors: string[] = [];
      const q = tenant.quota;
      for (const g of u.gpus ?? []) {
        const allowed = gpuQuotaFor(q, g.resource);
        if (g.count > allowed) {
          errors.push(formatViolation(scope, 'tenant', `${g.count} x ${g.resource.resourceName} (${u.description})`,
            `at most ${allowed} under tenant "${tenant.tenantName}" quota ${g.resource.quotaKey}`));
        }
      }
      const checks: Array<[string, number | undefined, number | undefined, (n: number) => string]> = [
        ['requests.cpu', u.cpuRequests, q.cpuRequests?.amount, (n) => `${n} cores`],
        ['limits.cpu', u.cpuLimits, q.cpuLimits?.amount, (n) => `${n} cores`],
        ['requests.memory', u.memoryRequests, q.memoryRequests?.amount, (n) => `${(n / 2 ** 30).toFixed(2)}Gi`],
        ['limits.memory', u.memoryLimits, q.memoryLimits?.amount, (n) => `${(n / 2 ** 30).toFixed(2)}Gi`],
      ];
      for (const [key, used, max, show] of checks) {
        if (used !== undefined && max !== undefined && used > max + 1e-9) {
          errors.push(formatViolation(scope, 'tenant', `${show(used)} of ${key} (${u.description})`,
            `at most ${show(max)} under tenant "${tenant.tenantName}" quota`));
        }
      }
      return errors;
  });
}

/** Applies a tenant's placement to a pod spec (returns a new spec). */
export function applyPlacement(spec: k8s.PodSpec, placement: NodePlacement | undefined): k8s.PodSpec {
  if (!placement) return spec;
  const preferred = Object.entries(placement.preferredNodeLabels ?? {});
  const affinity: k8s.Affinity | undefined = preferred.length === 0 ? spec.affinity : {
    ...spec.affinity,
    nodeAffinity: {
      ...spec.affinity?.nodeAffinity,
      preferredDuringSchedulingIgnoredDuringExecution: [
        ...(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
        { weight: 100, preference: { matchExpressions: preferred.map(([key, value]) => ({ key, operator: 'In', values: [value] })) } },
      ],
    },
  };
  const nodeSelector = { ...spec.nodeSelector, ...placement.nodeSelector };
  return {
    ...spec,
    nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
    tolerations: [...(spec.tolerations ?? []), ...(placement.tolerations ?? [])].length > 0
      ? [...(spec.tolerations ?? []), ...(placement.tolerations ?? [])] : undefined,
    affinity,
  };
}
