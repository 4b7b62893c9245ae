import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppProject } from '../../imports/argocdproject-argoproj.io';
import { ITenant } from '../core';
import { fail, requireInteger } from '../core/errors';
import { requireDnsLabel } from '../core/names';
import { setSyncWave } from '../core/sync-wave';
import { GroupKind, IAppProject, PROJECT_SYNC_WAVE } from './project';
import { IN_CLUSTER_SERVER, requireNamespace, requireRepoUrl, requireServerUrl } from './validation';
import { checkProps } from '../core/validate';
import { tenantProjectShape } from './shapes';

/**
 * The kinds the platform owns in a tenant namespace; tenants may not manage them. Each grants or widens
 * something: quota and limit ranges size the tenant, NetworkPolicies only ever add allowed traffic (policies
 * are a union), Roles and RoleBindings grant API access (the Argo CD controller applies a binding to `admin`
 * or `cluster-admin` without the escalation check a person would meet), a ServiceAccount is an identity
 * bindings can name, and a Secret of type `kubernetes.io/service-account-token` annotated with another
 * ServiceAccount's name is filled with that account's token by the token controller.
 */
export const PLATFORM_OWNED_KINDS: GroupKind[] = [
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'LimitRange' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: '', kind: 'ServiceAccount' },
  { group: '', kind: 'Secret' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
];

/**
 * The namespaced kinds a tenant's Applications may deploy (`namespaceResourceWhitelist`): the workloads and
 * delivery objects of the library (GpuInferenceService, RoleBasedGroup, LeaderWorkerSet, PodGroup,
 * CanaryRollout, NativeCanary) and nothing that grants access. Anything else is refused.
 */
export const TENANT_KINDS: GroupKind[] = [
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'leaderworkerset.x-k8s.io', kind: 'LeaderWorkerSet' },
  { group: 'workloads.x-k8s.io', kind: 'RoleBasedGroup' },
  { group: 'workloads.x-k8s.io', kind: 'RoleBasedGroupScalingAdapter' },
  { group: 'scheduling.x-k8s.io', kind: 'PodGroup' },
  { group: 'scheduling.volcano.sh', kind: 'PodGroup' },
  { group: 'argoproj.io', kind: 'Rollout' },
  { group: 'argoproj.io', kind: 'AnalysisTemplate' },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'monitoring.coreos.com', kind: 'PodMonitor' },
  { group: 'keda.sh', kind: 'ScaledObject' },
];

/** Kinds a tenant project can never allow, whatever `allowedKinds` says: each is a path to more access. */
const ESCALATING_KINDS = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount', 'Secret'];

/** Props of a TenantProject. */
export interface TenantProjectProps {
  /**
   * The tenant. Supplies the default name and namespace.
   * @default - give `name` and `namespaces`
   */
  readonly tenant?: ITenant;
  /**
   * `metadata.name` of the AppProject.
   * @default - the tenant name
   */
  readonly name?: string;
  /**
   * Namespaces the tenant may deploy to. Must not be empty.
   * @default - the tenant's namespace
   */
  readonly namespaces?: string[];
  /** Git repositories the tenant's Applications may sync from. Must not be empty. */
  readonly sourceRepos: string[];
  /**
   * Destination cluster API server.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Description shown in the Argo CD UI.
   * @default - "Tenant <name>: namespaces <list>"
   */
  readonly description?: string;
  /**
   * Namespaced kinds the tenant may not manage, because the platform owns them (`namespaceResourceBlacklist`).
   * @default PLATFORM_OWNED_KINDS (ResourceQuota, LimitRange, NetworkPolicy, ServiceAccount, Secret, Role, RoleBinding)
   */
  readonly platformOwnedKinds?: GroupKind[];
  /**
   * Namespaced kinds the tenant may deploy (`namespaceResourceWhitelist`); everything else is refused. Must not
   * name Role, RoleBinding, ClusterRole, ClusterRoleBinding, ServiceAccount or Secret.
   * @default TENANT_KINDS (the library's workload and delivery kinds)
   */
  readonly allowedKinds?: GroupKind[];
  /**
   * SSO groups that get an `admin` project role (sync, override and view their own Applications).
   * @default - no project role
   */
  readonly adminGroups?: string[];
  /**
   * Sync wave of the AppProject object.
   * @default PROJECT_SYNC_WAVE (-30, before every Application)
   */
  readonly syncWave?: number;
}

/**
 * An Argo CD AppProject for one tenant: destinations limited to the tenant's namespaces, source repositories
 * listed, no cluster-scoped kinds, only the workload and delivery kinds whitelisted, and the platform-owned
 * kinds (quota, limit ranges, NetworkPolicies, RBAC, ServiceAccounts, Secrets) blacklisted.
 */
export class TenantProject extends Construct implements IAppProject {
  /** The kinds only the platform may create in tenant namespaces. */
  public static readonly PLATFORM_OWNED_KINDS: GroupKind[] = PLATFORM_OWNED_KINDS;
  /** The namespaced kinds a tenant project allows by default. */
  public static readonly TENANT_KINDS: GroupKind[] = TENANT_KINDS;

  public readonly projectName: string;
  /** Namespaces the tenant may deploy to. */
  public readonly namespaces: string[];
  /** Kinds the tenant may not manage. */
  public readonly blacklist: GroupKind[];
  /** Kinds the tenant may deploy. */
  public readonly whitelist: GroupKind[];
  /** The AppProject object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: TenantProjectProps) {
    super(scope, id);
    checkProps(this, props, tenantProjectShape(), { name: 'TenantProjectProps' });
    const name = props.name ?? props.tenant?.tenantName;
    if (name === undefined) fail(this, 'name', undefined, 'a project name, or a tenant to take it from');
    // An AppProject name is an object name (up to 253); kept free of dots for Argo CD RBAC strings.
    this.projectName = requireDnsLabel(this, 'name', name, 253);
    this.namespaces = [...(props.namespaces ?? (props.tenant ? [props.tenant.namespaceName] : []))];
    if (this.namespaces.length === 0) {
      fail(this, 'namespaces', this.namespaces, 'at least one namespace (the tenant namespace); an empty destination list would let the project deploy nowhere');
    }
    this.namespaces.forEach((ns, i) => requireNamespace(this, `namespaces[${i}]`, ns));
    if (!Array.isArray(props.sourceRepos) || props.sourceRepos.length === 0) {
      fail(this, 'sourceRepos', props.sourceRepos, 'at least one Git repository URL');
    }
    props.sourceRepos.forEach((r, i) => requireRepoUrl(this, `sourceRepos[${i}]`, r));
    const server = requireServerUrl(this, 'destinationServer', props.destinationServer ?? IN_CLUSTER_SERVER);
    const argocdNamespace = requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    this.blacklist = [...(props.platformOwnedKinds ?? PLATFORM_OWNED_KINDS)];
    this.whitelist = [...(props.allowedKinds ?? TENANT_KINDS)];
    this.whitelist.forEach((k, i) => {
      if (typeof k?.kind !== 'string' || typeof k?.group !== 'string' || k.kind === '' || k.kind === '*' || k.group === '*') {
        fail(this, `allowedKinds[${i}]`, k, 'a { group, kind } pair without wildcards');
      }
      if (ESCALATING_KINDS.includes(k.kind)) {
        fail(this, `allowedKinds[${i}]`, `${k.group ? k.group + '/' : ''}${k.kind}`, `no kind that grants access (${ESCALATING_KINDS.join(', ')}): a tenant Application could bind itself any role; the platform deploys them`);
      }
    });
    (props.adminGroups ?? []).forEach((g, i) => {
      if (typeof g !== 'string' || g.trim() === '' || /[\s,]/.test(g)) fail(this, `adminGroups[${i}]`, g, 'an SSO group name without spaces or commas');
    });

    this.apiObject = new AppProject(this, 'Resource', {
      metadata: { name: this.projectName, namespace: argocdNamespace },
      spec: {
        description: props.description ?? `Tenant ${this.projectName}: namespaces ${this.namespaces.join(', ')}`,
        sourceRepos: [...props.sourceRepos],
        destinations: this.namespaces.map((namespace) => ({ server, namespace })),
        // Explicitly empty: no cluster-scoped kind (Namespace, ClusterRole, CRD...) may be synced by a tenant.
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: this.whitelist.map((b) => ({ group: b.group, kind: b.kind })),
        namespaceResourceBlacklist: this.blacklist.map((b) => ({ group: b.group, kind: b.kind })),
        roles: props.adminGroups && props.adminGroups.length > 0 ? [{
          name: 'admin',
          description: `Administrators of tenant ${this.projectName}`,
          groups: [...props.adminGroups],
          policies: [
            `p, proj:${this.projectName}:admin, applications, *, ${this.projectName}/*, allow`,
            `p, proj:${this.projectName}:admin, logs, get, ${this.projectName}/*, allow`,
          ],
        }] : undefined,
      },
    });
    setSyncWave(this.apiObject, requireInteger(this, 'syncWave', props.syncWave ?? PROJECT_SYNC_WAVE, -1000, 1000));
  }

  public refusalFor(group: string, kind: string, namespace: string | undefined): string | undefined {
    if (namespace === undefined) {
      return `no cluster-scoped kinds in tenant project "${this.projectName}" (${kind} is cluster-scoped; the platform manages it)`;
    }
    if (this.blacklist.some((b) => b.kind === kind && b.group === group)) {
      return `no ${this.blacklist.map((b) => b.kind).join(', ')} in tenant project "${this.projectName}" (the platform owns them)`;
    }
    if (!this.whitelist.some((b) => b.kind === kind && b.group === group)) {
      return `only the kinds tenant project "${this.projectName}" allows (allowedKinds: ${this.whitelist.map((b) => `${b.group ? b.group + '/' : ''}${b.kind}`).join(', ')}); given ${group ? group + '/' : ''}${kind}`;
    }
    if (!this.namespaces.includes(namespace)) {
      return `namespaces ${this.namespaces.join(', ')} in tenant project "${this.projectName}" (given namespace "${namespace}")`;
    }
    return undefined;
  }
}
