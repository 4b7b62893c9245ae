/**
 * One canonical order for everything the GitOps tree lists whose order carries no meaning (documents of a
 * folder, the `apps/` listing, ApplicationSet elements, ignoreDifferences): the output is then the same bytes
 * whatever order the constructs were added in, on every machine. Strings compare by UTF-16 code unit
 * (`compareStrings`), never with `localeCompare`, whose result depends on the machine's locale
 * (`LANG=da_DK.UTF-8` sorts "aa" after "z").
 */

/** Code-unit order of two strings (locale-independent). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * gitops-engine's kind order inside a sync wave (argo-cd v3.5.1, gitops-engine/pkg/sync/sync_tasks.go,
 * `kindOrder`, taken from Helm's kind_sorter): kinds not listed (custom resources) come after all of these.
 */
const KIND_ORDER: string[] = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList',
  'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController',
  'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress',
  'APIService',
];
const KIND_RANK = new Map<string, number>(KIND_ORDER.map((k, i) => [k, i - KIND_ORDER.length]));

/** The rank of a kind inside a wave, as Argo CD applies them (custom resources: 0, last). */
export function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? 0;
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** The sync wave of a manifest (0 without the annotation, as Argo CD reads it). */
export function manifestWave(m: any): number {
  const v = m?.metadata?.annotations?.[SYNC_WAVE];
  const n = v === undefined ? 0 : Number(v);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Orders manifests as Argo CD applies them (wave, then kind rank, then name; gitops-engine sync_tasks.go
 * `Less`), with kind, apiVersion and namespace as tie-breakers so the order is total.
 */
export function compareManifests(a: any, b: any): number {
  return (manifestWave(a) - manifestWave(b))
    || (kindRank(String(a?.kind)) - kindRank(String(b?.kind)))
    || compareStrings(String(a?.kind), String(b?.kind))
    || compareStrings(String(a?.metadata?.name ?? ''), String(b?.metadata?.name ?? ''))
    || compareStrings(String(a?.apiVersion), String(b?.apiVersion))
    || compareStrings(String(a?.metadata?.namespace ?? ''), String(b?.metadata?.namespace ?? ''));
}
