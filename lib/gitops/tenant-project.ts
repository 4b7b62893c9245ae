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

/** The kinds the platform owns in a tenant namespace; tenants may not manage them. */
export const PLATFORM_OWNED_KINDS: GroupKind[] = [
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'LimitRange' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
];

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
   * Namespaced kinds the tenant may not manage, because the platform owns them.
   * @default PLATFORM_OWNED_KINDS (ResourceQuota, LimitRange, NetworkPolicy)
   */
  readonly platformOwnedKinds?: GroupKind[];
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
 * listed, no cluster-scoped kinds, and the platform-owned kinds (ResourceQuota, LimitRange, NetworkPolicy)
 * blacklisted.
 */
export class TenantProject extends Construct implements IAppProject {
  /** The kinds only the platform may create in tenant namespaces (ResourceQuota, LimitRange, NetworkPolicy). */
  public static readonly PLATFORM_OWNED_KINDS: GroupKind[] = PLATFORM_OWNED_KINDS;

  public readonly projectName: string;
  /** Namespaces the tenant may deploy to. */
  public readonly namespaces: string[];
  /** Kinds the tenant may not manage. */
  public readonly blacklist: GroupKind[];
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
    if (!this.namespaces.includes(namespace)) {
      return `namespaces ${this.namespaces.join(', ')} in tenant project "${this.projectName}" (given namespace "${namespace}")`;
    }
    return undefined;
  }
}
