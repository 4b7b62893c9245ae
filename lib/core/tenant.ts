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

/** Options of `checkFitsTenant`. */
export interface FitOptions {
  /**
   * Objects whose pods this workload's usage already includes (a Rollout's `workloadRef` Deployment): a
   * workload that encloses one of them is not counted again in the tenant's total.
   * @default - none
   */
  readonly covers?: () => IConstruct[];
}

interface Registration {
  readonly scope: IConstruct;
  readonly usage: () => TenantUsage;
  readonly covers?: () => IConstruct[];
}

/** The workloads that checked themselves against each tenant, for the tenant-wide total. */
const registrations = new WeakMap<ITenant, Registration[]>();

/**
 * Registers a synth-time rule that the workload fits its tenant's quota, and counts it in the tenant's total:
 * the tenant reports when its workloads fit one by one but not together at their peaks. Both run at synth,
 * so they also see resources added after construction.
 */
export function checkFitsTenant(scope: IConstruct, tenant: ITenant, usage: () => TenantUsage, options: FitOptions = {}): void {
  addRule(scope, () => overQuota(tenant, usage()).map((o) =>
    formatViolation(scope, 'tenant', `${o.show(o.used)}${o.unit} (${o.description})`, `at most ${o.show(o.max)}${o.under}`)));
  let list = registrations.get(tenant);
  if (!list) {
    const all: Registration[] = [];
    registrations.set(tenant, list = all);
    addRule(tenant, () => checkTenantTotal(tenant, all));
  }
  list.push({ scope, usage, covers: options.covers });
}

interface Overrun {
  readonly key: string;
  readonly used: number;
  readonly max: number;
  readonly description: string;
  readonly unit: string;
  readonly under: string;
  readonly show: (n: number) => string;
}

/** Where a usage goes over the tenant's quota, one entry per quota key. */
function overQuota(tenant: ITenant, u: TenantUsage): Overrun[] {
  const out: Overrun[] = [];
  const q = tenant.quota;
  for (const g of u.gpus ?? []) {
    const max = gpuQuotaFor(q, g.resource);
    if (g.count > max) {
      out.push({ key: g.resource.quotaKey, used: g.count, max, description: u.description, unit: ` x ${g.resource.resourceName}`,
        under: ` under tenant "${tenant.tenantName}" quota ${g.resource.quotaKey}`, show: String });
    }
  }
  const cores = (n: number) => `${n} cores`;
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)}Gi`;
  const checks: Array<[string, number | undefined, number | undefined, (n: number) => string]> = [
    ['requests.cpu', u.cpuRequests, q.cpuRequests?.amount, cores],
    ['limits.cpu', u.cpuLimits, q.cpuLimits?.amount, cores],
    ['requests.memory', u.memoryRequests, q.memoryRequests?.amount, gib],
    ['limits.memory', u.memoryLimits, q.memoryLimits?.amount, gib],
  ];
  for (const [key, used, max, show] of checks) {
    if (used !== undefined && max !== undefined && used > max + 1e-9) {
      out.push({ key, used, max, description: u.description, unit: ` of ${key}`, under: ` under tenant "${tenant.tenantName}" quota`, show });
    }
  }
  return out;
}

/** True when `c` is `scope` or inside it. */
function isWithin(c: IConstruct, scope: IConstruct): boolean {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) if (s === scope) return true;
  return false;
}

/**
 * The tenant-wide rule: the peaks of all its workloads together, per quota key, where each fits alone (one
 * that does not is already reported by its own rule).
 */
function checkTenantTotal(tenant: ITenant, all: Registration[]): string[] {
  const covered = all.flatMap((r) => r.covers?.() ?? []);
  const counted: Array<{ path: string; usage: TenantUsage }> = [];
  for (const r of all) {
    if (covered.some((c) => isWithin(c, r.scope))) continue;
    try {
      counted.push({ path: r.scope.node.path, usage: r.usage() });
    } catch {
      // a workload whose usage cannot be computed reports that through its own rule
    }
  }
  if (counted.length < 2) return [];
  const gpuTotals = new Map<string, { resource: GpuResource; count: number }>();
  const total = { cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
  for (const { usage: u } of counted) {
    for (const g of u.gpus ?? []) {
      const t = gpuTotals.get(g.resource.resourceName) ?? { resource: g.resource, count: 0 };
      gpuTotals.set(g.resource.resourceName, { resource: t.resource, count: t.count + g.count });
    }
    total.cpuRequests += u.cpuRequests ?? 0;
    total.cpuLimits += u.cpuLimits ?? 0;
    total.memoryRequests += u.memoryRequests ?? 0;
    total.memoryLimits += u.memoryLimits ?? 0;
  }
  const alone = new Set(counted.flatMap(({ usage }) => overQuota(tenant, usage).map((o) => o.key)));
  const sum: TenantUsage = {
    description: counted.map((c) => c.path).join(', '),
    gpus: [...gpuTotals.values()],
    ...total,
  };
  const share = (of: (u: TenantUsage) => number | undefined, show: (n: number) => string) => counted
    .map(({ path, usage }) => ({ path, n: of(usage) ?? 0 })).filter((x) => x.n > 0).map((x) => `${x.path}: ${show(x.n)}`).join(', ');
  return overQuota(tenant, sum).filter((o) => !alone.has(o.key)).map((o) => {
    const parts = o.unit.startsWith(' x ')
      ? share((u) => (u.gpus ?? []).filter((g) => g.resource.quotaKey === o.key).reduce((a, g) => a + g.count, 0), String)
      : share((u) => ({ 'requests.cpu': u.cpuRequests, 'limits.cpu': u.cpuLimits, 'requests.memory': u.memoryRequests, 'limits.memory': u.memoryLimits } as { [k: string]: number | undefined })[o.key], o.show);
    return formatViolation(tenant, 'quota', `${o.show(o.used)}${o.unit} for its workloads together at their peaks (${parts})`,
      `at most ${o.show(o.max)}${o.under}; each workload fits alone, so lower their peaks or raise the quota`);
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
