import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as pm from '../../imports/podmonitor-monitoring.coreos.com';
import * as sm from '../../imports/servicemonitor-monitoring.coreos.com';
import { fail, requireInteger } from '../core/errors';
import { bool, checkArg, dnsLabel, dnsSubdomain, instance, object, opt, Shape, shape, str, stringMap } from '../core/validate';
import { k8s } from '../core/k8s';
import { requireDnsSubdomain, requireLabels } from '../core/names';
import { Storage } from '../core/quantity';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { addWarning } from '../serving/image';
import type { ModelCacheMount } from '../serving/model-server-pod';

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

/**
 * What a model cache needs from the service it is bound to.
 * @internal
 */
export interface ModelCacheContext {
  /** The service: scope of the claim it creates and of messages. */
  readonly scope: Construct;
  /** Metadata of an object of the service, by name. */
  meta(name: string): k8s.ObjectMeta;
  /** The claim name when none is given (`<name>-model-cache`). */
  defaultClaimName(): string;
  /** Pods that may mount a shared claim at once (max replicas x nodes per replica). */
  readonly pods: number;
  /** Labels of the per-replica claims. */
  readonly labels: { [key: string]: string };
}

/**
 * What a bound model cache gives the service.
 * @internal
 */
export interface BoundModelCache {
  /** The mount for the model server. */
  readonly mount: ModelCacheMount;
  /** The shared claim, when the cache created one. */
  readonly claim?: k8s.KubePersistentVolumeClaim;
  /** The StatefulSet volumeClaimTemplates of a per-replica cache. */
  readonly volumeClaimTemplates?: k8s.KubePersistentVolumeClaimProps[];
}

// Checked in the factory: the options are only read when a construct binds the cache, too late to name them.
const SHARED_CACHE: Shape<SharedModelCacheOptions> = {
  size: instance(Storage), storageClassName: opt(str({ nonEmpty: true })), readWriteOnce: opt(bool),
  claimName: opt(dnsSubdomain()), mountPath: opt(str({ nonEmpty: true })),
};
const PER_REPLICA_CACHE: Shape<PerReplicaModelCacheOptions> = {
  size: instance(Storage), storageClassName: opt(str({ nonEmpty: true })), mountPath: opt(str({ nonEmpty: true })),
};

/** Where downloaded model weights persist across restarts. */
export class ModelCache {
  /** One PVC (ReadWriteMany by default) shared by every replica, created by the construct. */
  public static sharedClaim(options: SharedModelCacheOptions): ModelCache {
    checkArg('ModelCache.sharedClaim', 'options', options, shape<SharedModelCacheOptions>(SHARED_CACHE, { name: 'SharedModelCacheOptions', allowUnknown: true }));
    return new ModelCache(false, (ctx) => {
      const o = options;
      o.size.validate(ctx.scope, 'modelCache.size');
      const claimName = requireDnsSubdomain(ctx.scope, 'modelCache.claimName', o.claimName ?? ctx.defaultClaimName());
      if (o.readWriteOnce && ctx.pods > 1) {
        addWarning(ctx.scope, 'modelCache: a ReadWriteOnce claim shared by several pods only works while they run on one node');
      }
      const claim = new k8s.KubePersistentVolumeClaim(ctx.scope, 'ModelCache', {
        metadata: ctx.meta(claimName),
        spec: {
          accessModes: [o.readWriteOnce ? 'ReadWriteOnce' : 'ReadWriteMany'],
          storageClassName: o.storageClassName,
          resources: { requests: { storage: o.size.toK8s() } },
        },
      });
      // In its pods' wave, not before: a claim of a WaitForFirstConsumer class stays Pending (Argo CD health
      // Progressing, argo-cd v3.5.1 gitops-engine/pkg/health/health_pvc.go) until a pod uses it, and Argo CD
      // waits for a wave to be healthy before the next one (gitops-engine/pkg/sync/sync_context.go): a deadlock.
      setSyncWave(claim, SyncWave.WORKLOAD);
      return { mount: { claimName, mountPath: o.mountPath }, claim };
    });
  }

  /** One PVC per replica through StatefulSet volumeClaimTemplates (switches the workload to a StatefulSet). */
  public static perReplica(options: PerReplicaModelCacheOptions): ModelCache {
    checkArg('ModelCache.perReplica', 'options', options, shape<PerReplicaModelCacheOptions>(PER_REPLICA_CACHE, { name: 'PerReplicaModelCacheOptions', allowUnknown: true }));
    return new ModelCache(true, (ctx) => {
      options.size.validate(ctx.scope, 'modelCache.size');
      return {
        mount: { mountPath: options.mountPath },
        volumeClaimTemplates: [{
          metadata: { name: 'model-cache', labels: ctx.labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: options.storageClassName,
            resources: { requests: { storage: options.size.toK8s() } },
          },
        }],
      };
    });
  }

  /** A PVC that already exists (or that another construct creates). */
  public static existingClaim(claimName: string, options: ExistingModelCacheOptions = {}): ModelCache {
    checkArg('ModelCache.existingClaim', 'claimName', claimName, dnsSubdomain());
    checkArg('ModelCache.existingClaim', 'options', options, object('an object of ExistingModelCacheOptions'));
    return new ModelCache(false, () => ({ mount: { claimName, mountPath: options.mountPath, readOnly: options.readOnly } }));
  }

  private constructor(
    private readonly perReplicaClaims: boolean,
    private readonly binder: (ctx: ModelCacheContext) => BoundModelCache,
  ) {}

  /**
   * True for a per-replica cache, which needs a StatefulSet (volumeClaimTemplates).
   * @internal
   */
  public get _perReplica(): boolean {
    return this.perReplicaClaims;
  }

  /**
   * Validates the options and creates what the cache needs in the service (a shared claim).
   * @internal
   */
  public _bind(ctx: ModelCacheContext): BoundModelCache {
    return this.binder(ctx);
  }
}

/** The workload kind that runs single-node replicas. */
export class ServingWorkloadKind {
  /** apps/v1 Deployment (the default). */
  public static readonly DEPLOYMENT = new ServingWorkloadKind('Deployment');
  /** apps/v1 StatefulSet with a headless Service; required by a per-replica cache. */
  public static readonly STATEFUL_SET = new ServingWorkloadKind('StatefulSet');

  // The kind stays private: GpuInferenceService compares with the constants and renders it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The workload's `kind` (`Deployment` or `StatefulSet`).
   * @internal
   */
  public _render(): string {
    return this.value;
  }
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
    checkArg('RolloutStrategy.rollingUpdate', 'budget', budget, object('an object of RollingUpdateBudget'));
    return new RolloutStrategy('RollingUpdate', budget.maxSurge ?? 0, budget.maxUnavailable ?? 1);
  }

  /** Stop every old pod, then start the new ones (downtime, no spare GPUs). */
  public static recreate(): RolloutStrategy {
    return new RolloutStrategy('Recreate', 0, 0);
  }

  // Which strategy it is stays private (no `type` to switch on with budget fields that only apply to one of them).
  private constructor(
    private readonly type: 'RollingUpdate' | 'Recreate',
    private readonly maxSurge: number,
    private readonly maxUnavailable: number,
  ) {}

  /**
   * Checks the budget against `scope` and renders the Deployment's `strategy`; `surge` is the extra pods an
   * update may add (0 for Recreate), for the quota and scheduling checks.
   * @internal
   */
  public _bind(scope: IConstruct, prop: string): BoundRolloutStrategy {
    if (this.type === 'Recreate') return { strategy: { type: 'Recreate' }, surge: 0 };
    requireInteger(scope, `${prop}.maxSurge`, this.maxSurge, 0);
    requireInteger(scope, `${prop}.maxUnavailable`, this.maxUnavailable, 0);
    if (this.maxSurge === 0 && this.maxUnavailable === 0) {
      fail(scope, prop, { maxSurge: 0, maxUnavailable: 0 }, 'maxSurge or maxUnavailable above 0 (both 0 can never progress)');
    }
    return {
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(this.maxSurge), maxUnavailable: k8s.IntOrString.fromNumber(this.maxUnavailable) },
      },
      surge: this.maxSurge,
    };
  }

  /**
   * `RollingUpdate` or `Recreate`, for messages.
   * @internal
   */
  public get _name(): string {
    return this.type;
  }
}

/**
 * A RolloutStrategy checked and rendered for one Deployment.
 * @internal
 */
export interface BoundRolloutStrategy {
  readonly strategy: k8s.DeploymentStrategy;
  readonly surge: number;
}

/** Pod anti-affinity between replicas (on node hostname). */
export class AntiAffinity {
  /** No anti-affinity; topology spread still prefers distinct nodes and zones. */
  public static readonly NONE = new AntiAffinity('none');
  /** Preferred: replicas avoid sharing a node when possible. */
  public static readonly SOFT = new AntiAffinity('soft');
  /** Required: at most one replica per node (more replicas than nodes stay Pending). */
  public static readonly HARD = new AntiAffinity('hard');

  // Compared by identity; the name stays private.
  private constructor(private readonly value: string) {}

  /**
   * The name (`none`, `soft` or `hard`), for messages.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** A client allowed to call the serving port (NetworkPolicy ingress peer). */
export class ClientPeer {
  /** Pods with these labels in the service's namespace (a router, a gateway). */
  public static pods(labels: { [key: string]: string }): ClientPeer {
    checkArg('ClientPeer.pods', 'labels', labels, stringMap());
    return new ClientPeer({ podSelector: { matchLabels: { ...labels } } });
  }

  /** Every pod in a namespace (a gateway namespace). */
  public static namespace(name: string): ClientPeer {
    checkArg('ClientPeer.namespace', 'name', name, dnsLabel());
    return new ClientPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
  }

  /** Pods with these labels in another namespace. */
  public static podsInNamespace(namespace: string, labels: { [key: string]: string }): ClientPeer {
    checkArg('ClientPeer.podsInNamespace', 'namespace', namespace, dnsLabel());
    checkArg('ClientPeer.podsInNamespace', 'labels', labels, stringMap());
    return new ClientPeer({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: { matchLabels: { ...labels } },
    });
  }

  // The peer stays private: GpuInferenceService renders it into its ingress NetworkPolicy through `_render`.
  private constructor(private readonly peer: k8s.NetworkPolicyPeer) {}

  /**
   * The NetworkPolicy ingress peer (a copy).
   * @internal
   */
  public _render(): k8s.NetworkPolicyPeer {
    return JSON.parse(JSON.stringify(this.peer));
  }
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
    checkArg('MetricsMonitor.serviceMonitor', 'options', options, object('an object of MonitorOptions'));
    return new MetricsMonitor('ServiceMonitor', options);
  }

  /**
   * A PodMonitor on the pods' metrics port. For a multi-node service it selects the leaders, which serve
   * the API and its metrics (workers expose no port).
   */
  public static podMonitor(options: MonitorOptions = {}): MetricsMonitor {
    checkArg('MetricsMonitor.podMonitor', 'options', options, object('an object of MonitorOptions'));
    return new MetricsMonitor('PodMonitor', options);
  }

  private constructor(private readonly kind: string, private readonly options: MonitorOptions) {}

  /**
   * Creates the ServiceMonitor or PodMonitor in the service.
   * @internal
   */
  public _bind(ctx: MetricsMonitorContext): BoundMetricsMonitor {
    const o = this.options ?? {};
    requireLabels(ctx.scope, 'monitor.labels', o.labels);
    const interval = `${requireInteger(ctx.scope, 'monitor.interval', o.interval?.toSeconds() ?? 15, 1)}s`;
    const metadata = { name: ctx.name, namespace: ctx.namespace, labels: { ...ctx.labels, ...o.labels } };
    if (this.kind === 'ServiceMonitor') {
      const serviceMonitor = new sm.ServiceMonitor(ctx.scope, 'ServiceMonitor', {
        metadata,
        spec: {
          selector: { matchLabels: ctx.serviceSelector },
          namespaceSelector: { matchNames: [ctx.namespace] },
          endpoints: [{ port: 'metrics', path: ctx.metricsPath, interval }],
        },
      });
      setSyncWave(serviceMonitor, SyncWave.CONFIG);
      return { serviceMonitor };
    }
    const podMonitor = new pm.PodMonitor(ctx.scope, 'PodMonitor', {
      metadata,
      spec: {
        selector: { matchLabels: ctx.podSelector },
        namespaceSelector: { matchNames: [ctx.namespace] },
        podMetricsEndpoints: [{ port: ctx.metricsPortName, path: ctx.metricsPath, interval }],
      },
    });
    setSyncWave(podMonitor, SyncWave.CONFIG);
    return { podMonitor };
  }
}

/**
 * What a metrics monitor needs from the service it is bound to.
 * @internal
 */
export interface MetricsMonitorContext {
  readonly scope: Construct;
  readonly name: string;
  readonly namespace: string;
  /** Labels of the service's objects. */
  readonly labels: { [key: string]: string };
  /** Selects the service's Service objects (ServiceMonitor). */
  readonly serviceSelector: { [key: string]: string };
  /** Selects the pods that serve metrics (PodMonitor; the leaders of a multi-node service). */
  readonly podSelector: { [key: string]: string };
  readonly metricsPath: string;
  /** The container port name serving metrics. */
  readonly metricsPortName: string;
}

/**
 * What a bound metrics monitor created.
 * @internal
 */
export interface BoundMetricsMonitor {
  readonly serviceMonitor?: sm.ServiceMonitor;
  readonly podMonitor?: pm.PodMonitor;
}
