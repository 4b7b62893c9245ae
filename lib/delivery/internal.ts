// Helpers shared by the delivery constructs. Not re-exported from the package.
import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuQuotaEntry, GpuResource, TenantUsage } from '../core';
import { fail } from '../core/errors';
import { parseQuantity } from '../core/quantity';

/**
 * Argo Rollouts durations: a whole number of seconds written in the largest exact unit (`90s`, `5m`, `1h`).
 * Returns undefined when the duration is not a whole number of seconds >= 1.
 */
export function argoDurationText(duration: Duration): string | undefined {
  const ms = duration.toMilliseconds();
  if (!Number.isFinite(ms) || ms < 1000 || ms % 1000 !== 0) return undefined;
  const s = ms / 1000;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Like `argoDurationText`, but throws the standard error naming `prop`. */
export function requireArgoDuration(scope: IConstruct, prop: string, duration: Duration): string {
  const text = argoDurationText(duration);
  if (text === undefined) {
    fail(scope, prop, `${duration.toMilliseconds()}ms`, 'a whole number of seconds >= 1, for example Duration.seconds(30) or Duration.minutes(5)');
  }
  return text;
}

/** What one pod asks for, read from a synthesized pod spec (JSON). */
export interface PodDemand {
  /** Extended GPU resources by name (whole units). */
  readonly gpus: { [resource: string]: number };
  readonly cpuRequests: number;
  readonly cpuLimits: number;
  readonly memoryRequests: number;
  readonly memoryLimits: number;
}

function isGpuResourceName(name: string, extra?: string): boolean {
  return name.startsWith('nvidia.com/') || name === 'amd.com/gpu' || (extra !== undefined && name === extra);
}

/**
 * The resources of one pod: containers summed, init containers as the max (they run one at a time before
 * the app containers). GPUs are `nvidia.com/*` (plus `extraGpuResource`), max of request and limit.
 */
export function podDemand(podSpec: any, extraGpuResource?: string): PodDemand {
  const sum = (containers: any[]) => {
    const out = { gpus: {} as { [r: string]: number }, cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
    for (const c of containers ?? []) {
      const req = c?.resources?.requests ?? {};
      const lim = c?.resources?.limits ?? {};
      for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
        if (!isGpuResourceName(name, extraGpuResource)) continue;
        const n = Math.max(parseQuantity(String(req[name] ?? 0)) ?? 0, parseQuantity(String(lim[name] ?? 0)) ?? 0);
        out.gpus[name] = (out.gpus[name] ?? 0) + n;
      }
      out.cpuRequests += parseQuantity(String(req.cpu ?? 0)) ?? 0;
      out.cpuLimits += parseQuantity(String(lim.cpu ?? 0)) ?? 0;
      out.memoryRequests += parseQuantity(String(req.memory ?? 0)) ?? 0;
      out.memoryLimits += parseQuantity(String(lim.memory ?? 0)) ?? 0;
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

/** Replaces the GPU part of a demand by an explicit count (the `gpusPerPod` prop). */
export function withGpus(demand: PodDemand, gpusPerPod: number | undefined, resource: GpuResource | undefined): PodDemand {
  if (gpusPerPod === undefined) return demand;
  return { ...demand, gpus: { [(resource ?? GpuResource.NVIDIA_GPU).resourceName]: gpusPerPod } };
}

function gpuResourceFor(name: string): GpuResource {
  return name === GpuResource.NVIDIA_GPU.resourceName ? GpuResource.NVIDIA_GPU : GpuResource.custom(name);
}

/** A tenant usage: the sum of `pods` x `demand` over the parts. */
export function usageOf(description: string, parts: Array<{ pods: number; demand: PodDemand }>): TenantUsage {
  const gpus: { [r: string]: number } = {};
  let cpuRequests = 0;
  let cpuLimits = 0;
  let memoryRequests = 0;
  let memoryLimits = 0;
  for (const { pods, demand } of parts) {
    for (const [r, n] of Object.entries(demand.gpus)) gpus[r] = (gpus[r] ?? 0) + n * pods;
    cpuRequests += demand.cpuRequests * pods;
    cpuLimits += demand.cpuLimits * pods;
    memoryRequests += demand.memoryRequests * pods;
    memoryLimits += demand.memoryLimits * pods;
  }
  const gpuEntries: GpuQuotaEntry[] = Object.entries(gpus).filter(([, n]) => n > 0)
    .map(([r, count]) => ({ resource: gpuResourceFor(r), count }));
  return {
    description,
    gpus: gpuEntries,
    cpuRequests: cpuRequests > 0 ? cpuRequests : undefined,
    cpuLimits: cpuLimits > 0 ? cpuLimits : undefined,
    memoryRequests: memoryRequests > 0 ? memoryRequests : undefined,
    memoryLimits: memoryLimits > 0 ? memoryLimits : undefined,
  };
}

/** Every ApiObject of `apiVersion`/`kind` in the whole app that `scope` belongs to. */
export function findApiObjects(scope: IConstruct, apiVersion: string, kind: string): ApiObject[] {
  return scope.node.root.node.findAll().filter((c): c is ApiObject =>
    c instanceof ApiObject && c.apiVersion === apiVersion && c.kind === kind);
}

/** `{{args.x}}` references in a string (Argo Rollouts analysis templating). */
export function argReferences(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /\{\{\s*args\.([^}\s]+)\s*\}\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1]);
  return out;
}
