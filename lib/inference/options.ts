import { Duration } from 'cdk8s';
import { k8s } from '../core/k8s';
import { Storage } from '../core/quantity';

/** Options of a shared model cache PVC. */
export interface SharedModelCacheOptions {
  /** The PVC size. */
  readonly size: Storage;
  /**
   * StorageClass; it must support the access mode.
   * @default - the cluster default
   */
  readonly storageClassName?: string;
  /**
   * Use ReadWriteOnce instead of ReadWriteMany (only pods on one node can share it then).
   * @default false
   */
  readonly readWriteOnce?: boolean;
  /**
   * The PVC name.
   * @default - `<name>-model-cache`
   */
  readonly claimName?: string;
  /**
   * Mount path; HF_HOME points here.
   * @default '/models'
   */
  readonly mountPath?: string;
}

/** Options of a per-replica model cache (StatefulSet volumeClaimTemplates). */
export interface PerReplicaModelCacheOptions {
  /** The size of each replica's PVC. */
  readonly size: Storage;
  /**
   * StorageClass.
   * @default - the cluster default
   */
  readonly storageClassName?: string;
  /**
   * Mount path; HF_HOME points here.
   * @default '/models'
   */
  readonly mountPath?: string;
}

/** Options of an existing claim used as model cache. */
export interface ExistingModelCacheOptions {
  /**
   * Mount path; HF_HOME points here.
   * @default '/models'
   */
  readonly mountPath?: string;
  /**
   * Mount read-only (pre-filled cache).
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Where downloaded model weights persist across restarts. */
export class ModelCache {
  /** One PVC (ReadWriteMany by default) shared by every replica, created by the construct. */
  public static sharedClaim(options: SharedModelCacheOptions): ModelCache {
    return new ModelCache('shared', options, undefined, undefined, undefined);
  }

  /** One PVC per replica through StatefulSet volumeClaimTemplates (switches the workload to a StatefulSet). */
  public static perReplica(options: PerReplicaModelCacheOptions): ModelCache {
    return new ModelCache('perReplica', undefined, options, undefined, undefined);
  }

  /** A PVC that already exists (or that another construct creates). */
  public static existingClaim(claimName: string, options: ExistingModelCacheOptions = {}): ModelCache {
    return new ModelCache('existing', undefined, undefined, claimName, options);
  }

  private constructor(
    /** `shared`, `perReplica` or `existing`. */
    public readonly kind: string,
    public readonly sharedOptions: SharedModelCacheOptions | undefined,
    public readonly perReplicaOptions: PerReplicaModelCacheOptions | undefined,
    public readonly existingClaimName: string | undefined,
    public readonly existingOptions: ExistingModelCacheOptions | undefined,
  ) {}
}

/** The workload kind that runs single-node replicas. */
export class ServingWorkloadKind {
  /** apps/v1 Deployment (the default). */
  public static readonly DEPLOYMENT = new ServingWorkloadKind('Deployment');
  /** apps/v1 StatefulSet with a headless Service; required by a per-replica cache. */
  public static readonly STATEFUL_SET = new ServingWorkloadKind('StatefulSet');
  private constructor(public readonly value: string) {}
}

/** Options of a rolling update. */
export interface RollingUpdateBudget {
  /**
   * Extra pods during an update. Each needs free GPUs; with a full GPU pool a surge pod stays Pending.
   * @default 0
   */
  readonly maxSurge?: number;
  /**
   * Pods that may be down during an update.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/** How a Deployment replaces pods. */
export class RolloutStrategy {
  /** Rolling update; the default budget (surge 0, unavailable 1) needs no spare GPUs. */
  public static rollingUpdate(budget: RollingUpdateBudget = {}): RolloutStrategy {
    return new RolloutStrategy('RollingUpdate', budget.maxSurge ?? 0, budget.maxUnavailable ?? 1);
  }

  /** Stop every old pod, then start the new ones (downtime, no spare GPUs). */
  public static recreate(): RolloutStrategy {
    return new RolloutStrategy('Recreate', 0, 0);
  }

  private constructor(
    /** `RollingUpdate` or `Recreate`. */
    public readonly type: string,
    public readonly maxSurge: number,
    public readonly maxUnavailable: number,
  ) {}
}

/** Pod anti-affinity between replicas (on node hostname). */
export class AntiAffinity {
  /** No anti-affinity; topology spread still prefers distinct nodes and zones. */
  public static readonly NONE = new AntiAffinity('none');
  /** Preferred: replicas avoid sharing a node when possible. */
  public static readonly SOFT = new AntiAffinity('soft');
  /** Required: at most one replica per node (more replicas than nodes stay Pending). */
  public static readonly HARD = new AntiAffinity('hard');
  private constructor(public readonly value: string) {}
}

/** A client allowed to call the serving port (NetworkPolicy ingress peer). */
export class ClientPeer {
  /** Pods with these labels in the service's namespace (a router, a gateway). */
  public static pods(labels: { [key: string]: string }): ClientPeer {
    return new ClientPeer({ podSelector: { matchLabels: { ...labels } } }, `pods ${JSON.stringify(labels)}`);
  }

  /** Every pod in a namespace (a gateway namespace). */
  public static namespace(name: string): ClientPeer {
    return new ClientPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }, `namespace ${name}`);
  }

  /** Pods with these labels in another namespace. */
  public static podsInNamespace(namespace: string, labels: { [key: string]: string }): ClientPeer {
    return new ClientPeer({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: { matchLabels: { ...labels } },
    }, `pods ${JSON.stringify(labels)} in namespace ${namespace}`);
  }

  private constructor(
    /** The NetworkPolicy peer. */
    public readonly peer: k8s.NetworkPolicyPeer,
    /** A description for messages. */
    public readonly description: string,
  ) {}
}

/** Options of a ServiceMonitor or PodMonitor. */
export interface MonitorOptions {
  /**
   * Scrape interval.
   * @default Duration.seconds(15)
   */
  readonly interval?: Duration;
  /**
   * Labels on the monitor object, so the Prometheus CR's selector picks it (for example `release: prometheus`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** A Prometheus Operator scrape object for the engine's metrics. */
export class MetricsMonitor {
  /** A ServiceMonitor on the Service's `metrics` port. */
  public static serviceMonitor(options: MonitorOptions = {}): MetricsMonitor {
    return new MetricsMonitor('ServiceMonitor', options);
  }

  /**
   * A PodMonitor on the pods' metrics port. For a multi-node service it selects the leaders, which serve
   * the API and its metrics (workers expose no port).
   */
  public static podMonitor(options: MonitorOptions = {}): MetricsMonitor {
    return new MetricsMonitor('PodMonitor', options);
  }

  private constructor(public readonly kind: string, public readonly options: MonitorOptions) {}
}
