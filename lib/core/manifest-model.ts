/**
 * The manifest model the validator (lib/validation) and the Argo CD sync simulation (lib/gitops) share: pod specs
 * found anywhere in a manifest with the labels their pods get, label selectors, API groups. Plain functions over
 * JSON, no cdk8s: the validator loads it without the construct library, and it sits in the jsii build so
 * lib/gitops may import it (lib/validation is outside that build).
 */

/** Labels as a plain map. */
type Labels = { [key: string]: string };

/** The API group of an apiVersion: `''` for the core group (`v1`). */
export function groupOf(apiVersion: string): string {
  const i = typeof apiVersion === 'string' ? apiVersion.lastIndexOf('/') : -1;
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function isObject(v: unknown): v is { [key: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A pod spec found anywhere in a manifest, with the pod template metadata that sits next to it. */
export interface PodSpecRef {
  readonly manifest: any;
  /** Dotted path of the pod spec inside the manifest, for messages. */
  readonly path: string;
  readonly spec: any;
  /** Labels the pods get (the template's labels, plus labels a known controller adds). */
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
}

/** Pod specs already found per manifest, while `sharePodSpecs` runs (else none). */
let memo: WeakMap<object, readonly PodSpecRef[]> | undefined;

/**
 * Runs `fn` with `findPodSpecs` remembering each manifest's pod specs: every rule of the validator and the sync
 * simulation (both ways) look for them, and walking whole manifests again for each is most of their time. Only
 * for read-only passes over manifests that do not change meanwhile; nested calls share the outer memo.
 */
export function sharePodSpecs<T>(fn: () => T): T {
  if (memo !== undefined) return fn();
  memo = new WeakMap();
  try {
    return fn();
  } finally {
    memo = undefined;
  }
}

/**
 * Every pod spec in a manifest: any object with a `containers` array. This covers Pods, Deployments,
 * StatefulSets, Jobs, CronJobs and pod templates nested inside custom resources (LWS, RBG, Rollouts).
 * Inside `sharePodSpecs`, the same array for the same manifest (callers only read it).
 */
export function findPodSpecs(manifest: any): readonly PodSpecRef[] {
  const known = memo !== undefined && typeof manifest === 'object' && manifest !== null ? memo.get(manifest) : undefined;
  if (known !== undefined) return known;
  const found: PodSpecRef[] = [];
  const walk = (node: any, path: string, parent: any) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`, undefined));
      return;
    }
    if (!isObject(node)) return;
    if (Array.isArray(node.containers)) {
      // The pod metadata is the `metadata` next to the `spec` that holds the containers (a PodTemplateSpec or a Pod).
      const meta = isObject(parent?.metadata) ? parent.metadata : {};
      found.push({
        manifest,
        path: path || '.',
        spec: node,
        labels: { ...controllerLabels(manifest, path), ...(isObject(meta.labels) ? meta.labels : {}) },
        annotations: isObject(meta.annotations) ? meta.annotations : {},
      });
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      walk(value, path ? `${path}.${key}` : key, node);
    }
  };
  walk(manifest, '', undefined);
  if (memo !== undefined && typeof manifest === 'object' && manifest !== null) memo.set(manifest, found);
  return found;
}

/** Labels a known controller adds to the pods of a template (so Services may select on them). */
function controllerLabels(manifest: any, path: string): { [key: string]: string } {
  if (manifest?.kind === 'LeaderWorkerSet' && groupOf(manifest.apiVersion) === 'leaderworkerset.x-k8s.io') {
    const labels: { [key: string]: string } = { 'leaderworkerset.sigs.k8s.io/name': manifest.metadata?.name ?? '' };
    const hasLeader = isObject(manifest.spec?.leaderWorkerTemplate?.leaderTemplate);
    if (path.includes('leaderTemplate') || !hasLeader) labels['leaderworkerset.sigs.k8s.io/worker-index'] = '0';
    return labels;
  }
  // RoleBasedGroup roles carry `labels` for their pods (v0.5+), next to the role's pod template.
  const role = /^spec\.roles\[(\d+)\]/.exec(path);
  if (manifest?.kind === 'RoleBasedGroup' && role) {
    const labels = manifest.spec.roles[Number(role[1])]?.labels;
    return isObject(labels) ? { ...labels } : {};
  }
  return {};
}

/** Does a label selector (matchLabels / matchExpressions) select these labels? An empty selector selects all. */
export function selects(selector: any, labels: Labels): boolean {
  if (!isObject(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
