import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppProject } from '../../imports/argocdproject-argoproj.io';
import { fail, requireInteger } from '../core/errors';
import { requireDnsLabel } from '../core/names';
import { setSyncWave } from '../core/sync-wave';
import { IAppProject, PROJECT_SYNC_WAVE } from './project';
import { IN_CLUSTER_SERVER, requireNamespace, requireRepoUrl, requireServerUrl } from './validation';
import { checkProps } from '../core/validate';
import { platformProjectShape } from './shapes';

/** Props of a PlatformProject. */
export interface PlatformProjectProps {
  /** `metadata.name` of the AppProject. */
  readonly name: string;
  /** Git repositories the platform's Applications may sync from. Must not be empty. */
  readonly sourceRepos: string[];
  /**
   * Namespaces the platform may deploy to.
   * @default - every namespace ("*")
   */
  readonly namespaces?: string[];
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
   * @default "Platform: namespaces, quotas, policies and shared services"
   */
  readonly description?: string;
  /**
   * Sync wave of the AppProject object.
   * @default PROJECT_SYNC_WAVE (-30)
   */
  readonly syncWave?: number;
}

/**
 * The AppProject of the platform team: it may manage cluster-scoped kinds (Namespaces) and the objects tenants
 * may not (quotas, limit ranges, network policies), from the listed repositories only.
 */
export class PlatformProject extends Construct implements IAppProject {
  public readonly projectName: string;
  /** Namespaces it may deploy to (`*` for all). */
  public readonly namespaces: string[];
  /** The AppProject object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: PlatformProjectProps) {
    super(scope, id);
    checkProps(this, props, platformProjectShape(), { name: 'PlatformProjectProps' });
    // An AppProject name is an object name (up to 253); kept free of dots for Argo CD RBAC strings.
    this.projectName = requireDnsLabel(this, 'name', props.name, 253);
    if (!Array.isArray(props.sourceRepos) || props.sourceRepos.length === 0) {
      fail(this, 'sourceRepos', props.sourceRepos, 'at least one Git repository URL');
    }
    props.sourceRepos.forEach((r, i) => requireRepoUrl(this, `sourceRepos[${i}]`, r));
    this.namespaces = [...(props.namespaces ?? ['*'])];
    if (this.namespaces.length === 0) fail(this, 'namespaces', this.namespaces, 'at least one namespace, or "*"');
    this.namespaces.forEach((ns, i) => { if (ns !== '*') requireNamespace(this, `namespaces[${i}]`, ns); });
    const server = requireServerUrl(this, 'destinationServer', props.destinationServer ?? IN_CLUSTER_SERVER);
    this.apiObject = new AppProject(this, 'Resource', {
      metadata: { name: this.projectName, namespace: requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd') },
      spec: {
        description: props.description ?? 'Platform: namespaces, quotas, policies and shared services',
        sourceRepos: [...props.sourceRepos],
        destinations: this.namespaces.map((namespace) => ({ server, namespace })),
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    setSyncWave(this.apiObject, requireInteger(this, 'syncWave', props.syncWave ?? PROJECT_SYNC_WAVE, -1000, 1000));
  }

  public refusalFor(_group: string, _kind: string, namespace: string | undefined): string | undefined {
    if (namespace === undefined || this.namespaces.includes('*') || this.namespaces.includes(namespace)) return undefined;
    return `namespaces ${this.namespaces.join(', ')} in project "${this.projectName}" (given namespace "${namespace}")`;
  }
}
