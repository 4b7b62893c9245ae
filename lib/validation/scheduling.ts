/**
 * Rule `scheduling`: every pod template placed as the scheduler would place it on its tenant's node pool,
 * as far as the output describes the pool. A TenantNamespace writes its pool on the Namespace: the node label
 * in `scheduler.alpha.kubernetes.io/node-selector` and the toleration of the pool's taint in
 * `scheduler.alpha.kubernetes.io/defaultTolerations`. A pod in such a namespace must not select another value of
 * the pool label (PodNodeSelector refuses the conflict) and must tolerate the pool's taint itself (the
 * PodTolerationRestriction plugin that would merge the default is off by default). GPUs per pod must fit the
 * GPUs per node when the pod pins `nvidia.com/gpu.count` (GPU Feature Discovery), and a pod's own
 * nodeSelector and required node affinity must not contradict each other.
 */
import { findPodSpecs, isObject, objectId, PodSpecRef, Violation } from './types';

const NODE_SELECTOR = 'scheduler.alpha.kubernetes.io/node-selector';
const DEFAULT_TOLERATIONS = 'scheduler.alpha.kubernetes.io/defaultTolerations';
const GPU_COUNT_LABEL = 'nvidia.com/gpu.count';

interface Pool {
  readonly labels: { [key: string]: string };
  readonly taints: Array<{ key: string; value?: string; effect?: string }>;
}

function poolOf(namespace: any): Pool | undefined {
  const a = namespace?.metadata?.annotations ?? {};
  const labels: { [key: string]: string } = {};
  if (typeof a[NODE_SELECTOR] === 'string') {
    for (const pair of a[NODE_SELECTOR].split(',').map((s: string) => s.trim()).filter(Boolean)) {
      const [k, v] = pair.split('=');
      if (k) labels[k] = v ?? '';
    }
  }
  let taints: Pool['taints'] = [];
  try {
    const parsed = typeof a[DEFAULT_TOLERATIONS] === 'string' ? JSON.parse(a[DEFAULT_TOLERATIONS]) : [];
    taints = (Array.isArray(parsed) ? parsed : []).filter((t: any) => isObject(t) && typeof t.key === 'string')
      .map((t: any) => ({ key: t.key, value: t.value, effect: t.effect }));
  } catch { /* a malformed annotation is the schema's business */ }
  if (Object.keys(labels).length === 0 && taints.length === 0) return undefined;
  return { labels, taints };
}

/** Does a toleration tolerate the taint (key, value, effect), as the scheduler matches them? */
function tolerates(t: any, taint: { key: string; value?: string; effect?: string }): boolean {
  if (!isObject(t)) return false;
  if (t.effect && taint.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

function requiredTerms(spec: any): any[] {
  return spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
}

/** Whether a node with exactly `labels` (for the keys given) can satisfy one term; undefined when the term says nothing about them. */
function termAllows(term: any, key: string, value: string): boolean {
  for (const e of term.matchExpressions ?? []) {
    if (e.key !== key) continue;
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !values.includes(value)) return false;
    if (e.operator === 'NotIn' && values.includes(value)) return false;
    if (e.operator === 'DoesNotExist') return false;
  }
  return true;
}

function checkPod(pod: PodSpecRef, pool: Pool | undefined, fail: (m: string) => void): void {
  const spec = pod.spec;
  const selector: { [key: string]: string } = isObject(spec.nodeSelector) ? spec.nodeSelector : {};
  const terms = requiredTerms(spec);
  // The pod's own nodeSelector against its own required affinity: every term excluded = never schedulable.
  for (const [k, v] of Object.entries(selector)) {
    if (terms.length > 0 && !terms.some((t: any) => termAllows(t, k, v))) {
      fail(`${pod.path}: nodeSelector ${k}=${v} contradicts every required node affinity term; no node can match`);
    }
  }
  if (pool) {
    for (const [k, v] of Object.entries(pool.labels)) {
      if (selector[k] !== undefined && selector[k] !== v) {
        fail(`${pod.path}.nodeSelector: ${k}=${selector[k]} conflicts with the namespace's pool ${k}=${v} (PodNodeSelector refuses the pod)`);
      }
      if (terms.length > 0 && !terms.some((t: any) => termAllows(t, k, v))) {
        fail(`${pod.path}: required node affinity excludes the namespace's pool ${k}=${v}; no pool node can match`);
      }
    }
    const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    const placedOnPool = Object.entries(pool.labels).every(([k, v]) => selector[k] === v);
    for (const taint of pool.taints) {
      if (placedOnPool && !tolerations.some((t) => tolerates(t, taint))) {
        fail(`${pod.path}.tolerations: the pod selects the pool (${Object.entries(pool.labels).map(([k, v]) => `${k}=${v}`).join(', ')}) but does not tolerate its taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect ?? 'NoSchedule'}; it stays Pending`);
      }
    }
  }
  // GPUs per pod against GPUs per node, when the pod pins the node's GPU count.
  const gpus = (Array.isArray(spec.containers) ? spec.containers : []).reduce((a: number, c: any) => {
    const q = c?.resources?.limits?.['nvidia.com/gpu'] ?? c?.resources?.requests?.['nvidia.com/gpu'];
    return a + (typeof q === 'number' ? q : Number(q ?? 0) || 0);
  }, 0);
  if (gpus > 0) {
    const perNode: number[] = [];
    if (selector[GPU_COUNT_LABEL] !== undefined) perNode.push(Number(selector[GPU_COUNT_LABEL]));
    for (const t of terms) {
      for (const e of t.matchExpressions ?? []) {
        if (e.key === GPU_COUNT_LABEL && e.operator === 'In') perNode.push(Math.max(...(e.values ?? []).map(Number)));
      }
    }
    const most = perNode.filter((n) => Number.isFinite(n));
    if (most.length > 0 && gpus > Math.min(...most)) {
      fail(`${pod.path}: ${gpus} GPUs per pod, but the nodes it selects have ${Math.min(...most)} (${GPU_COUNT_LABEL}); it can never be scheduled`);
    }
  }
}

export function checkScheduling(manifests: any[]): Violation[] {
  const out: Violation[] = [];
  const pools = new Map<string, Pool | undefined>();
  for (const m of manifests) if (m.kind === 'Namespace' && m.apiVersion === 'v1') pools.set(m.metadata?.name, poolOf(m));
  for (const m of manifests) {
    if (m.kind === 'Namespace') continue;
    const pool = pools.get(m.metadata?.namespace ?? 'default');
    for (const pod of findPodSpecs(m)) {
      checkPod(pod, pool, (message) => out.push({ rule: 'scheduling', object: objectId(m), message }));
    }
  }
  return out;
}
