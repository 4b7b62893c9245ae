import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Application as CrdApplication } from '../../imports/argocdapp-argoproj.io';
import { addRule, fail, formatViolation, requireInteger } from '../core/errors';
import { requireDnsLabel, requireLabels } from '../core/names';
import { setSyncWave } from '../core/sync-wave';
import { IgnoreDifference } from '../core/ignore-differences';
import { collectIgnoreDifferences, ignoreDifferenceToJson } from './ignore-differences';
import { isNamespacedKind } from './kinds';
import { apiGroupOf, IAppProject, RESOURCES_FINALIZER } from './project';
import { RetryPolicy, retryToJson, SyncOption } from './sync-options';
import { IN_CLUSTER_SERVER, requireNamespace, requireRepoPath, requireRepoUrl, requireRevision, requireServerUrl } from './validation';
import { checkProps } from '../core/validate';
import { applicationShape } from './shapes';

/** Props shared by Application, AppOfApps and the ApplicationSet template. */
export interface ApplicationSyncOptions {
  /**
   * Sync automatically when Git changes.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Delete objects that were removed from Git (automated sync only).
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Revert changes made in the cluster by hand (automated sync only).
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * Sync options. `RespectIgnoreDifferences=true` is added whenever the Application has ignoreDifferences.
   * @default [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY]
   */
  readonly syncOptions?: SyncOption[];
  /**
   * Retry policy for failed syncs.
   * @default - 5 retries, backoff 5s, factor 2, at most 3m
   */
  readonly retry?: RetryPolicy;
}

/** Props of an Argo CD Application. */
export interface ApplicationProps extends ApplicationSyncOptions {
  /** `metadata.name`, a DNS label. */
  readonly name: string;
  /**
   * Namespace Argo CD runs in (where Application objects live).
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * The AppProject. Every object the Application deploys (see `contents`) is checked against it at synth.
   * @default - the built-in "default" project
   */
  readonly project?: IAppProject;
  /** Git repository holding the synthesized manifests. */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit to sync.
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /** Folder of the manifests inside the repository, for example `dist/prod/serving`. */
  readonly path: string;
  /**
   * Destination cluster API server.
   * @default "https://kubernetes.default.svc" (unless destinationName is set)
   */
  readonly destinationServer?: string;
  /**
   * Destination cluster by its Argo CD name, instead of destinationServer.
   * @default - use destinationServer
   */
  readonly destinationName?: string;
  /**
   * Default namespace for objects without one (ours always have one) and the namespace CreateNamespace creates.
   * @default - none
   */
  readonly destinationNamespace?: string;
  /**
   * Constructs whose objects this Application deploys (its charts). Their `ignoreDifferences` are collected,
   * their namespaces are checked, and the project is checked against their kinds.
   * @default - none
   */
  readonly contents?: IConstruct[];
  /**
   * Extra ignoreDifferences entries, added before the collected ones.
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
  /**
   * Sync wave of the Application object itself (ordering inside an app-of-apps).
   * @default - no wave annotation (Environment sets one from the contents)
   */
  readonly syncWave?: number;
  /**
   * Add the resources finalizer, so deleting the Application deletes what it deployed.
   * @default true
   */
  readonly cascadeDelete?: boolean;
  /**
   * Extra labels on the Application object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Generate the manifests with a Config Management Plugin instead of reading plain YAML: `path` is then the
   * folder the plugin runs in (for the cdk8s plugin, the one holding `cdk8s.yaml`).
   * @default - plain manifests from `path`
   */
  readonly plugin?: ApplicationPluginSource;
}

/**
 * A Config Management Plugin as an Application's source (Argo CD v3.5 Application `spec.source.plugin`).
 */
export interface ApplicationPluginSource {
  /** `<name>-<version>` of the plugin, as `ConfigManagementPlugin.pluginName` gives it (for example "cdk8s-v1.0"). */
  readonly name: string;
  /**
   * Plugin env entries; Argo CD passes each to the plugin as `ARGOCD_ENV_<name>` (for the cdk8s plugin,
   * `GITOPS_ENVIRONMENT` and `GITOPS_APPLICATION` select the folder it prints).
   * @default - none
   */
  readonly env?: { [name: string]: string };
}

/** Builds the syncPolicy JSON shared by Application, AppOfApps and ApplicationSet. */
export function syncPolicyToJson(scope: IConstruct, props: ApplicationSyncOptions, hasIgnoreDifferences: boolean): any {
  const options = (props.syncOptions ?? [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY])
    .map((o, i) => o._validate(scope, `syncOptions[${i}]`)._render());
  if (hasIgnoreDifferences && !options.includes(SyncOption.RESPECT_IGNORE_DIFFERENCES._render())) {
    options.push(SyncOption.RESPECT_IGNORE_DIFFERENCES._render());
  }
  const automated = props.automated ?? true;
  return {
    automated: automated ? { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true } : undefined,
    syncOptions: options.length > 0 ? options : undefined,
    retry: retryToJson(scope, 'retry', props.retry),
  };
}

/**
 * An Argo CD Application: syncs one folder of the repository into a destination, with automated prune and
 * self-heal, retries with backoff, and the ignoreDifferences its contents ask for.
 */
export class Application extends Construct {
  /** The in-cluster API server address. */
  public static readonly IN_CLUSTER_SERVER = IN_CLUSTER_SERVER;

  /** The Application name. */
  public readonly applicationName: string;
  /** The project name. */
  public readonly projectName: string;
  /** The repository path it syncs. */
  public readonly path: string;
  /** The destination namespace, if any. */
  public readonly destinationNamespace?: string;
  /** The Argo CD Application object. */
  public readonly apiObject: ApiObject;
  private readonly contents: IConstruct[];
  private readonly extraIgnore: IgnoreDifference[];
  private objectFilter?: (obj: ApiObject) => boolean;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    checkProps(this, props, applicationShape(), { name: 'ApplicationProps' });
    this.applicationName = requireDnsLabel(this, 'name', props.name);
    const argocdNamespace = requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    requireRepoUrl(this, 'repoUrl', props.repoUrl);
    this.path = requireRepoPath(this, 'path', props.path);
    const targetRevision = requireRevision(this, 'targetRevision', props.targetRevision ?? 'HEAD');
    if (props.destinationServer !== undefined && props.destinationName !== undefined) {
      addRule(this, () => [formatViolation(this, 'destinationName', props.destinationName, 'either destinationServer or destinationName, not both')]);
    }
    const server = props.destinationName === undefined
      ? requireServerUrl(this, 'destinationServer', props.destinationServer ?? IN_CLUSTER_SERVER) : undefined;
    if (props.destinationName !== undefined) requireDnsLabel(this, 'destinationName', props.destinationName, 253);
    this.destinationNamespace = props.destinationNamespace === undefined
      ? undefined : requireNamespace(this, 'destinationNamespace', props.destinationNamespace);
    requireLabels(this, 'labels', props.labels);
    if (props.syncWave !== undefined) requireInteger(this, 'syncWave', props.syncWave, -1000, 1000);
    this.projectName = props.project?.projectName ?? 'default';
    this.contents = [...(props.contents ?? [])];
    this.extraIgnore = [...(props.ignoreDifferences ?? [])];
    props.ignoreDifferences?.forEach((d, i) => {
      if (typeof d.kind !== 'string' || d.kind === '') {
        addRule(this, () => [formatViolation(this, `ignoreDifferences[${i}].kind`, d.kind, 'a non-empty kind')]);
      }
    });

    // Collected when the object is serialized, so constructs added to the charts later still count (a walk of
    // the contents per field: a validation must not cache state for the serializer).
    const ignore = () => this.ignoreDifferences.map(ignoreDifferenceToJson);
    const basePolicy = syncPolicyToJson(this, props, false);
    const withRespect = syncPolicyToJson(this, props, true);

    this.apiObject = new CrdApplication(this, 'Resource', {
      metadata: {
        name: this.applicationName,
        namespace: argocdNamespace,
        labels: props.labels,
        finalizers: (props.cascadeDelete ?? true) ? [RESOURCES_FINALIZER] : undefined,
      },
      spec: {
        project: this.projectName,
        source: { repoUrl: props.repoUrl, targetRevision, path: this.path, plugin: pluginSourceToJson(this, props.plugin) },
        destination: { server, name: props.destinationName, namespace: this.destinationNamespace },
        syncPolicy: Lazy.any({ produce: () => (ignore().length > 0 ? withRespect : basePolicy) }),
        ignoreDifferences: Lazy.any({ produce: () => { const d = ignore(); return d.length > 0 ? d : undefined; } }),
      },
    });
    if (props.syncWave !== undefined) setSyncWave(this.apiObject, props.syncWave);

    addRule(this, () => checkDeployedObjects(this.applicationName, this.contents, props.project, this.objectFilter));
  }

  /**
   * Limits the synth-time checks to the objects of the contents that pass `filter` (the others are deployed by
   * another Application, such as an Environment's platform companion).
   * @internal
   */
  public _filterObjects(filter: (obj: ApiObject) => boolean): void {
    this.objectFilter = filter;
  }

  /** Every ignoreDifferences entry: the explicit ones, then those collected from the contents. */
  public get ignoreDifferences(): IgnoreDifference[] {
    return collectIgnoreDifferences(this.contents, this.extraIgnore);
  }

  /** Adds constructs whose objects this Application deploys. */
  public addContents(...constructs: IConstruct[]): void {
    this.contents.push(...constructs);
  }
}

/** `spec.source.plugin`: env entries sorted by name (GitOps-stable bytes). */
export function pluginSourceToJson(scope: IConstruct, plugin: ApplicationPluginSource | undefined) {
  if (plugin === undefined) return undefined;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(plugin.name)) {
    fail(scope, 'plugin.name', plugin.name, 'a plugin name "<name>-<version>" such as "cdk8s-v1.0"');
  }
  const names = Object.keys(plugin.env ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) fail(scope, `plugin.env.${n}`, n, 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
  }
  return { name: plugin.name, env: names.length > 0 ? names.map((n) => ({ name: n, value: plugin.env![n] })) : undefined };
}

/**
 * The synth-time checks of what an Application deploys: every namespaced object has an explicit namespace,
 * and the project allows every object (kind, group, namespace).
 */
export function checkDeployedObjects(applicationName: string, roots: IConstruct[], project: IAppProject | undefined,
  include?: (obj: ApiObject) => boolean): string[] {
  const errors: string[] = [];
  for (const root of roots) {
    for (const c of root.node.findAll()) {
      if (!(c instanceof ApiObject) || (include !== undefined && !include(c))) continue;
      const ns = c.metadata.namespace;
      const id = `${c.kind}/${c.name}`;
      if (isNamespacedKind(c.kind) && ns === undefined) {
        errors.push(formatViolation(c, 'metadata.namespace', undefined, `an explicit namespace on every namespaced object (${id} in Application "${applicationName}")`));
      }
      const refusal = project?.refusalFor(apiGroupOf(c.apiVersion), c.kind, isNamespacedKind(c.kind) ? ns : undefined);
      if (refusal !== undefined) {
        errors.push(formatViolation(c, 'project', `${id} in Application "${applicationName}"`, refusal));
      }
    }
  }
  return errors;
}
