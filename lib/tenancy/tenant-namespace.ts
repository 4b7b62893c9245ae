import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { addRule, fail, formatViolation, requireInteger, requirePort, Warnings } from '../core/errors';
import { GpuResource } from '../core/gpu';
import { k8s } from '../core/k8s';
import { Labels } from '../core/labels';
import { requireDnsLabel, requireDnsSubdomain, requireLabels, requireLabelValue, requireQualifiedName } from '../core/names';
import { Cpu, countQuantity, Memory, requireGpuCount, ResourceQuantity, Storage } from '../core/quantity';
import { PodSecurityLevel } from '../core/security';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkProps } from '../core/validate';
import { GpuQuotaEntry, ITenant, NodePlacement, TenantLimitsView, TenantQuotaView } from '../core/tenant';
import { tenantNamespaceShape } from './shapes';
import { cidrContains, cidrStrictlyContains, ParsedCidr, parseCidr, requireCidr } from './cidr';
import {
  podPolicy, PodPolicyInput, validatingAdmissionPolicy, validatingAdmissionPolicyBinding, VapMatchResources, VapNamedRuleWithOperations,
  VapValidation, VapVariable, volumePolicy,
} from './admission-policy';
import { TenantRole } from './roles';
import { NodeTaintEffect } from './taint-effect';
import { TenantSubject } from './subject';

/** Cloud metadata endpoints that tenant pods must never reach (AWS/GCP/Azure/OpenStack, Alibaba). */
export const METADATA_CIDRS_V4: readonly string[] = Object.freeze(['169.254.169.254/32', '100.100.100.200/32']);
/** The AWS IMDS IPv6 endpoint. */
export const METADATA_CIDRS_V6: readonly string[] = Object.freeze(['fd00:ec2::254/128']);
/**
 * Link-local ranges, always excluded from internet egress: besides the metadata endpoint they hold other
 * node-local credential and agent endpoints (EKS Pod Identity 169.254.170.23, ECS 169.254.170.2, NodeLocal
 * DNSCache 169.254.20.10), none of which is "the internet". NodeLocal DNS stays reachable on port 53 through
 * `allow-dns` when `network.dns.nodeLocalAddress` is set (NetworkPolicies add up).
 */
export const LINK_LOCAL_CIDRS_V4: readonly string[] = Object.freeze(['169.254.0.0/16']);
/** IPv6 link-local unicast (RFC 4291). */
export const LINK_LOCAL_CIDRS_V6: readonly string[] = Object.freeze(['fe80::/10']);
/** RFC 1918 ranges, excluded from internet egress unless allowed. */
export const PRIVATE_CIDRS_V4: readonly string[] = Object.freeze(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
/** IPv6 unique local addresses, excluded from internet egress with the RFC 1918 ranges. */
export const PRIVATE_CIDRS_V6: readonly string[] = Object.freeze(['fc00::/7']);

/** The Pod Security Admission version the namespace labels pin by default (the cluster minor we target). */
export const DEFAULT_POD_SECURITY_VERSION = 'v1.27';

const PSA_PREFIX = 'pod-security.kubernetes.io/';
const NODE_SELECTOR_ANNOTATION = 'scheduler.alpha.kubernetes.io/node-selector';
const DEFAULT_TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Pod Security Admission labels for the namespace. */
export interface TenantPodSecurity {
  /**
   * The level pods are rejected below.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly enforce?: PodSecurityLevel;
  /**
   * The level violations are recorded in the audit log for.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly audit?: PodSecurityLevel;
  /**
   * The level violations are returned to the client as warnings for.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly warn?: PodSecurityLevel;
  /**
   * The Pod Security Standards version for all three modes: `latest` or `v1.<minor>`. Pinning keeps a cluster
   * upgrade from tightening the rules under running tenants.
   * @default 'v1.27'
   */
  readonly version?: string;
}

/** A GPU line of the tenant's ResourceQuota. */
export interface TenantGpuQuota {
  /** The GPU resource, for example `GpuResource.NVIDIA_GPU` or `GpuResource.mig('1g.10gb')`. */
  readonly resource: GpuResource;
  /** How many the tenant may request in total (a whole number, 0 or more). */
  readonly count: number;
  /**
   * The most one container may request (LimitRange `max`), at most `count`. Containers that ask for none get 0
   * by default.
   * @default - no per-container maximum
   */
  readonly maxPerContainer?: number;
}

/** A per-StorageClass storage quota. */
export interface TenantStorageClassQuota {
  /** The StorageClass name. */
  readonly storageClassName: string;
  /**
   * Total storage the tenant's PVCs of this class may request.
   * @default - no limit for this class beyond the total
   */
  readonly storageRequests?: Storage;
  /**
   * How many PVCs of this class the tenant may have.
   * @default - no limit for this class beyond the total
   */
  readonly persistentVolumeClaims?: number;
}

/** The tenant's ResourceQuota. */
export interface TenantQuota {
  /**
   * Total CPU requests of the namespace (`requests.cpu`).
   * @default - no CPU requests quota
   */
  readonly cpuRequests?: Cpu;
  /**
   * Total CPU limits of the namespace (`limits.cpu`).
   * @default - no CPU limits quota
   */
  readonly cpuLimits?: Cpu;
  /**
   * Total memory requests of the namespace (`requests.memory`).
   * @default - no memory requests quota
   */
  readonly memoryRequests?: Memory;
  /**
   * Total memory limits of the namespace (`limits.memory`).
   * @default - no memory limits quota
   */
  readonly memoryLimits?: Memory;
  /**
   * GPU quotas, one line per resource (`requests.<resource>`; extended resources have no `limits.` quota).
   * @default - `requests.nvidia.com/gpu: 0`: no GPUs
   */
  readonly gpus?: TenantGpuQuota[];
  /**
   * Number of pods (`pods`).
   * @default - no limit on the number of pods
   */
  readonly pods?: number;
  /**
   * Number of Services (`services`).
   * @default - no limit on the number of Services
   */
  readonly services?: number;
  /**
   * Number of Secrets (`secrets`).
   * @default - no limit on the number of Secrets
   */
  readonly secrets?: number;
  /**
   * Number of ConfigMaps (`configmaps`).
   * @default - no limit on the number of ConfigMaps
   */
  readonly configMaps?: number;
  /**
   * Number of PVCs (`persistentvolumeclaims`).
   * @default - no limit on the number of PVCs
   */
  readonly persistentVolumeClaims?: number;
  /**
   * Total storage all PVCs may request (`requests.storage`).
   * @default - no total storage quota
   */
  readonly storageRequests?: Storage;
  /**
   * Per-StorageClass storage and PVC count quotas (`<class>.storageclass.storage.k8s.io/requests.storage` and
   * `.../persistentvolumeclaims`).
   * @default - none
   */
  readonly storageClasses?: TenantStorageClassQuota[];
  /**
   * How many NodePort Services the tenant may create (`services.nodeports`). NodePorts open a port on every node.
   * @default 0
   */
  readonly nodePortServices?: number;
  /**
   * How many LoadBalancer Services the tenant may create (`services.loadbalancers`). Each one is a cloud load
   * balancer.
   * @default 0
   */
  readonly loadBalancerServices?: number;
}

/** Per-container LimitRange settings. */
export interface TenantContainerLimits {
  /**
   * CPU limit for containers that set none (LimitRange `default`).
   * @default - 1 core, lowered to the smallest of maxCpu, the pod maximum and the cpuLimits quota, raised to minCpu
   */
  readonly defaultCpuLimit?: Cpu;
  /**
   * CPU request for containers that set none (LimitRange `defaultRequest`).
   * @default - 100m, lowered to the default limit and the cpuRequests quota, raised to minCpu
   */
  readonly defaultCpuRequest?: Cpu;
  /**
   * Memory limit for containers that set none (LimitRange `default`).
   * @default - 512Mi, lowered to the smallest of maxMemory, the pod maximum and the memoryLimits quota, raised to
   * minMemory
   */
  readonly defaultMemoryLimit?: Memory;
  /**
   * Memory request for containers that set none (LimitRange `defaultRequest`).
   * @default - 128Mi, lowered to the default limit and the memoryRequests quota, raised to minMemory
   */
  readonly defaultMemoryRequest?: Memory;
  /**
   * Minimum CPU of a container (LimitRange `min.cpu`).
   * @default - no minimum
   */
  readonly minCpu?: Cpu;
  /**
   * Maximum CPU of a container (LimitRange `max.cpu`); a container without a CPU limit is then rejected, so a default limit is emitted.
   * @default - no maximum
   */
  readonly maxCpu?: Cpu;
  /**
   * Minimum memory of a container (LimitRange `min.memory`).
   * @default - no minimum
   */
  readonly minMemory?: Memory;
  /**
   * Maximum memory of a container (LimitRange `max.memory`); a default limit is emitted with it.
   * @default - no maximum
   */
  readonly maxMemory?: Memory;
}

/** Per-pod LimitRange settings (sum over the pod's containers). */
export interface TenantPodLimits {
  /**
   * Maximum CPU of a pod, summed over its containers (LimitRange `type: Pod`, `max.cpu`).
   * @default - no per-pod maximum
   */
  readonly maxCpu?: Cpu;
  /**
   * Maximum memory of a pod, summed over its containers (LimitRange `type: Pod`, `max.memory`).
   * @default - no per-pod maximum
   */
  readonly maxMemory?: Memory;
}

/** Per-PVC LimitRange settings. */
export interface TenantPvcLimits {
  /**
   * Smallest PVC the tenant may request (LimitRange `type: PersistentVolumeClaim`, `min.storage`).
   * @default - no minimum PVC size
   */
  readonly minStorage?: Storage;
  /**
   * Largest PVC the tenant may request (LimitRange `type: PersistentVolumeClaim`, `max.storage`).
   * @default - no maximum PVC size
   */
  readonly maxStorage?: Storage;
}

/** The cluster DNS the tenant's pods may query. */
export interface TenantDns {
  /**
   * The namespace of the cluster DNS pods.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * The labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The NodeLocal DNSCache address (an IP or CIDR), for example `169.254.20.10`. It runs on the host
   * network, so selectors never match it; it needs an ipBlock.
   * @default - no NodeLocal DNSCache
   */
  readonly nodeLocalAddress?: string;
}

/** Ingress from pods of another namespace. */
export interface TenantIngressSource {
  /** The source namespace (matched on `kubernetes.io/metadata.name`). */
  readonly namespace: string;
  /** The TCP ports of the tenant's pods the source may reach. */
  readonly ports: number[];
  /**
   * Only pods with these labels in the source namespace.
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };
}

/** Egress to pods of another namespace. */
export interface TenantEgressNamespace {
  /** The target namespace (matched on `kubernetes.io/metadata.name`). */
  readonly namespace: string;
  /**
   * The TCP ports allowed.
   * @default - all ports
   */
  readonly ports?: number[];
  /**
   * Only pods with these labels in the target namespace.
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };
}

/** Egress to an address range. */
export interface TenantEgressCidr {
  /** The range, for example `10.20.0.0/16` or `2001:db8::/32`. Metadata addresses inside it stay blocked. */
  readonly cidr: string;
  /**
   * Ranges inside `cidr` to leave out.
   * @default - none besides metadata addresses
   */
  readonly except?: string[];
  /**
   * The TCP ports allowed.
   * @default - all ports
   */
  readonly ports?: number[];
}

/** Egress to the internet. */
export interface TenantInternetEgress {
  /**
   * Also allow the private ranges (10/8, 172.16/12, 192.168/16, fc00::/7). Cloud metadata addresses stay
   * blocked either way.
   * @default false
   */
  readonly allowPrivateRanges?: boolean;
  /**
   * More ranges to block, for example EKS Pod Identity `169.254.170.23/32`.
   * @default - none
   */
  readonly blockedCidrs?: string[];
  /**
   * The TCP ports allowed, for example `[443]`.
   * @default - all ports
   */
  readonly ports?: number[];
}

/** The tenant's NetworkPolicies besides the fixed default-deny and DNS policies. */
export interface TenantNetwork {
  /**
   * Allow traffic between pods of the namespace (`allow-same-namespace`: ingress from and egress to every pod
   * of the namespace).
   * @default true
   */
  readonly allowSameNamespace?: boolean;
  /**
   * The cluster DNS (`allow-dns`: UDP and TCP 53 to one peer with both `namespaceSelector` and `podSelector`,
   * AND rather than OR).
   * @default - kube-dns in kube-system, no NodeLocal DNSCache
   */
  readonly dns?: TenantDns;
  /**
   * Namespaces that may reach the tenant's pods (`allow-ingress-from-<namespace>`), for example the ingress
   * controller or Prometheus.
   * @default - none
   */
  readonly ingressFrom?: TenantIngressSource[];
  /**
   * Egress to the internet (`allow-internet-egress`).
   * @default - no internet egress
   */
  readonly internetEgress?: TenantInternetEgress;
  /**
   * Egress to other namespaces (`allow-egress-to-<namespace>`).
   * @default - none
   */
  readonly egressToNamespaces?: TenantEgressNamespace[];
  /**
   * Egress to address ranges (`allow-egress-to-cidrs`).
   * @default - none
   */
  readonly egressToCidrs?: TenantEgressCidr[];
}

/** A node label. */
export interface TenantNodeLabel {
  /** The label key, a qualified name such as `gpu-platform.dev/pool`. */
  readonly key: string;
  /** The label value, such as `gpu-a100`. */
  readonly value: string;
}

/** A node taint. */
export interface TenantTaint {
  /** The taint key, a qualified name such as `nvidia.com/gpu`. */
  readonly key: string;
  /**
   * The taint value.
   * @default - no value (tolerated with `operator: Exists`)
   */
  readonly value?: string;
  /**
   * The taint effect.
   * @default NodeTaintEffect.NO_SCHEDULE
   */
  readonly effect?: NodeTaintEffect;
}

/** A dedicated node pool for the tenant. */
export interface TenantNodePool {
  /** The label that marks the pool's nodes, for example `pool=gpu-a100`. */
  readonly nodeLabel: TenantNodeLabel;
  /**
   * The taint that keeps other pods off the pool, for example `nvidia.com/gpu=present:NoSchedule`.
   * @default - the pool is not tainted
   */
  readonly taint?: TenantTaint;
  /**
   * Soft isolation: prefer the pool (preferred node affinity, weight 100) instead of requiring it. The
   * `node-selector` namespace annotation is then not written.
   * @default false
   */
  readonly soft?: boolean;
}

/**
 * Per-tenant admission policies: a ValidatingAdmissionPolicy and Binding per concern
 * (`admissionregistration.k8s.io/v1`, Kubernetes 1.30 and later). They close what RBAC cannot: a pod
 * template mounting any Secret or running as any ServiceAccount of the namespace.
 */
export interface TenantAdmissionPolicies {
  /**
   * Secrets the tenant's pods may use (secret and projected volumes, `env.valueFrom.secretKeyRef`,
   * `envFrom.secretRef`). Every other Secret of the namespace is out of reach of a pod template.
   * @default - none: pods may use no Secret
   */
  readonly allowedSecrets?: string[];
  /**
   * ServiceAccounts the tenant's pods may run as.
   * @default ['default']
   */
  readonly allowedServiceAccounts?: string[];
  /**
   * Image prefixes pods may pull from, each ending in "/" (`registry.example.com/`, `docker.io/vllm/`).
   * Compared with the image reference as written in the pod, so list short Docker Hub forms too if used.
   * @default - any registry
   */
  readonly allowedRegistries?: string[];
  /**
   * Most GPUs one pod may use, per GPU resource (`nvidia.com/gpu` and each resource of the quota).
   * @default - no per-pod ceiling beyond the quota
   */
  readonly maxGpusPerPod?: number;
  /**
   * With a hard `nodePool`: taint keys pods may tolerate besides the pool's taint, `nvidia.com/gpu` and
   * `node.kubernetes.io/*`.
   * @default - none
   */
  readonly allowedTolerationKeys?: string[];
}

/** Props of TenantNamespace. */
export interface TenantNamespaceProps {
  /** The namespace name, used exactly as given (a DNS-1123 label of at most 63 characters, not `default` or `kube-*`). */
  readonly name: string;
  /**
   * The tenant name (value of the `gpu-platform.dev/tenant` label).
   * @default - same as `name`
   */
  readonly tenantName?: string;
  /**
   * Extra namespace labels. Keys the construct manages (`pod-security.kubernetes.io/*`, the tenant label) are
   * rejected.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra namespace annotations. The scheduler annotations are rejected when `nodePool` writes them.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Pod Security Admission levels and version.
   * @default - enforce, audit and warn `restricted`, version `v1.27`
   */
  readonly podSecurity?: TenantPodSecurity;
  /**
   * The ResourceQuota.
   * @default - only `services.nodeports: 0`, `services.loadbalancers: 0`, `requests.nvidia.com/gpu: 0`
   */
  readonly quota?: TenantQuota;
  /**
   * Per-container LimitRange. Defaults are always emitted for CPU and memory when a quota or a bound on them is set.
   * @default - derived from the quota
   */
  readonly containerLimits?: TenantContainerLimits;
  /**
   * Per-pod LimitRange.
   * @default - none
   */
  readonly podLimits?: TenantPodLimits;
  /**
   * Per-PVC LimitRange.
   * @default - none
   */
  readonly pvcLimits?: TenantPvcLimits;
  /**
   * NetworkPolicies.
   * @default - default deny, same-namespace traffic and DNS only
   */
  readonly network?: TenantNetwork;
  /**
   * Subjects bound to `tenant-admin`.
   * @default - none (no binding)
   */
  readonly admins?: TenantSubject[];
  /**
   * Subjects bound to `tenant-developer`.
   * @default - none (no binding)
   */
  readonly developers?: TenantSubject[];
  /**
   * Subjects bound to `tenant-viewer`.
   * @default - none (no binding)
   */
  readonly viewers?: TenantSubject[];
  /**
   * A dedicated node pool.
   * @default - no node-pool isolation
   */
  readonly nodePool?: TenantNodePool;
  /**
   * Admission policies for the tenant's pods and PVCs (ValidatingAdmissionPolicy, Kubernetes 1.30+).
   * @default - none (the typed API targets 1.27, where the v1 kinds do not exist)
   */
  readonly admissionPolicies?: TenantAdmissionPolicies;
}

const CPU_DEFAULT_LIMIT = Cpu.cores(1);
const CPU_DEFAULT_REQUEST = Cpu.millis(100);
const MEMORY_DEFAULT_LIMIT = Memory.mebibytes(512);
const MEMORY_DEFAULT_REQUEST = Memory.mebibytes(128);

/** A quantity and the prop it came from, for error messages. */
interface Bound<Q extends ResourceQuantity> {
  readonly q: Q;
  readonly prop: string;
}

function smallest<Q extends ResourceQuantity>(bounds: Array<Bound<Q> | undefined>): Bound<Q> | undefined {
  return bounds.filter((b): b is Bound<Q> => b !== undefined).reduce<Bound<Q> | undefined>((a, b) => (a === undefined || b.q.amount < a.q.amount ? b : a), undefined);
}

function bound<Q extends ResourceQuantity>(q: Q | undefined, prop: string): Bound<Q> | undefined {
  return q === undefined ? undefined : { q, prop };
}

/**
 * A tenant's namespace and its guardrails: Pod Security labels, ResourceQuota, LimitRange, default-deny
 * NetworkPolicies, RBAC roles and bindings, a tokenless default ServiceAccount and optional node-pool
 * isolation. Workload constructs take it as `tenant` to land in its namespace and pool and to check its quota.
 */
export class TenantNamespace extends Construct implements ITenant {
  /** Cloud metadata endpoints (IPv4) tenants never reach. */
  public static readonly METADATA_CIDRS_V4: string[] = [...METADATA_CIDRS_V4];
  /** Cloud metadata endpoints (IPv6) tenants never reach. */
  public static readonly METADATA_CIDRS_V6: string[] = [...METADATA_CIDRS_V6];
  /** Link-local IPv4 range, never reachable through internet egress. */
  public static readonly LINK_LOCAL_CIDRS_V4: string[] = [...LINK_LOCAL_CIDRS_V4];
  /** Link-local IPv6 range, never reachable through internet egress. */
  public static readonly LINK_LOCAL_CIDRS_V6: string[] = [...LINK_LOCAL_CIDRS_V6];
  /** Private IPv4 ranges. */
  public static readonly PRIVATE_CIDRS_V4: string[] = [...PRIVATE_CIDRS_V4];
  /** Private IPv6 ranges. */
  public static readonly PRIVATE_CIDRS_V6: string[] = [...PRIVATE_CIDRS_V6];
  /** The Pod Security Standards version the namespace labels pin by default. */
  public static readonly DEFAULT_POD_SECURITY_VERSION = DEFAULT_POD_SECURITY_VERSION;

  public readonly tenantName: string;
  public readonly namespaceName: string;
  public readonly placement: NodePlacement;
  public readonly quota: TenantQuotaView;
  /** The enforced Pod Security level. */
  public readonly podSecurityLevel: PodSecurityLevel;
  public readonly namespace: k8s.KubeNamespace;
  public readonly resourceQuota: k8s.KubeResourceQuota;
  /** The LimitRange, when there is anything to limit or default. */
  public readonly limitRange?: k8s.KubeLimitRange;
  /** What the LimitRange defaults and enforces (workloads check their pods against it at synth). */
  public readonly limits?: TenantLimitsView;
  public readonly networkPolicies: k8s.KubeNetworkPolicy[] = [];
  /** tenant-admin, tenant-developer, tenant-viewer. */
  public readonly roles: k8s.KubeRole[] = [];
  /** One RoleBinding per role that has subjects. */
  public readonly bindings: k8s.KubeRoleBinding[] = [];
  /** The `default` ServiceAccount, with token automount off. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The ValidatingAdmissionPolicies and their Bindings, with `admissionPolicies` (cluster-scoped). */
  public readonly admissionObjects: ApiObject[] = [];

  private readonly objectLabels: { [key: string]: string };

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    checkProps(this, props, tenantNamespaceShape(), { name: 'TenantNamespaceProps' });
    this.namespaceName = requireDnsLabel(this, 'name', props.name);
    if (RESERVED_NAMESPACES.includes(props.name) || props.name.startsWith('kube-')) {
      fail(this, 'name', props.name, 'a namespace of your own, not "default" or a "kube-" namespace');
    }
    this.tenantName = requireLabelValue(this, 'tenantName', props.tenantName ?? props.name);
    if (this.tenantName === '') fail(this, 'tenantName', this.tenantName, 'a non-empty label value');
    this.objectLabels = { [Labels.MANAGED_BY]: Labels.MANAGED_BY_VALUE, [Labels.TENANT]: this.tenantName };

    const pool = this.resolveNodePool(props.nodePool);
    this.placement = pool.placement;
    this.podSecurityLevel = this.resolveLevel('podSecurity.enforce', props.podSecurity?.enforce);
    this.namespace = this.createNamespace(props, pool.annotations);

    const gpus = this.validateGpus(props.quota?.gpus ?? []);
    this.quota = this.quotaView(props.quota ?? {}, gpus);
    this.resourceQuota = this.createResourceQuota(props.quota ?? {}, gpus);
    const limits: { view: TenantLimitsView } = { view: {} };
    this.limitRange = this.createLimitRange(props, gpus, limits);
    this.limits = limits.view;
    this.createNetworkPolicies(props.network ?? {});
    this.createRbac(props);
    if (props.admissionPolicies !== undefined) this.createAdmissionPolicies(props.admissionPolicies, props.nodePool, gpus);

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'DefaultServiceAccount', {
      metadata: this.meta('default'),
      // Pods that need the API get their own account; the default one carries no token.
      automountServiceAccountToken: false,
    });

    setSyncWave(this.namespace, SyncWave.NAMESPACE);
    for (const child of this.node.findAll()) {
      if (child instanceof ApiObject && child !== this.namespace) setSyncWave(child, SyncWave.POLICY);
    }
  }

  private meta(name: string): k8s.ObjectMeta {
    return { name, namespace: this.namespaceName, labels: { ...this.objectLabels } };
  }

  // ---------------------------------------------------------------- namespace, Pod Security, node pool

  private resolveLevel(prop: string, level: PodSecurityLevel | undefined): PodSecurityLevel {
    if (level === undefined) return PodSecurityLevel.RESTRICTED;
    if (level instanceof PodSecurityLevel) return level;
    // A plain string from untyped (JS or config) callers: accept the three names, reject anything else.
    return PodSecurityLevel.of(this, prop, typeof level === 'string' ? level : JSON.stringify(level));
  }

  private createNamespace(props: TenantNamespaceProps, poolAnnotations: { [key: string]: string }): k8s.KubeNamespace {
    requireLabels(this, 'labels', props.labels);
    for (const key of Object.keys(props.annotations ?? {})) requireQualifiedName(this, 'annotations key', key);
    const version = props.podSecurity?.version ?? DEFAULT_POD_SECURITY_VERSION;
    if (typeof version !== 'string' || !/^(latest|v1\.(0|[1-9][0-9]*))$/.test(version)) {
      fail(this, 'podSecurity.version', version, '"latest" or a version "v1.<minor>" such as "v1.27"');
    }
    const psa: { [key: string]: string } = {};
    for (const mode of ['enforce', 'audit', 'warn'] as const) {
      const level = mode === 'enforce' ? this.podSecurityLevel : this.resolveLevel(`podSecurity.${mode}`, props.podSecurity?.[mode]);
      psa[`${PSA_PREFIX}${mode}`] = level._render();
      psa[`${PSA_PREFIX}${mode}-version`] = version;
    }
    for (const key of Object.keys(props.labels ?? {})) {
      if (key.startsWith(PSA_PREFIX) || key === Labels.TENANT || key === 'kubernetes.io/metadata.name') {
        fail(this, 'labels key', key, `a label the construct does not manage (use podSecurity for ${PSA_PREFIX}*, tenantName for ${Labels.TENANT})`);
      }
    }
    for (const key of Object.keys(props.annotations ?? {})) {
      if (key in poolAnnotations) fail(this, 'annotations key', key, 'an annotation the construct does not manage (use nodePool)');
    }
    return new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespaceName,
        labels: { ...props.labels, ...this.objectLabels, ...psa },
        annotations: { ...props.annotations, ...poolAnnotations },
      },
    });
  }

  private resolveNodePool(pool: TenantNodePool | undefined): { placement: NodePlacement; annotations: { [key: string]: string } } {
    if (!pool) return { placement: {}, annotations: {} };
    const { key, value } = pool.nodeLabel ?? ({} as TenantNodeLabel);
    requireQualifiedName(this, 'nodePool.nodeLabel.key', key);
    requireLabelValue(this, 'nodePool.nodeLabel.value', value);
    const annotations: { [key: string]: string } = {};
    let tolerations: k8s.Toleration[] | undefined;
    if (pool.taint) {
      requireQualifiedName(this, 'nodePool.taint.key', pool.taint.key);
      if (pool.taint.value !== undefined) requireLabelValue(this, 'nodePool.taint.value', pool.taint.value);
      const given = pool.taint.effect ?? NodeTaintEffect.NO_SCHEDULE;
      // Untyped callers may pass the Kubernetes string; accept the three names, reject anything else.
      const effect = NodeTaintEffect.ALL.find((e) => e === given || e._render() === (given as unknown))?._render()
        ?? fail(this, 'nodePool.taint.effect', given, 'one of NodeTaintEffect.NO_SCHEDULE ("NoSchedule"), PREFER_NO_SCHEDULE ("PreferNoSchedule"), NO_EXECUTE ("NoExecute")');
      const toleration: k8s.Toleration = pool.taint.value === undefined
        ? { key: pool.taint.key, operator: 'Exists', effect }
        : { key: pool.taint.key, operator: 'Equal', value: pool.taint.value, effect };
      tolerations = [toleration];
      // PodTolerationRestriction adds these to every pod of the namespace, ours or not.
      annotations[DEFAULT_TOLERATIONS_ANNOTATION] = JSON.stringify(tolerations);
    }
    if (pool.soft) {
      return { placement: { preferredNodeLabels: { [key]: value }, tolerations }, annotations };
    }
    // PodNodeSelector merges this into every pod of the namespace, so the pool holds for pods we did not build.
    annotations[NODE_SELECTOR_ANNOTATION] = `${key}=${value}`;
    return { placement: { nodeSelector: { [key]: value }, tolerations }, annotations };
  }

  // ---------------------------------------------------------------- quota

  private validateGpus(gpus: TenantGpuQuota[]): TenantGpuQuota[] {
    const seen = new Set<string>();
    gpus.forEach((g, i) => {
      const prop = `quota.gpus[${i}]`;
      if (!(g.resource instanceof GpuResource)) fail(this, `${prop}.resource`, g.resource, 'a GpuResource such as GpuResource.NVIDIA_GPU or GpuResource.mig("1g.10gb")');
      g.resource.validate(this, `${prop}.resource`);
      requireGpuCount(this, `${prop}.count`, g.count, 0);
      if (seen.has(g.resource.resourceName)) fail(this, `${prop}.resource`, g.resource.resourceName, 'each GPU resource once');
      seen.add(g.resource.resourceName);
      if (g.maxPerContainer !== undefined) {
        requireGpuCount(this, `${prop}.maxPerContainer`, g.maxPerContainer, 1);
        if (g.maxPerContainer > g.count) {
          fail(this, `${prop}.maxPerContainer`, g.maxPerContainer, `at most the tenant's quota of ${g.count} x ${g.resource.resourceName}`);
        }
      }
    });
    return gpus;
  }

  private quotaView(quota: TenantQuota, gpus: TenantGpuQuota[]): TenantQuotaView {
    const gpuEntries: GpuQuotaEntry[] = gpus.map((g) => ({ resource: g.resource, count: g.count }));
    return {
      cpuRequests: quota.cpuRequests?.validate(this, 'quota.cpuRequests'),
      cpuLimits: quota.cpuLimits?.validate(this, 'quota.cpuLimits'),
      memoryRequests: quota.memoryRequests?.validate(this, 'quota.memoryRequests'),
      memoryLimits: quota.memoryLimits?.validate(this, 'quota.memoryLimits'),
      gpus: gpuEntries,
    };
  }

  private createResourceQuota(quota: TenantQuota, gpus: TenantGpuQuota[]): k8s.KubeResourceQuota {
    const hard: { [key: string]: k8s.Quantity } = {};
    const put = (key: string, q: ResourceQuantity | undefined, prop: string) => {
      if (q !== undefined) hard[key] = q.validate(this, prop).toK8s();
    };
    const count = (key: string, n: number | undefined, prop: string) => {
      if (n !== undefined) hard[key] = countQuantity(requireInteger(this, prop, n, 0));
    };
    put('requests.cpu', quota.cpuRequests, 'quota.cpuRequests');
    put('limits.cpu', quota.cpuLimits, 'quota.cpuLimits');
    put('requests.memory', quota.memoryRequests, 'quota.memoryRequests');
    put('limits.memory', quota.memoryLimits, 'quota.memoryLimits');
    // Extended resources cannot be overcommitted, so only `requests.` quota keys exist for them.
    for (const g of gpus) hard[g.resource.quotaKey] = countQuantity(g.count);
    // Without a line for whole GPUs the tenant could take any number of them; the quota view already says 0.
    if (!gpus.some((g) => g.resource.resourceName === GpuResource.NVIDIA_GPU.resourceName)) {
      hard[GpuResource.NVIDIA_GPU.quotaKey] = countQuantity(0);
    }
    count('pods', quota.pods, 'quota.pods');
    count('services', quota.services, 'quota.services');
    count('secrets', quota.secrets, 'quota.secrets');
    count('configmaps', quota.configMaps, 'quota.configMaps');
    count('persistentvolumeclaims', quota.persistentVolumeClaims, 'quota.persistentVolumeClaims');
    put('requests.storage', quota.storageRequests, 'quota.storageRequests');
    const classes = new Set<string>();
    (quota.storageClasses ?? []).forEach((sc, i) => {
      const prop = `quota.storageClasses[${i}]`;
      // The class name is the prefix of a qualified key, so it must stay a DNS subdomain of bounded length.
      requireDnsSubdomain(this, `${prop}.storageClassName`, sc.storageClassName, 253 - '.storageclass.storage.k8s.io'.length);
      if (classes.has(sc.storageClassName)) fail(this, `${prop}.storageClassName`, sc.storageClassName, 'each StorageClass once');
      classes.add(sc.storageClassName);
      const prefix = `${sc.storageClassName}.storageclass.storage.k8s.io`;
      put(`${prefix}/requests.storage`, sc.storageRequests, `${prop}.storageRequests`);
      count(`${prefix}/persistentvolumeclaims`, sc.persistentVolumeClaims, `${prop}.persistentVolumeClaims`);
    });
    count('services.nodeports', quota.nodePortServices ?? 0, 'quota.nodePortServices');
    count('services.loadbalancers', quota.loadBalancerServices ?? 0, 'quota.loadBalancerServices');
    return new k8s.KubeResourceQuota(this, 'ResourceQuota', { metadata: this.meta('tenant-quota'), spec: { hard } });
  }

  // ---------------------------------------------------------------- LimitRange

  private createLimitRange(props: TenantNamespaceProps, gpus: TenantGpuQuota[], out: { view: TenantLimitsView }): k8s.KubeLimitRange | undefined {
    const c = props.containerLimits ?? {};
    const p = props.podLimits ?? {};
    const v = props.pvcLimits ?? {};
    const q = props.quota ?? {};
    const container: { default: Record<string, k8s.Quantity>; defaultRequest: Record<string, k8s.Quantity>; min: Record<string, k8s.Quantity>; max: Record<string, k8s.Quantity> } = {
      default: {}, defaultRequest: {}, min: {}, max: {},
    };
    const cpu = this.resolveDefaults<Cpu>('cpu', CPU_DEFAULT_LIMIT, CPU_DEFAULT_REQUEST, {
      limit: bound(c.defaultCpuLimit, 'containerLimits.defaultCpuLimit'),
      request: bound(c.defaultCpuRequest, 'containerLimits.defaultCpuRequest'),
      min: bound(c.minCpu, 'containerLimits.minCpu'),
      max: bound(c.maxCpu, 'containerLimits.maxCpu'),
      podMax: bound(p.maxCpu, 'podLimits.maxCpu'),
      quotaLimit: bound(q.cpuLimits, 'quota.cpuLimits'),
      quotaRequest: bound(q.cpuRequests, 'quota.cpuRequests'),
    });
    const memory = this.resolveDefaults<Memory>('memory', MEMORY_DEFAULT_LIMIT, MEMORY_DEFAULT_REQUEST, {
      limit: bound(c.defaultMemoryLimit, 'containerLimits.defaultMemoryLimit'),
      request: bound(c.defaultMemoryRequest, 'containerLimits.defaultMemoryRequest'),
      min: bound(c.minMemory, 'containerLimits.minMemory'),
      max: bound(c.maxMemory, 'containerLimits.maxMemory'),
      podMax: bound(p.maxMemory, 'podLimits.maxMemory'),
      quotaLimit: bound(q.memoryLimits, 'quota.memoryLimits'),
      quotaRequest: bound(q.memoryRequests, 'quota.memoryRequests'),
    });
    for (const [name, r] of [['cpu', cpu], ['memory', memory]] as const) {
      if (!r) continue;
      container.default[name] = r.limit.toK8s();
      container.defaultRequest[name] = r.request.toK8s();
      if (r.min) container.min[name] = r.min.toK8s();
      if (r.max) container.max[name] = r.max.toK8s();
    }
    for (const g of gpus) {
      if (g.maxPerContainer === undefined) continue;
      container.max[g.resource.resourceName] = countQuantity(g.maxPerContainer);
      // The API server defaults a missing `default` to `max`, which would hand every container the maximum
      // number of GPUs. Containers that ask for none get none.
      container.default[g.resource.resourceName] = countQuantity(0);
      container.defaultRequest[g.resource.resourceName] = countQuantity(0);
    }

    // The same values as the LimitRange below (the effective defaults included), for the workloads' synth-time check.
    out.view = {
      defaultCpuLimit: cpu?.limit, defaultCpuRequest: cpu?.request, minCpu: cpu?.min, maxCpu: cpu?.max,
      defaultMemoryLimit: memory?.limit, defaultMemoryRequest: memory?.request, minMemory: memory?.min, maxMemory: memory?.max,
      podMaxCpu: p.maxCpu, podMaxMemory: p.maxMemory,
      maxGpusPerContainer: gpus.filter((g) => g.maxPerContainer !== undefined).map((g) => ({ resource: g.resource, count: g.maxPerContainer! })),
    };
    const limits: k8s.LimitRangeItem[] = [];
    const nonEmpty = (m: Record<string, k8s.Quantity>) => (Object.keys(m).length > 0 ? m : undefined);
    if (Object.values(container).some((m) => Object.keys(m).length > 0)) {
      limits.push({
        type: 'Container',
        default: nonEmpty(container.default),
        defaultRequest: nonEmpty(container.defaultRequest),
        min: nonEmpty(container.min),
        max: nonEmpty(container.max),
      });
    }
    const podMax: Record<string, k8s.Quantity> = {};
    if (p.maxCpu) podMax.cpu = p.maxCpu.validate(this, 'podLimits.maxCpu').toK8s();
    if (p.maxMemory) podMax.memory = p.maxMemory.validate(this, 'podLimits.maxMemory').toK8s();
    if (Object.keys(podMax).length > 0) limits.push({ type: 'Pod', max: podMax });

    const minStorage = v.minStorage?.validate(this, 'pvcLimits.minStorage');
    const maxStorage = v.maxStorage?.validate(this, 'pvcLimits.maxStorage');
    if (minStorage && maxStorage && minStorage.amount > maxStorage.amount) {
      fail(this, 'pvcLimits.minStorage', minStorage.text, `at most pvcLimits.maxStorage (${maxStorage.text})`);
    }
    if (minStorage || maxStorage) {
      limits.push({
        type: 'PersistentVolumeClaim',
        min: minStorage ? { storage: minStorage.toK8s() } : undefined,
        max: maxStorage ? { storage: maxStorage.toK8s() } : undefined,
      });
    }
    if (limits.length === 0) return undefined;
    return new k8s.KubeLimitRange(this, 'LimitRange', { metadata: this.meta('tenant-limits'), spec: { limits } });
  }

  /**
   * Works out a resource's container default limit and request. With a quota on the resource, pods that set
   * no requests or limits are rejected, so defaults are emitted whenever a quota or any bound exists. Computed
   * defaults fit every bound; given ones are checked against them.
   */
  private resolveDefaults<Q extends ResourceQuantity>(
    resource: string,
    fallbackLimit: Q,
    fallbackRequest: Q,
    b: { limit?: Bound<Q>; request?: Bound<Q>; min?: Bound<Q>; max?: Bound<Q>; podMax?: Bound<Q>; quotaLimit?: Bound<Q>; quotaRequest?: Bound<Q> },
  ): { limit: Q; request: Q; min?: Q; max?: Q } | undefined {
    for (const x of Object.values(b)) x?.q.validate(this, x.prop);
    if (!Object.values(b).some((x) => x !== undefined)) return undefined;
    const show = (x: Bound<Q>) => `${x.prop} (${x.q.text})`;
    const atMost = (x: Bound<Q> | undefined, caps: Array<Bound<Q> | undefined>) => {
      if (!x) return;
      for (const cap of caps) {
        if (cap && x.q.amount > cap.q.amount) fail(this, x.prop, x.q.text, `at most ${show(cap)}`);
      }
    };
    const atLeast = (x: Bound<Q> | undefined, floor: Bound<Q> | undefined) => {
      if (x && floor && x.q.amount < floor.q.amount) fail(this, x.prop, x.q.text, `at least ${show(floor)}`);
    };
    // A container max above the quota or pod max is harmless (the smaller bound wins), so it is not checked.
    atMost(b.min, [b.max, b.podMax, b.quotaLimit, b.quotaRequest]);
    atMost(b.limit, [b.max, b.podMax, b.quotaLimit]);
    atLeast(b.limit, b.min);
    atMost(b.request, [b.limit, b.max, b.podMax, b.quotaRequest]);
    atLeast(b.request, b.min);

    const limitCap = smallest([b.max, b.podMax, b.quotaLimit]);
    let limit: Q;
    if (b.limit) {
      limit = b.limit.q;
    } else {
      limit = fallbackLimit;
      if (b.request && b.request.q.amount > limit.amount) limit = b.request.q;
      if (limitCap && limitCap.q.amount < limit.amount) limit = limitCap.q;
      if (b.min && b.min.q.amount > limit.amount) limit = b.min.q;
    }
    let request: Q;
    if (b.request) {
      request = b.request.q;
    } else {
      request = fallbackRequest;
      const requestCap = smallest([{ q: limit, prop: `${resource} default limit` }, b.quotaRequest]);
      if (requestCap && requestCap.q.amount < request.amount) request = requestCap.q;
      if (b.min && b.min.q.amount > request.amount) request = b.min.q;
    }
    return { limit, request, min: b.min?.q, max: b.max?.q };
  }

  // ---------------------------------------------------------------- NetworkPolicies

  private policy(name: string, spec: k8s.NetworkPolicySpec): k8s.KubeNetworkPolicy {
    requireDnsSubdomain(this, 'network', name);
    if (this.networkPolicies.some((np) => np.name === name)) {
      fail(this, 'network', name, 'each NetworkPolicy name once (a namespace is listed twice)');
    }
    const np = new k8s.KubeNetworkPolicy(this, `NetworkPolicy-${name}`, { metadata: this.meta(name), spec });
    this.networkPolicies.push(np);
    return np;
  }

  private ports(prop: string, ports: number[] | undefined): k8s.NetworkPolicyPort[] | undefined {
    if (ports === undefined) return undefined;
    if (!Array.isArray(ports) || ports.length === 0) fail(this, prop, ports, 'a non-empty list of ports, or leave it out for all ports');
    return ports.map((port, i) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(requirePort(this, `${prop}[${i}]`, port)) }));
  }

  private namespacePeer(prop: string, namespace: string, podLabels: { [key: string]: string } | undefined): k8s.NetworkPolicyPeer {
    requireDnsLabel(this, `${prop}.namespace`, namespace);
    requireLabels(this, `${prop}.podLabels`, podLabels);
    // One peer with both selectors means "these pods in that namespace" (AND); two peers would be OR.
    return {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: podLabels && Object.keys(podLabels).length > 0 ? { matchLabels: { ...podLabels } } : undefined,
    };
  }

  /** Adds the metadata addresses a range contains to its `except`, so no policy can open them. */
  private ipBlock(prop: string, cidr: ParsedCidr, except: ParsedCidr[]): k8s.IpBlock {
    const all = [...except];
    for (const text of [...METADATA_CIDRS_V4, ...METADATA_CIDRS_V6]) {
      const meta = requireCidr(this, prop, text);
      if (cidrContains(meta, cidr)) {
        fail(this, `${prop}.cidr`, cidr.text, `a range that is not a cloud metadata address (${text} is always blocked)`);
      }
      if (cidrStrictlyContains(cidr, meta) && !all.some((e) => cidrContains(e, meta))) all.push(meta);
    }
    return { cidr: cidr.text, except: all.length > 0 ? all.map((e) => e.text) : undefined };
  }

  private createNetworkPolicies(net: TenantNetwork): void {
    const everyPod: k8s.LabelSelector = {};
    this.policy('default-deny', { podSelector: everyPod, policyTypes: ['Ingress', 'Egress'] });

    if (net.allowSameNamespace ?? true) {
      this.policy('allow-same-namespace', {
        podSelector: everyPod,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      });
    }

    const dns = net.dns ?? {};
    const dnsPeers: k8s.NetworkPolicyPeer[] = [
      this.namespacePeer('network.dns', dns.namespace ?? 'kube-system', dns.podLabels ?? { 'k8s-app': 'kube-dns' }),
    ];
    if (dns.nodeLocalAddress !== undefined) {
      const text = dns.nodeLocalAddress;
      const asCidr = typeof text === 'string' && !text.includes('/') ? `${text}/${text.includes(':') ? 128 : 32}` : text;
      const parsed = parseCidr(asCidr);
      if (typeof parsed === 'string') {
        // Report the value as given, not the /32 form it was turned into.
        fail(this, 'network.dns.nodeLocalAddress', text, `an IPv4 or IPv6 address such as "169.254.20.10", or a CIDR (${parsed})`);
      }
      dnsPeers.push({ ipBlock: { cidr: parsed.text } });
    }
    this.policy('allow-dns', {
      podSelector: everyPod,
      policyTypes: ['Egress'],
      // TCP too: answers over 512 bytes fall back to TCP.
      egress: [{ to: dnsPeers, ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }] }],
    });

    (net.ingressFrom ?? []).forEach((src, i) => {
      const prop = `network.ingressFrom[${i}]`;
      const peer = this.namespacePeer(prop, src.namespace, src.podLabels);
      if (src.ports === undefined) fail(this, `${prop}.ports`, src.ports, 'a non-empty list of the TCP ports the source may reach');
      this.policy(`allow-ingress-from-${src.namespace}`, {
        podSelector: everyPod,
        policyTypes: ['Ingress'],
        ingress: [{ from: [peer], ports: this.ports(`${prop}.ports`, src.ports) }],
      });
    });

    if (net.internetEgress) {
      const e = net.internetEgress;
      const blocked = (e.blockedCidrs ?? []).map((t, i) => requireCidr(this, `network.internetEgress.blockedCidrs[${i}]`, t));
      const private4 = e.allowPrivateRanges ? [] : PRIVATE_CIDRS_V4;
      const private6 = e.allowPrivateRanges ? [] : PRIVATE_CIDRS_V6;
      const block = (version: number, fixed: string[]) => {
        const list = [...fixed.map((t) => requireCidr(this, 'network.internetEgress', t)), ...blocked.filter((c) => c.version === version)];
        // Drop duplicates and ranges inside another blocked one (169.254.169.254/32 inside 169.254.0.0/16).
        return list.filter((c, i) => list.findIndex((d) => d.text === c.text) === i && !list.some((d) => d.text !== c.text && cidrContains(d, c)));
      };
      const any4 = requireCidr(this, 'network.internetEgress', '0.0.0.0/0');
      const any6 = requireCidr(this, 'network.internetEgress', '::/0');
      for (const c of blocked) {
        if (c.prefix === 0) fail(this, 'network.internetEgress.blockedCidrs', c.text, 'a range smaller than the whole address space (leave internetEgress out instead)');
      }
      this.policy('allow-internet-egress', {
        podSelector: everyPod,
        policyTypes: ['Egress'],
        egress: [{
          to: [
            { ipBlock: this.ipBlock('network.internetEgress', any4, block(4, [...LINK_LOCAL_CIDRS_V4, ...METADATA_CIDRS_V4, ...private4])) },
            { ipBlock: this.ipBlock('network.internetEgress', any6, block(6, [...LINK_LOCAL_CIDRS_V6, ...METADATA_CIDRS_V6, ...private6])) },
          ],
          ports: this.ports('network.internetEgress.ports', e.ports),
        }],
      });
    }

    (net.egressToNamespaces ?? []).forEach((dst, i) => {
      const prop = `network.egressToNamespaces[${i}]`;
      this.policy(`allow-egress-to-${dst.namespace}`, {
        podSelector: everyPod,
        policyTypes: ['Egress'],
        egress: [{ to: [this.namespacePeer(prop, dst.namespace, dst.podLabels)], ports: this.ports(`${prop}.ports`, dst.ports) }],
      });
    });

    const cidrRules: k8s.NetworkPolicyEgressRule[] = (net.egressToCidrs ?? []).map((dst, i) => {
      const prop = `network.egressToCidrs[${i}]`;
      const cidr = requireCidr(this, `${prop}.cidr`, dst.cidr);
      const except = (dst.except ?? []).map((t, j) => {
        const e = requireCidr(this, `${prop}.except[${j}]`, t);
        if (!cidrStrictlyContains(cidr, e)) fail(this, `${prop}.except[${j}]`, t, `a range strictly inside ${dst.cidr}`);
        return e;
      });
      return { to: [{ ipBlock: this.ipBlock(prop, cidr, except) }], ports: this.ports(`${prop}.ports`, dst.ports) };
    });
    if (cidrRules.length > 0) {
      this.policy('allow-egress-to-cidrs', { podSelector: everyPod, policyTypes: ['Egress'], egress: cidrRules });
    }
  }

  // ---------------------------------------------------------------- admission policies

  private createAdmissionPolicies(a: TenantAdmissionPolicies, pool: TenantNodePool | undefined, gpus: TenantGpuQuota[]): void {
    const names = (prop: string, list: string[] | undefined, fallback: string[]) => {
      if (list === undefined) return fallback;
      if (!Array.isArray(list)) fail(this, prop, list, 'a list of names');
      list.forEach((n, i) => requireDnsSubdomain(this, `${prop}[${i}]`, n));
      if (new Set(list).size !== list.length) fail(this, prop, list, 'each name once');
      return [...list];
    };
    const allowedSecrets = names('admissionPolicies.allowedSecrets', a.allowedSecrets, []);
    const allowedServiceAccounts = names('admissionPolicies.allowedServiceAccounts', a.allowedServiceAccounts, ['default']);
    if (allowedServiceAccounts.length === 0) fail(this, 'admissionPolicies.allowedServiceAccounts', [], 'at least one ServiceAccount (pods always run as one)');
    let allowedRegistries: string[] | undefined;
    if (a.allowedRegistries !== undefined) {
      if (!Array.isArray(a.allowedRegistries) || a.allowedRegistries.length === 0) {
        fail(this, 'admissionPolicies.allowedRegistries', a.allowedRegistries, 'a non-empty list of image prefixes, or leave it out for any registry');
      }
      a.allowedRegistries.forEach((r, i) => {
        // The trailing "/" keeps `registry.example.com` from also admitting `registry.example.com.evil.io/...`.
        if (typeof r !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*\/$/.test(r)) {
          fail(this, `admissionPolicies.allowedRegistries[${i}]`, r, 'an image prefix ending in "/", such as "registry.example.com/" or "docker.io/vllm/" (no scheme)');
        }
      });
      allowedRegistries = [...a.allowedRegistries];
    }
    if (a.maxGpusPerPod !== undefined) requireGpuCount(this, 'admissionPolicies.maxGpusPerPod', a.maxGpusPerPod, 0);
    const hardPool = pool !== undefined && !pool.soft;
    const extraTolerations = (a.allowedTolerationKeys ?? []).map((k, i) => requireQualifiedName(this, `admissionPolicies.allowedTolerationKeys[${i}]`, k));
    if (a.allowedTolerationKeys !== undefined && !hardPool) {
      fail(this, 'admissionPolicies.allowedTolerationKeys', a.allowedTolerationKeys, 'toleration keys only with a hard nodePool (without one, tolerations are not restricted)');
    }
    const gpuResources = [...new Set([GpuResource.NVIDIA_GPU.resourceName, ...gpus.map((g) => g.resource.resourceName)])];
    const input: PodPolicyInput = {
      allowedSecrets,
      allowedServiceAccounts,
      allowedRegistries,
      maxGpusPerPod: a.maxGpusPerPod,
      gpuResources,
      nodeSelector: hardPool ? { key: pool!.nodeLabel.key, value: pool!.nodeLabel.value } : undefined,
      tolerationKeys: hardPool ? [...new Set([...(pool!.taint ? [pool!.taint.key] : []), GpuResource.NVIDIA_GPU.resourceName, ...extraTolerations])] : undefined,
    };
    this.resolvedPodPolicy = input;
    const labels = { ...this.objectLabels };
    const inNamespace: VapMatchResources = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespaceName } } };
    const policies: Array<[string, VapNamedRuleWithOperations[], { variables?: VapVariable[]; validations: VapValidation[] }]> = [
      ['pods', [
        // Pod specs are immutable after creation except through these; UPDATE of the pod itself is left out
        // so pods admitted before the policy can still be relabelled by their controllers.
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'] },
      ], podPolicy(input)],
      ['volumes', [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['persistentvolumeclaims'] }], { validations: volumePolicy() }],
    ];
    for (const [what, rules, body] of policies) {
      const name = `tenant-${this.namespaceName}-${what}`;
      this.admissionObjects.push(validatingAdmissionPolicy(this, `AdmissionPolicy-${what}`, { name, labels }, {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: rules, ...inNamespace },
        variables: body.variables,
        validations: body.validations,
      }));
      this.admissionObjects.push(validatingAdmissionPolicyBinding(this, `AdmissionPolicyBinding-${what}`, { name, labels }, {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: inNamespace,
      }));
    }
    addRule(this, () => this.checkPodsAgainstPolicy());
  }

  /** The pod policy as resolved, when admission policies are on (for the synth check). */
  private resolvedPodPolicy?: PodPolicyInput;

  /**
   * Synth check: pod templates of this app in the tenant's namespace that the pod policy would refuse
   * (their ReplicaSets would fail to create pods), so the mistake shows at synth, not at rollout.
   */
  private checkPodsAgainstPolicy(): string[] {
    const p = this.resolvedPodPolicy!;
    const out: string[] = [];
    for (const obj of this.node.root.node.findAll()) {
      if (!(obj instanceof ApiObject) || obj.metadata.namespace !== this.namespaceName) continue;
      const json = obj.toJson() ?? {};
      for (const spec of podSpecsOf(json)) {
        const where = `${obj.kind}/${obj.name}`;
        const sa = spec.serviceAccountName ?? 'default';
        if (!p.allowedServiceAccounts.includes(sa)) {
          out.push(formatViolation(this, 'admissionPolicies.allowedServiceAccounts', p.allowedServiceAccounts, `a list that includes "${sa}", which ${where} runs as (its pods would be refused)`));
        }
        for (const secret of secretsOf(spec)) {
          if (!p.allowedSecrets.includes(secret)) {
            out.push(formatViolation(this, 'admissionPolicies.allowedSecrets', p.allowedSecrets, `a list that includes "${secret}", which ${where} uses (its pods would be refused)`));
          }
        }
        if (p.allowedRegistries) {
          for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
            if (typeof c?.image === 'string' && !p.allowedRegistries.some((r) => c.image.startsWith(r))) {
              out.push(formatViolation(this, 'admissionPolicies.allowedRegistries', p.allowedRegistries, `a prefix of "${c.image}", the image of ${where} (its pods would be refused)`));
            }
          }
        }
      }
    }
    return [...new Set(out)];
  }

  // ---------------------------------------------------------------- RBAC

  private createRbac(props: TenantNamespaceProps): void {
    const subjects: Array<[TenantRole, string, TenantSubject[] | undefined]> = [
      [TenantRole.ADMIN, 'admins', props.admins],
      [TenantRole.DEVELOPER, 'developers', props.developers],
      [TenantRole.VIEWER, 'viewers', props.viewers],
    ];
    let adminSubjects: k8s.Subject[] = [];
    for (const [role, prop, list] of subjects) {
      const r = new k8s.KubeRole(this, `Role-${role.roleName}`, { metadata: this.meta(role.roleName), rules: role.rules });
      this.roles.push(r);
      const bound = (list ?? []).map((s, i) => {
        if (!(s instanceof TenantSubject)) fail(this, `${prop}[${i}]`, s, 'a TenantSubject.user(), .group() or .serviceAccount()');
        return s._bind(this, `${prop}[${i}]`, this.namespaceName);
      });
      const unique = bound.filter((s, i) => bound.findIndex((t) => t.kind === s.kind && t.name === s.name && t.namespace === s.namespace) === i);
      if (role === TenantRole.ADMIN) adminSubjects = unique;
      if (unique.length === 0) continue;
      this.bindings.push(new k8s.KubeRoleBinding(this, `RoleBinding-${role.roleName}`, {
        metadata: this.meta(role.roleName),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.roleName },
        subjects: unique,
      }));
    }
    this.warnAssumableAdminAccounts(props, adminSubjects);
  }

  /**
   * Whoever can create workloads here can run a pod as any ServiceAccount of the namespace and so act with
   * its rights: an in-namespace account bound to tenant-admin hands admin to every developer (see the
   * effective-permission table in docs/tenancy.md). Warn unless the admission policy keeps pods off it.
   */
  private warnAssumableAdminAccounts(props: TenantNamespaceProps, adminSubjects: k8s.Subject[]): void {
    if ((props.developers ?? []).length === 0) return;
    const allowed = props.admissionPolicies ? (props.admissionPolicies.allowedServiceAccounts ?? ['default']) : undefined;
    for (const s of adminSubjects) {
      if (s.kind !== 'ServiceAccount' || s.namespace !== this.namespaceName) continue;
      if (allowed !== undefined && !allowed.includes(s.name)) continue;
      Warnings.add(this, `admins: ServiceAccount ${this.namespaceName}/${s.name} is bound to tenant-admin in the tenant's own namespace, so any developer can act as admin by running a pod as it; bind an account of another namespace, or turn on admissionPolicies without it in allowedServiceAccounts`);
    }
  }
}

/** The pod specs an object carries (pods, workload templates, CronJob and LeaderWorkerSet templates). */
function podSpecsOf(json: any): any[] {
  const spec = json?.spec;
  if (!spec || typeof spec !== 'object') return [];
  const out: any[] = [];
  if (json.kind === 'Pod') out.push(spec);
  if (spec.template?.spec) out.push(spec.template.spec);
  if (spec.jobTemplate?.spec?.template?.spec) out.push(spec.jobTemplate.spec.template.spec);
  const lws = spec.leaderWorkerTemplate;
  if (lws?.leaderTemplate?.spec) out.push(lws.leaderTemplate.spec);
  if (lws?.workerTemplate?.spec) out.push(lws.workerTemplate.spec);
  return out.filter((s) => s && typeof s === 'object' && Array.isArray(s.containers));
}

/** The Secret names a pod spec uses (volumes, projected volumes, env, envFrom). */
function secretsOf(spec: any): string[] {
  const out: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v?.secret?.secretName) out.push(v.secret.secretName);
    for (const src of v?.projected?.sources ?? []) if (src?.secret?.name) out.push(src.secret.name);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c?.env ?? []) if (e?.valueFrom?.secretKeyRef?.name) out.push(e.valueFrom.secretKeyRef.name);
    for (const f of c?.envFrom ?? []) if (f?.secretRef?.name) out.push(f.secretRef.name);
  }
  return [...new Set(out)];
}
