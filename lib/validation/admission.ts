/**
 * Rule `admission`: every pod template as the API server would admit its pods in their namespace, beyond the
 * schemas and Pod Security (rule `pod-security`): the LimitRange admission plugin (defaults applied, then
 * min / max / maxLimitRequestRatio per container and per pod), the ResourceQuota plugin for one pod (a pod
 * asking more than the namespace's whole quota is refused whatever else runs), and the Priority and
 * ServiceAccount admission plugins (the PriorityClass and ServiceAccount must exist). Existence is checked only
 * for namespaces whose Namespace object is in the manifest set (a whole environment, not a fragment).
 */
import { parseQuantity } from '../core/quantity-value';
import { findPodSpecs, groupOf, isObject, objectId, PodSpecRef, Violation } from './types';

type Amounts = { [resource: string]: number };

const ns = (m: any): string => m.metadata?.namespace ?? 'default';
const is = (m: any, group: string, kind: string) => m.kind === kind && groupOf(m.apiVersion) === group;
const num = (q: unknown): number | undefined => (typeof q === 'number' ? q : typeof q === 'string' ? parseQuantity(q) : undefined);
const amounts = (o: unknown): Amounts => {
  const out: Amounts = {};
  if (isObject(o)) for (const [k, v] of Object.entries(o)) { const n = num(v); if (n !== undefined) out[k] = n; }
  return out;
};
const show = (n: number) => String(Math.round(n * 1000) / 1000);

/** A container's requests and limits after the LimitRange defaults, as the LimitRanger plugin sets them. */
function effective(c: any, ranges: any[]): { requests: Amounts; limits: Amounts } {
  const limits = amounts(c.resources?.limits);
  const requests = amounts(c.resources?.requests);
  for (const r of ranges) {
    for (const item of (r.spec?.limits ?? []).filter((l: any) => l.type === 'Container')) {
      for (const [k, v] of Object.entries(amounts(item.default))) if (limits[k] === undefined) limits[k] = v;
      for (const [k, v] of Object.entries(amounts(item.defaultRequest))) if (requests[k] === undefined) requests[k] = v;
    }
  }
  // An unset request takes the limit (API defaulting happens before LimitRanger sees the defaults too).
  for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  return { requests, limits };
}

function checkRange(item: any, requests: Amounts, limits: Amounts, what: string, fail: (m: string) => void): void {
  for (const [k, min] of Object.entries(amounts(item.min))) {
    if (requests[k] === undefined) fail(`${what}: no ${k} request, and LimitRange min ${show(min)} requires one`);
    else if (requests[k] < min - 1e-9) fail(`${what}: ${k} request ${show(requests[k])} is below the LimitRange min ${show(min)}`);
  }
  for (const [k, max] of Object.entries(amounts(item.max))) {
    if (limits[k] === undefined) fail(`${what}: no ${k} limit, and LimitRange max ${show(max)} requires one`);
    else if (limits[k] > max + 1e-9) fail(`${what}: ${k} limit ${show(limits[k])} is above the LimitRange max ${show(max)}`);
  }
  for (const [k, ratio] of Object.entries(amounts(item.maxLimitRequestRatio))) {
    if (limits[k] !== undefined && requests[k] && limits[k] / requests[k] > ratio + 1e-9) {
      fail(`${what}: ${k} limit/request ratio ${show(limits[k] / requests[k])} is above the LimitRange maxLimitRequestRatio ${show(ratio)}`);
    }
  }
}

/** Quota keys a pod's resources count against: `requests.cpu` / `cpu`, `limits.memory`, `requests.nvidia.com/gpu`, ... */
function quotaUse(requests: Amounts, limits: Amounts): Amounts {
  const out: Amounts = { pods: 1 };
  for (const [k, v] of Object.entries(requests)) {
    out[`requests.${k}`] = v;
    if (!k.includes('/') || k === 'ephemeral-storage') out[k] = v;
  }
  for (const [k, v] of Object.entries(limits)) if (!k.includes('/')) out[`limits.${k}`] = v;
  return out;
}

export function checkAdmission(manifests: any[]): Violation[] {
  const out: Violation[] = [];
  const namespaces = new Set(manifests.filter((m) => is(m, '', 'Namespace')).map((m) => m.metadata?.name));
  const priorityClasses = new Set(manifests.filter((m) => is(m, 'scheduling.k8s.io', 'PriorityClass')).map((m) => m.metadata?.name));
  const serviceAccounts = new Set(manifests.filter((m) => is(m, '', 'ServiceAccount')).map((m) => `${ns(m)}/${m.metadata?.name}`));
  const ranges = new Map<string, any[]>();
  const quotas = new Map<string, any[]>();
  for (const m of manifests) {
    if (is(m, '', 'LimitRange')) ranges.set(ns(m), [...(ranges.get(ns(m)) ?? []), m]);
    if (is(m, '', 'ResourceQuota')) quotas.set(ns(m), [...(quotas.get(ns(m)) ?? []), m]);
  }
  for (const m of manifests) {
    if (m.kind === 'Namespace' || m.kind === 'LimitRange' || m.kind === 'ResourceQuota') continue;
    for (const pod of findPodSpecs(m)) {
      const fail = (message: string) => out.push({ rule: 'admission', object: objectId(m), message });
      checkPod(pod, ns(m), ranges.get(ns(m)) ?? [], quotas.get(ns(m)) ?? [], fail);
      if (!namespaces.has(ns(m))) continue;
      const pc = pod.spec.priorityClassName;
      if (typeof pc === 'string' && !pc.startsWith('system-') && !priorityClasses.has(pc)) {
        fail(`${pod.path}.priorityClassName: PriorityClass ${JSON.stringify(pc)} is not in the output; the Priority admission plugin refuses the pod (create it, e.g. PlatformPriorityClass)`);
      }
      const sa = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
      if (typeof sa === 'string' && sa !== 'default' && !serviceAccounts.has(`${ns(m)}/${sa}`)) {
        fail(`${pod.path}.serviceAccountName: ServiceAccount ${ns(m)}/${sa} is not in the output; the pods are refused until it exists`);
      }
    }
  }
  return out;
}

function checkPod(pod: PodSpecRef, namespace: string, ranges: any[], quotas: any[], fail: (m: string) => void): void {
  const containers: any[] = (Array.isArray(pod.spec.containers) ? pod.spec.containers : []).filter(isObject);
  const inits: any[] = (Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : []).filter(isObject);
  const podRequests: Amounts = {};
  const podLimits: Amounts = {};
  const every = [...containers, ...inits];
  const eff = every.map((c) => ({ c, ...effective(c, ranges) }));
  for (const { c, requests, limits } of eff) {
    const what = `${pod.path} container ${c.name} in namespace ${namespace}`;
    for (const r of ranges) for (const item of (r.spec?.limits ?? []).filter((l: any) => l.type === 'Container')) checkRange(item, requests, limits, what, fail);
  }
  // Pod totals: app containers add up; an init container runs alone, so the pod needs the larger of the two.
  for (const { c, requests, limits } of eff) {
    const init = inits.includes(c);
    for (const [k, v] of Object.entries(requests)) podRequests[k] = init ? Math.max(podRequests[k] ?? 0, v) : (podRequests[k] ?? 0) + v;
    for (const [k, v] of Object.entries(limits)) podLimits[k] = init ? Math.max(podLimits[k] ?? 0, v) : (podLimits[k] ?? 0) + v;
  }
  for (const r of ranges) for (const item of (r.spec?.limits ?? []).filter((l: any) => l.type === 'Pod')) {
    checkRange(item, podRequests, podLimits, `${pod.path} (pod) in namespace ${namespace}`, fail);
  }
  const use = quotaUse(podRequests, podLimits);
  for (const q of quotas) {
    for (const [k, hard] of Object.entries(amounts(q.spec?.hard))) {
      if (use[k] !== undefined && use[k] > hard + 1e-9) {
        fail(`${pod.path}: one pod uses ${k} ${show(use[k])}, above ResourceQuota ${q.metadata?.name} hard ${show(hard)} in namespace ${namespace}: it can never be admitted`);
      }
    }
  }
}
