import { IConstruct } from 'constructs';
import { addRule, fail, formatViolation } from './errors';
import { GpuResource } from './gpu';
import { k8s } from './k8s';
import { requireDnsLabel } from './names';
import { Cpu, Memory, parseQuantity } from './quantity';

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

/**
 * The part of a tenant's LimitRange that workloads check their pods against at synth time: what the API
 * server's LimitRanger admission applies (defaults) and enforces (min / max) to every pod of the namespace.
 */
export interface TenantLimitsView {
  /** @default - no default CPU limit */
  readonly defaultCpuLimit?: Cpu;
  /** @default - no default CPU request */
  readonly defaultCpuRequest?: Cpu;
  /** @default - no default memory limit */
  readonly defaultMemoryLimit?: Memory;
  /** @default - no default memory request */
  readonly defaultMemoryRequest?: Memory;
  /** @default - no per-container CPU minimum */
  readonly minCpu?: Cpu;
  /** @default - no per-container CPU maximum */
  readonly maxCpu?: Cpu;
  /** @default - no per-container memory minimum */
  readonly minMemory?: Memory;
  /** @default - no per-container memory maximum */
  readonly maxMemory?: Memory;
  /** @default - no per-pod CPU maximum */
  readonly podMaxCpu?: Cpu;
  /** @default - no per-pod memory maximum */
  readonly podMaxMemory?: Memory;
  /**
   * Per-container GPU maximum by resource (containers that ask for none get 0).
   * @default - none
   */
  readonly maxGpusPerContainer?: GpuQuotaEntry[];
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
  /**
   * The tenant's LimitRange, checked at synth against every pod of its workloads.
   * @default - no LimitRange
   */
  readonly limits?: TenantLimitsView;
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

/** Each workload's usage, computed once per validation pass while `shareTenantUsage` runs (else not kept). */
let usageMemo: Map<() => TenantUsage, { ok: boolean; value?: TenantUsage; error?: unknown }> | undefined;

/**
 * Runs `fn` (a validation pass over an app) with each workload's usage computed once: its own rule and its
 * tenant's total rule both need it, and it converts the workload's pod specs to JSON. The construct tree must not
 * change meanwhile (validations only read it); nested calls share the outer pass.
 */
export function shareTenantUsage<T>(fn: () => T): T {
  if (usageMemo !== undefined) return fn();
  usageMemo = new Map();
  try {
    return fn();
  } finally {
    usageMemo = undefined;
  }
}

/** `usage`, answered from the pass's memo when there is one (a failure is remembered and thrown again). */
function sharedUsage(usage: () => TenantUsage): () => TenantUsage {
  return () => {
    if (usageMemo === undefined) return usage();
    let entry = usageMemo.get(usage);
    if (entry === undefined) {
      try {
        entry = { ok: true, value: usage() };
      } catch (error) {
        entry = { ok: false, error };
      }
      usageMemo.set(usage, entry);
    }
    if (!entry.ok) throw entry.error;
    return entry.value!;
  };
}

/**
 * Registers a synth-time rule that the workload fits its tenant's quota, and counts it in the tenant's total:
 * the tenant reports when its workloads fit one by one but not together at their peaks. Both run at synth,
 * so they also see resources added after construction.
 */
export function checkFitsTenant(scope: IConstruct, tenant: ITenant, computeUsage: () => TenantUsage, options: FitOptions = {}): void {
  const usage = sharedUsage(computeUsage);
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

// ---------------------------------------------------------------- pod demand

/** What one pod asks for (from a synthesized pod spec). */
export interface PodDemand {
  /** Extended GPU resources by name (whole units). */
  readonly gpus: { [resource: string]: number };
  readonly cpuRequests: number;
  readonly cpuLimits: number;
  readonly memoryRequests: number;
  readonly memoryLimits: number;
}

function isGpuResourceName(name: string, extra: string[]): boolean {
  return name.startsWith('nvidia.com/') || name === 'amd.com/gpu' || extra.includes(name);
}

const amount = (v: unknown): number => parseQuantity(String(v ?? 0)) ?? 0;

/**
 * The one pod-demand calculator: the resources of one pod (a pod spec as JSON or as the typed k8s.PodSpec),
 * containers summed, init containers as the max (they run one at a time before the app containers). GPUs
 * are `nvidia.com/*`, `amd.com/gpu` and `extraGpuResources`, the max of request and limit. A request left
 * out is the limit (the API server defaults it so).
 */
export function podDemand(podSpec: any, extraGpuResources: string[] = []): PodDemand {
  const sum = (containers: any[]) => {
    const out = { gpus: {} as { [r: string]: number }, cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
    for (const c of containers ?? []) {
      const req = c?.resources?.requests ?? {};
      const lim = c?.resources?.limits ?? {};
      for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
        if (!isGpuResourceName(name, extraGpuResources)) continue;
        out.gpus[name] = (out.gpus[name] ?? 0) + Math.max(amount(req[name]), amount(lim[name]));
      }
      out.cpuRequests += amount(req.cpu ?? lim.cpu);
      out.cpuLimits += amount(lim.cpu);
      out.memoryRequests += amount(req.memory ?? lim.memory);
      out.memoryLimits += amount(lim.memory);
    }
    return out;
  };
  const main = sum(podSpec?.containers ?? []);
  for (const init of podSpec?.initContainers ?? []) {
    const one = sum([init]);
    for (const [r, n] of Object.entries(one.gpus)) main.gpus[r] = Math.max(main.gpus[r] ?? 0, n);
    main.cpuRequests = Math.max(main.cpuRequests, one.cpuRequests);
    main.cpuLimits = Math.max(main.cpuLimits, one.cpuLimits);
    main.memoryRequests = Math.max(main.memoryRequests, one.memoryRequests);
    main.memoryLimits = Math.max(main.memoryLimits, one.memoryLimits);
  }
  return main;
}

function gpuResourceFor(name: string, known: GpuResource[]): GpuResource {
  return known.find((r) => r.resourceName === name)
    ?? (name === GpuResource.NVIDIA_GPU.resourceName ? GpuResource.NVIDIA_GPU : GpuResource.custom(name));
}

/** Pods of one kind at a workload's peak, for the quota and LimitRange checks. */
export interface PodPart {
  /** How many such pods at the peak. */
  readonly pods: number;
  /** The pod spec (JSON or typed); undefined when unknown (a Deployment not in this app). */
  readonly spec: any;
  /** The prop the pods come from, named in LimitRange errors (`template`, `roles[1].template`, ...). */
  readonly prop: string;
  /**
   * The props that set a container's resources (model-server pods built from `cpu`, `memory`, `gpu`), by
   * container name; LimitRange errors name them instead of `prop`.
   */
  readonly resourceProps?: { [container: string]: { cpu?: string; memory?: string; gpu?: string } };
  /** An explicit GPU count per pod for the quota (the `gpusPerPod` props), replacing what the spec asks. */
  readonly gpusPerPod?: number;
  /** The GPU resource of the pods: what `gpusPerPod` counts, and a name counted as a GPU besides `nvidia.com/*`. */
  readonly gpuResource?: GpuResource;
  /** Leave this part out of the LimitRange check (its owner checks it: a workloadRef Deployment). */
  readonly skipAdmission?: boolean;
}

/** A workload's pods at its peak. */
export interface WorkloadPods {
  /** A short description of what was counted, for the quota error message. */
  readonly description: string;
  readonly parts: PodPart[];
}

/** A tenant usage: the sum of `pods` x the pod demand over the parts. */
export function usageOf(pods: WorkloadPods, tenant?: ITenant): TenantUsage {
  const known = (tenant?.quota.gpus ?? []).map((g) => g.resource);
  const extra = known.map((r) => r.resourceName);
  const gpus: { [r: string]: number } = {};
  const total = { cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
  for (const part of pods.parts) {
    const d = podDemand(normalSpec(part.spec), part.gpuResource ? [...extra, part.gpuResource.resourceName] : extra);
    const resource = part.gpuResource ?? GpuResource.NVIDIA_GPU;
    const perPod = part.gpusPerPod !== undefined ? { [resource.resourceName]: part.gpusPerPod } : d.gpus;
    known.push(resource);
    for (const [r, n] of Object.entries(perPod)) gpus[r] = (gpus[r] ?? 0) + n * part.pods;
    total.cpuRequests += d.cpuRequests * part.pods;
    total.cpuLimits += d.cpuLimits * part.pods;
    total.memoryRequests += d.memoryRequests * part.pods;
    total.memoryLimits += d.memoryLimits * part.pods;
  }
  return {
    description: pods.description,
    gpus: Object.entries(gpus).filter(([, n]) => n > 0).map(([r, count]) => ({ resource: gpuResourceFor(r, known), count })),
    cpuRequests: total.cpuRequests > 0 ? total.cpuRequests : undefined,
    cpuLimits: total.cpuLimits > 0 ? total.cpuLimits : undefined,
    memoryRequests: total.memoryRequests > 0 ? total.memoryRequests : undefined,
    memoryLimits: total.memoryLimits > 0 ? total.memoryLimits : undefined,
  };
}

/**
 * What the quota and LimitRange checks read of a pod spec (each container's and init container's name and
 * resources), as the JSON the API server sees: a typed k8s.PodSpec has its quantities converted to strings, JSON
 * passes through. Only those fields are converted (as `toJson_Container` would), not the whole spec: this runs
 * for every workload at every synth.
 */
function normalSpec(spec: any): any {
  if (!spec) return {};
  const typed = (spec.containers ?? []).some((c: any) => Object.values(c?.resources?.limits ?? {}).concat(Object.values(c?.resources?.requests ?? {}))
    .some((q: any) => q instanceof k8s.Quantity));
  if (!typed) return spec;
  const containers = (list: any[] | undefined) => list?.map((c) => {
    const resources = k8s.toJson_ResourceRequirements(c?.resources);
    return { name: c?.name, ...(resources === undefined ? {} : { resources }) };
  });
  return { containers: containers(spec.containers), initContainers: containers(spec.initContainers) };
}

// ---------------------------------------------------------------- LimitRange admission

interface LimitCheck {
  readonly resource: string;
  readonly show: (n: number) => string;
}

const CPU: LimitCheck = { resource: 'cpu', show: (n) => (Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`) };
const MEMORY: LimitCheck = { resource: 'memory', show: (n) => `${(n / 2 ** 30).toFixed(2).replace(/\.?0+$/, '')}Gi` };

/**
 * What the tenant's LimitRange does to the pods of one part, as the API server's LimitRanger admission does
 * it (kubernetes plugin/pkg/admission/limitranger/admission.go, v1.27-v1.31: defaults fill missing limits and
 * requests; a request left out defaults to the limit first; min wants a request at least min and a limit at
 * least min; max wants a limit at most max and a request at most max; a Pod max caps the sum of the limits).
 * Returns one violation per rule broken.
 */
function admissionViolations(scope: IConstruct, tenant: ITenant, part: PodPart): string[] {
  const l = tenant.limits;
  if (!l || part.skipAdmission || !part.spec) return [];
  const spec = normalSpec(part.spec);
  const out: string[] = [];
  const where = `tenant "${tenant.tenantName}" LimitRange`;
  const report = (container: string, kind: 'cpu' | 'memory' | 'gpu', given: string, allowed: string) => {
    const prop = part.resourceProps?.[container]?.[kind] ?? `${part.prop} (container ${container})`;
    out.push(formatViolation(scope, prop, given, `${allowed} (${where}); the API server would reject the pod`));
  };
  const pod = { cpu: 0, memory: 0 };
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const name = String(c?.name);
    const req: { [k: string]: unknown } = { ...c?.resources?.requests };
    const lim: { [k: string]: unknown } = { ...c?.resources?.limits };
    // API defaulting first (a request left out is the limit), then the LimitRange defaults.
    for (const k of Object.keys(lim)) if (req[k] === undefined) req[k] = lim[k];
    const dflt = (k: string, limit: Cpu | Memory | undefined, request: Cpu | Memory | undefined) => {
      if (lim[k] === undefined && limit) lim[k] = limit.text;
      if (req[k] === undefined && request) req[k] = request.text;
    };
    dflt('cpu', l.defaultCpuLimit, l.defaultCpuRequest);
    dflt('memory', l.defaultMemoryLimit, l.defaultMemoryRequest);
    const bounds: Array<[LimitCheck, 'cpu' | 'memory', Cpu | Memory | undefined, Cpu | Memory | undefined, string, string]> = [
      [CPU, 'cpu', l.minCpu, l.maxCpu, 'containerLimits.minCpu', 'containerLimits.maxCpu'],
      [MEMORY, 'memory', l.minMemory, l.maxMemory, 'containerLimits.minMemory', 'containerLimits.maxMemory'],
    ];
    for (const [check, kind, min, max, minProp, maxProp] of bounds) {
      const r = check.resource;
      const request = req[r] === undefined ? undefined : amount(req[r]);
      const limit = lim[r] === undefined ? undefined : amount(lim[r]);
      if (min) {
        if (request === undefined) report(name, kind, `no ${r} request`, `a ${r} request of at least ${min.text}, the per-container minimum ${minProp}`);
        else if (request < min.amount - 1e-9) report(name, kind, `${check.show(request)} ${r} request`, `at least ${min.text}, the per-container minimum ${minProp}`);
      }
      if (max) {
        if (limit === undefined) report(name, kind, `no ${r} limit`, `a ${r} limit of at most ${max.text}, the per-container maximum ${maxProp}`);
        else if (limit > max.amount + 1e-9) report(name, kind, `${check.show(limit)} ${r} limit`, `at most ${max.text}, the per-container maximum ${maxProp}`);
        else if (request !== undefined && request > max.amount + 1e-9) report(name, kind, `${check.show(request)} ${r} request`, `at most ${max.text}, the per-container maximum ${maxProp}`);
      }
      // A request above the (defaulted) limit fails the pod's own validation after admission.
      if (request !== undefined && limit !== undefined && request > limit + 1e-9 && c?.resources?.limits?.[r] === undefined) {
        report(name, kind, `${check.show(request)} ${r} request`, `at most the ${r} limit the LimitRange gives containers without one (${check.show(limit)})`);
      }
    }
    for (const g of l.maxGpusPerContainer ?? []) {
      const n = Math.max(amount(req[g.resource.resourceName]), amount(lim[g.resource.resourceName]));
      if (n > g.count) report(name, 'gpu', `${n} x ${g.resource.resourceName}`, `at most ${g.count} per container, quota.gpus maxPerContainer`);
    }
    const isInit = (spec.initContainers ?? []).includes(c);
    const cpuLim = lim.cpu === undefined ? undefined : amount(lim.cpu);
    const memLim = lim.memory === undefined ? undefined : amount(lim.memory);
    if (isInit) {
      pod.cpu = Math.max(pod.cpu, cpuLim ?? Infinity);
      pod.memory = Math.max(pod.memory, memLim ?? Infinity);
    } else {
      pod.cpu += cpuLim ?? Infinity;
      pod.memory += memLim ?? Infinity;
    }
  }
  const podBounds: Array<[LimitCheck, number, Cpu | Memory | undefined, string]> = [
    [CPU, pod.cpu, l.podMaxCpu, 'podLimits.maxCpu'],
    [MEMORY, pod.memory, l.podMaxMemory, 'podLimits.maxMemory'],
  ];
  for (const [check, total, max, maxProp] of podBounds) {
    if (!max || total <= max.amount + 1e-9) continue;
    const given = Number.isFinite(total) ? `${check.show(total)} ${check.resource} limits summed over the pod` : `a container without a ${check.resource} limit`;
    out.push(formatViolation(scope, part.prop, given, `at most ${max.text} per pod, ${maxProp} (${where}); the API server would reject the pod`));
  }
  return out;
}

// ---------------------------------------------------------------- the binding

/**
 * The namespace and tenant props every workload construct takes.
 * @internal
 */
export interface TenantBindingProps {
  /** @default - the tenant's namespace */
  readonly namespace?: string;
  /** @default - no tenant */
  readonly tenant?: ITenant;
  /**
   * A tenant label value given apart from the tenant (a workload identity's `tenant`), checked against it.
   * @default - none
   */
  readonly tenantLabel?: string;
  /** @default 'identity.tenant' */
  readonly tenantLabelProp?: string;
}

/**
 * One tenant binding for every workload construct: the same namespace rule (the tenant's namespace, or an
 * explicit one; never a silent "default"), the tenant mismatch checks, the node placement, and at synth the
 * full quota check (GPU, CPU, memory; alone and with the tenant's other workloads) and the LimitRange
 * admission check of every pod.
 *
 * Not public API (API review, session 5): it is how this library's constructs share one tenant contract,
 * and its checks take internal shapes (`WorkloadPods`, `FitOptions` with callbacks) that jsii cannot publish.
 * A construct of your own takes an `ITenant` and reads its public members: `namespaceName`, `tenantName`,
 * `placement` (apply it to your pods), `quota` and `limits`. Exposing the quota check to such constructs
 * would be a new, deliberately designed API (taking pod templates, returning nothing internal), not this class.
 * @internal
 */
export class TenantBinding {
  /** Resolves and checks the namespace and tenant of `scope` (construction time). */
  public static bind(scope: IConstruct, props: TenantBindingProps): TenantBinding {
    const tenant = props.tenant;
    if (tenant !== undefined && (typeof tenant !== 'object' || typeof tenant.namespaceName !== 'string')) {
      fail(scope, 'tenant', tenant, 'a TenantNamespace (or another ITenant)');
    }
    if (props.namespace !== undefined && tenant && props.namespace !== tenant.namespaceName) {
      fail(scope, 'namespace', props.namespace, `the tenant's namespace "${tenant.namespaceName}" (or leave namespace out)`);
    }
    const namespace = props.namespace ?? tenant?.namespaceName;
    if (namespace === undefined) fail(scope, 'namespace', namespace, 'a namespace, or a tenant to take it from');
    if (tenant && props.tenantLabel !== undefined && props.tenantLabel !== tenant.tenantName) {
      fail(scope, props.tenantLabelProp ?? 'identity.tenant', props.tenantLabel, `the tenant's name "${tenant.tenantName}" (or leave it out)`);
    }
    return new TenantBinding(scope, requireDnsLabel(scope, 'namespace', namespace), tenant);
  }

  private constructor(
    private readonly scope: IConstruct,
    /** The namespace every object of the workload goes into. */
    public readonly namespace: string,
    /** The tenant, if any. */
    public readonly tenant: ITenant | undefined,
  ) {}

  /** The tenant label value, if there is a tenant. */
  public get tenantName(): string | undefined {
    return this.tenant?.tenantName;
  }

  /** The tenant's placement merged with the workload's own (tenant first). */
  public placement(extra?: NodePlacement): NodePlacement | undefined {
    const a = this.tenant?.placement;
    if (!a) return extra;
    if (!extra) return a;
    return {
      nodeSelector: { ...a.nodeSelector, ...extra.nodeSelector },
      preferredNodeLabels: { ...a.preferredNodeLabels, ...extra.preferredNodeLabels },
      tolerations: [...(a.tolerations ?? []), ...(extra.tolerations ?? [])],
    };
  }

  /** Applies the tenant's placement to a pod spec (returns a new spec; the same spec without a tenant). */
  public place(spec: k8s.PodSpec): k8s.PodSpec {
    return this.tenant ? applyPlacement(spec, this.tenant.placement) : spec;
  }

  /**
   * Registers the synth-time checks of the workload's pods at its peak: the full quota (alone, and counted
   * in the tenant's total) and the LimitRange admission of every pod. Nothing without a tenant.
   */
  public checkPods(pods: () => WorkloadPods, options: FitOptions = {}): void {
    const tenant = this.tenant;
    if (!tenant) return;
    checkFitsTenant(this.scope, tenant, () => usageOf(pods(), tenant), options);
    addRule(this.scope, () => {
      const seen = new Set<string>();
      return pods().parts.flatMap((p) => admissionViolations(this.scope, tenant, p)).filter((m) => !seen.has(m) && !!seen.add(m));
    });
  }
}
