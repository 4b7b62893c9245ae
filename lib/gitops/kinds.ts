import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SyncWave } from '../core';
import { SYNC_WAVE_ANNOTATION } from '../core/sync-wave';
import { apiGroupOf } from './project';

/**
 * Kinds that are cluster-scoped (no `metadata.namespace`). Everything else is treated as namespaced, so a
 * missing namespace on an unknown kind is reported rather than silently landing in `default`.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'VolumeAttachment', 'CSIDriver', 'CSINode',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'PriorityClass',
  'RuntimeClass', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'CertificateSigningRequest',
  'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus', 'ClusterAnalysisTemplate', 'GatewayClass',
  'ClusterQueue', 'ResourceFlavor', 'VolumeSnapshotClass', 'ClusterIssuer',
]);

/** True when objects of `kind` live in a namespace. */
export function isNamespacedKind(kind: string): boolean {
  return !CLUSTER_SCOPED_KINDS.has(kind);
}

const WAVE_BY_KIND: { [kind: string]: number } = {
  Namespace: SyncWave.NAMESPACE,
  CustomResourceDefinition: SyncWave.NAMESPACE,
  PriorityClass: SyncWave.NAMESPACE,
  ResourceQuota: SyncWave.POLICY,
  LimitRange: SyncWave.POLICY,
  NetworkPolicy: SyncWave.POLICY,
  ServiceAccount: SyncWave.POLICY,
  Role: SyncWave.POLICY,
  RoleBinding: SyncWave.POLICY,
  ClusterRole: SyncWave.POLICY,
  ClusterRoleBinding: SyncWave.POLICY,
  AppProject: SyncWave.POLICY,
  ConfigMap: SyncWave.CONFIG,
  Secret: SyncWave.CONFIG,
  PersistentVolumeClaim: SyncWave.CONFIG,
  ServiceMonitor: SyncWave.CONFIG,
  PodMonitor: SyncWave.CONFIG,
  PrometheusRule: SyncWave.CONFIG,
  Rollout: SyncWave.ROLLOUT,
  AnalysisTemplate: SyncWave.ROLLOUT,
  ClusterAnalysisTemplate: SyncWave.ROLLOUT,
  HTTPRoute: SyncWave.ROLLOUT,
};

/**
 * The default sync wave of a kind: namespaces first, then platform policy, config, workloads (every kind not
 * listed) and progressive delivery.
 */
export function defaultSyncWave(kind: string): number {
  return WAVE_BY_KIND[kind] ?? SyncWave.WORKLOAD;
}

/**
 * Reads one annotation without resolving the whole metadata. ApiObjectMetadataDefinition keeps annotations in
 * a private map; reading it directly keeps the synth linear and cheap, with `toJson()` as the fallback.
 */
export function annotationOf(obj: ApiObject, key: string): string | undefined {
  const raw = (obj.metadata as unknown as { annotations?: { [k: string]: string } }).annotations;
  if (raw && typeof raw === 'object') return raw[key];
  return obj.metadata.toJson().annotations?.[key];
}

/** The sync wave an object has, or undefined. */
export function syncWaveOf(obj: ApiObject): number | undefined {
  const value = annotationOf(obj, SYNC_WAVE_ANNOTATION);
  return value === undefined ? undefined : Number(value);
}

/**
 * Gives every ApiObject under `scope` that has no sync wave the default wave of its kind
 * (`defaultSyncWave`). Objects that already carry a wave keep it.
 */
export function applyDefaultSyncWaves(scope: IConstruct): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof ApiObject && annotationOf(child, SYNC_WAVE_ANNOTATION) === undefined) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(defaultSyncWave(child.kind)));
    }
  }
}

/** What the platform knows about Kubernetes kinds: scope, default sync wave, API group. */
export class Kinds {
  /** True when objects of `kind` live in a namespace. */
  public static isNamespaced(kind: string): boolean {
    return isNamespacedKind(kind);
  }

  /** The sync wave a kind gets when its construct did not set one. */
  public static defaultSyncWave(kind: string): number {
    return defaultSyncWave(kind);
  }

  /** Sets the default sync wave (by kind) on every ApiObject under `scope` that has none. */
  public static applyDefaultSyncWaves(scope: IConstruct): void {
    applyDefaultSyncWaves(scope);
  }

  /** The sync wave set on an object, if any. */
  public static syncWaveOf(obj: ApiObject): number | undefined {
    return syncWaveOf(obj);
  }

  /** The API group of an apiVersion: `''` for the core group. */
  public static apiGroupOf(apiVersion: string): string {
    return apiGroupOf(apiVersion);
  }

  private constructor() {}
}
