import { Construct } from 'constructs';
import { requireDnsLabel } from '../core/names';
import { Application, ApplicationSyncOptions } from './application';
import { SyncOption } from './sync-options';
import { checkProps } from '../core/validate';
import { appOfAppsShape } from './shapes';

/**
 * Props of an AppOfApps. The sync options (`automated`, `prune`, `selfHeal`, `retry`) are those of
 * Application, except that `syncOptions` defaults to `[SyncOption.PRUNE_LAST]`: the child Applications are
 * pruned after everything else has synced.
 */
export interface AppOfAppsProps extends ApplicationSyncOptions {
  /** The environment name; the Application is called `<environment>-root`. */
  readonly environment: string;
  /**
   * `metadata.name` of the root Application.
   * @default "<environment>-root"
   */
  readonly name?: string;
  /** Git repository holding the synthesized tree. */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit.
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /** The folder of child Applications, for example `dist/prod/apps`. */
  readonly path: string;
  /**
   * Namespace Argo CD runs in; the child Applications and AppProjects are created there.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Cluster that runs Argo CD.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
}

/**
 * The root Application of an environment (the app-of-apps pattern): it syncs the folder that holds the
 * environment's AppProjects and child Applications, in the admin `default` project. Apply it once by hand
 * (`kubectl apply -k dist/<env>/root`); Argo CD then manages everything else from Git.
 */
export class AppOfApps extends Construct {
  /** The root Application. */
  public readonly application: Application;

  constructor(scope: Construct, id: string, props: AppOfAppsProps) {
    super(scope, id);
    checkProps(this, props, appOfAppsShape(), { name: 'AppOfAppsProps' });
    const env = requireDnsLabel(this, 'environment', props.environment);
    const argocdNamespace = props.argocdNamespace ?? 'argocd';
    this.application = new Application(this, 'Application', {
      ...props,
      name: props.name ?? `${env}-root`,
      argocdNamespace,
      destinationNamespace: argocdNamespace,
      // Removing a child Application from Git prunes it last, after everything else has synced.
      syncOptions: props.syncOptions ?? [SyncOption.PRUNE_LAST],
      labels: { 'gpu-platform.dev/environment': env },
    });
  }
}
