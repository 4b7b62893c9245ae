import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ITenant } from '../core';
import { ClusterPrerequisites, Prerequisite, PrerequisiteScan, PrerequisiteUse, renderPrerequisites, undeclaredMessage } from '../core/prerequisites';
import { childName, requireDnsLabel } from '../core/names';
import { addRule, fail, failAll, failSynth, formatViolation, labelWarnings } from '../core/errors';
import { SYNC_WAVE_ANNOTATION } from '../core/sync-wave';
import { AppOfApps } from './app-of-apps';
import { Application, checkDeployedObjects } from './application';
import { ApplicationChart, EnvironmentApplicationOptions } from './application-chart';
import { ApplicationSet } from './application-set';
import { CMP_APPLICATION_VAR, CMP_ENVIRONMENT_VAR, ConfigManagementPlugin } from './config-management-plugin';
import { FolderChart, useDictionaryChildren } from './folder-chart';
import { GitOpsApp } from './gitops-app';
import { compareStrings } from './canonical-order';
import { collectIgnoreDifferences } from './ignore-differences';
import { applyDefaultSyncWaves, isNamespacedKind, syncWaveOf } from './kinds';
import { folderChartOf, FolderTarget, linearSynth, SynthesizedFolder } from './linear-synth';
import { PlatformProject } from './platform-project';
import { apiGroupOf } from './project';
import { TenantProject, TenantProjectProps } from './tenant-project';
import { requireRepoPath, requireRevision, requireServerUrl } from './validation';
import { IGNORE_HEALTHCHECK_ANNOTATION, SimEnvironment, simulateBothWays, simulateSync, simulationView, SyncFinding } from './sync-simulation';
import { SyncOption } from './sync-options';
import { checkProps, pathScope } from '../core/validate';
import { markUniqueObjectsChecked } from '../core/unique-objects';
import { environmentApplicationShape, environmentShape } from './shapes';

/** The nearest chart at or above `c`, or undefined. */
function outerChart(c: IConstruct): Chart | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (s instanceof Chart) return s as Chart;
  }
  return undefined;
}

const AUTOSCALER_KINDS = new Set(['HorizontalPodAutoscaler', 'ScaledObject']);

/**
 * Autoscalers (HPA, KEDA ScaledObject) of one Application:
 * - sync in their scale target's wave when the target is in the same Application and in a later wave: an HPA
 *   is Degraded while its target is missing (`FailedGetScale`, argo-cd v3.5.1
 *   gitops-engine/pkg/health/health_hpa.go), and a Degraded object in a wave that is not the last fails the
 *   sync (gitops-engine/pkg/sync/sync_context.go);
 * - carry `argocd.argoproj.io/ignore-healthcheck: "true"`: an HPA on a custom metric is also Degraded until the
 *   metric is served (`FailedGetPodsMetric`), that is until the model servers run and are scraped, which says
 *   nothing about whether later Applications may sync. The annotation keeps it out of its Application's health
 *   (argo-cd controller/health.go), so with the Application health check the root does not stop on it.
 */
function alignAutoscalers(chart: IConstruct): void {
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const scalers = objects.filter((o) => AUTOSCALER_KINDS.has(o.kind));
  if (scalers.length === 0) return;
  const byRef = new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.name}`, o]));
  for (const scaler of scalers) {
    scaler.metadata.addAnnotation(IGNORE_HEALTHCHECK_ANNOTATION, 'true');
    const ref = scaler.toJson().spec?.scaleTargetRef;
    const target = ref ? byRef.get(`${ref.kind ?? 'Deployment'}/${scaler.metadata.namespace ?? ''}/${ref.name}`) : undefined;
    const [own, theirs] = [syncWaveOf(scaler) ?? 0, target ? syncWaveOf(target) ?? 0 : undefined];
    if (theirs !== undefined && theirs > own) scaler.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(theirs));
  }
}

/**
 * The sync options of an environment's Application: as given, else CreateNamespace and server-side apply, but
 * no CreateNamespace in a tenant's project: the tenant's namespace is the platform's (labels for Pod Security,
 * quota, limit ranges); created by Argo CD first, it would admit pods before any of them exist.
 */
function effectiveSyncOptions(options: EnvironmentApplicationOptions): SyncOption[] {
  if (options.syncOptions !== undefined) return options.syncOptions;
  return options.project instanceof TenantProject ? [SyncOption.SERVER_SIDE_APPLY] : [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY];
}

/** Kinds a tenant's chart may hold for one service that its project refuses: a platform companion deploys them. */
const COMPANION_KINDS = new Set(['networking.k8s.io/NetworkPolicy', '/ServiceAccount', 'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding']);

/** The platform companion of a tenant Application. */
interface Companion {
  readonly folder: string;
  readonly applicationName: string;
  readonly repoFolder: string;
  application?: Application;
  readonly objects: ApiObject[];
}

/** Folder names inside an environment that Applications cannot take. */
export const RESERVED_FOLDERS = ['apps', 'root'];

/** Props of an Environment. */
export interface EnvironmentProps {
  /**
   * Environment name, a DNS label of at most 30 characters: the first folder level and the prefix of every
   * Application and AppProject name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Branch, tag or commit every Application of the environment syncs (prod can pin a release tag).
   * @default - the GitOpsApp's targetRevision
   */
  readonly targetRevision?: string;
  /**
   * Cluster the environment deploys to.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * Generate the child Applications with one ApplicationSet (list generator) instead of writing one
   * Application manifest per folder.
   * @default false
   */
  readonly useApplicationSet?: boolean;
  /**
   * With `useApplicationSet`: sync the generated Applications in sync-wave order with the ApplicationSet's
   * RollingSync strategy (Progressive Syncs, a cluster prerequisite: `Prerequisite.argoCdProgressiveSyncs()`).
   * Off, nothing orders the Applications, and the synth refuses a tree whose objects reference what another
   * Application applies (a namespace, a scale target, ...).
   * @default true when useApplicationSet is set
   */
  readonly rollingSync?: boolean;
  /**
   * Have Argo CD run the synth itself: every Application of the environment (platform companions included)
   * takes the Config Management Plugin as its source, with the plugin env entries `GITOPS_ENVIRONMENT` and
   * `GITOPS_APPLICATION` naming its folder, instead of reading the rendered folder from Git. The folders are
   * still written (for review and for `kubectl diff`). With `useApplicationSet`, each element carries the plugin.
   * @default - none: Applications read the rendered manifests from `<repoPath>/<env>/<name>`
   */
  readonly pluginSource?: EnvironmentPluginSource;
}

/** A Config Management Plugin as the source of an environment's Applications (docs/gitops.md). */
export interface EnvironmentPluginSource {
  /** The plugin, as `GitOpsApp.addConfigManagementPlugin()` returns it (same GitOpsApp): Applications name its `pluginName`. */
  readonly plugin: ConfigManagementPlugin;
  /**
   * Repository folder the plugin runs in: the one holding `cdk8s.yaml` (the plugin's `discover.fileName`) and
   * `package-lock.json`.
   * @default "." (the repository root)
   */
  readonly path?: string;
}

/** One Application of an environment. */
export interface EnvironmentApplication {
  /** The chart whose objects it deploys. */
  readonly chart: Chart;
  /** The short name. */
  readonly name: string;
  /** The folder, `<env>/<name>`. */
  readonly folder: string;
  /** `<env>-<name>`, the Argo CD name. */
  readonly applicationName: string;
  /** `<repoPath>/<env>/<name>`, the path Argo CD syncs. */
  readonly repoFolder: string;
  /** The options it was added with. */
  readonly options: EnvironmentApplicationOptions;
  /**
   * The Argo CD Application.
   * @default - none when the environment uses an ApplicationSet
   */
  readonly application?: Application;
}

/** Options of a tenant's AppProject in an environment. */
export interface EnvironmentTenantProjectOptions {
  /**
   * Extra namespaces besides the tenant's own.
   * @default - none
   */
  readonly extraNamespaces?: string[];
  /**
   * SSO groups that administer the tenant's Applications.
   * @default - none
   */
  readonly adminGroups?: string[];
}

/**
 * One environment of the GitOps tree (dev, staging, prod): `<env>/<app>/` folders for its Applications,
 * `<env>/apps/` with their Argo CD Application manifests and AppProjects, and `<env>/root/` with the
 * app-of-apps root Application that syncs `<env>/apps/`.
 *
 * An Environment is a cdk8s App of its own (the root of its construct tree), because it stands for one
 * cluster: rules that look at "the whole app" (unique Service names, quota sums, HPA metrics served) see
 * only this environment, and dev, staging and prod can reuse the same namespaces and names.
 */
export class Environment extends App {
  /** Top-level folder names an environment reserves. */
  public static readonly RESERVED_FOLDERS: string[] = RESERVED_FOLDERS;

  /** The Environment a construct belongs to, or undefined. */
  public static find(c: IConstruct): Environment | undefined {
    const root = c.node.root;
    return root instanceof Environment ? root : undefined;
  }

  public readonly environmentName: string;
  public readonly targetRevision: string;
  public readonly destinationServer?: string;
  /** `<env>/apps`: AppProjects and child Applications (or the ApplicationSet). */
  public readonly appsChart: FolderChart;
  /** `<env>/root`: the root Application. */
  public readonly rootChart: FolderChart;
  /** The root app-of-apps Application. */
  public readonly root: AppOfApps;
  /** The ApplicationSet, when `useApplicationSet` is set. */
  public readonly applicationSet?: ApplicationSet;
  private readonly gitops: GitOpsApp;
  private readonly label: IConstruct;
  private readonly apps = new Map<string, EnvironmentApplication>();
  private readonly byChart = new Map<Chart, EnvironmentApplication>();
  private platformProject?: PlatformProject;
  /** Platform companions of tenant Applications, by the tenant Application's short name. */
  private readonly companions = new Map<string, Companion>();
  /** Objects of tenant charts deployed by a companion instead (refreshed by prepare). */
  private readonly routed = new Map<ApiObject, Companion>();
  private readonly companionErrors: string[] = [];
  private readonly pluginSource?: { readonly name: string; readonly path: string };

  /**
   * @param scope the GitOpsApp it belongs to (an Environment is its own construct root; the GitOpsApp
   *   only lists it)
   * @param id the default name
   */
  constructor(scope: GitOpsApp, id: string, props: EnvironmentProps = {}) {
    super({ outdir: scope.outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    checkProps(pathScope(id), props, environmentShape(), { name: 'EnvironmentProps' });
    // Each Application checks its own objects for duplicates, with the Application in the message.
    markUniqueObjectsChecked(this);
    useDictionaryChildren(this);
    // As a root, the environment's own path is ''; its messages name it by id instead.
    this.label = { node: { path: id } } as unknown as IConstruct;
    if (!(scope instanceof GitOpsApp)) fail(this.label, 'scope', String(scope), 'a GitOpsApp');
    this.gitops = scope;
    this.environmentName = requireDnsLabel(this.label, 'name', props.name ?? id, 30);
    // Same wording as the validation errors the GitOpsApp groups by environment.
    labelWarnings(this, `environment "${this.environmentName}"`);
    this.targetRevision = requireRevision(this.label, 'targetRevision', props.targetRevision ?? scope.targetRevision);
    this.destinationServer = props.destinationServer === undefined ? undefined : requireServerUrl(this.label, 'destinationServer', props.destinationServer);
    for (const other of scope.environments) {
      if (other !== this && other.environmentName === this.environmentName) {
        fail(this.label, 'name', this.environmentName, 'a name no other environment of the GitOpsApp uses');
      }
    }
    if (props.pluginSource !== undefined) {
      const plugin = props.pluginSource.plugin;
      if (!(plugin instanceof ConfigManagementPlugin) || plugin.node.root !== scope) {
        fail(this.label, 'pluginSource.plugin', plugin instanceof ConfigManagementPlugin ? plugin.node.path : String(plugin),
          'the ConfigManagementPlugin of the same GitOpsApp (GitOpsApp.addConfigManagementPlugin())');
      }
      this.pluginSource = { name: plugin.pluginName, path: requireRepoPath(this.label, 'pluginSource.path', props.pluginSource.path ?? '.') };
      // The sidecar is what the GitOpsApp writes to the plugin's folder: declared, so <env>/PREREQUISITES.md says so.
      new ClusterPrerequisites(this, 'PluginSourcePrerequisite', { declared: [Prerequisite.configManagementPlugin(plugin.pluginName,
        `the argocd-repo-server sidecar of ${FolderChart.find(plugin)?.folder ?? 'GitOpsApp.addConfigManagementPlugin()'}/ (kubectl apply --server-side -k)`)] });
    }
    scope._registerEnvironment(this);
    this.appsChart = new FolderChart(this, 'Apps', { folder: `${this.environmentName}/apps` });
    this.rootChart = new FolderChart(this, 'Root', { folder: `${this.environmentName}/root` });
    this.root = new AppOfApps(this.rootChart, 'AppOfApps', {
      environment: this.environmentName,
      repoUrl: scope.repoUrl,
      targetRevision: this.targetRevision,
      path: `${scope.repoPath}/${this.environmentName}/apps`,
      argocdNamespace: scope.argocdNamespace,
    });
    if (props.rollingSync !== undefined && !props.useApplicationSet) {
      fail(this.label, 'rollingSync', props.rollingSync, 'only with useApplicationSet: true (the root app-of-apps orders Applications by wave itself)');
    }
    if (props.useApplicationSet) {
      this.applicationSet = new ApplicationSet(this.appsChart, 'ApplicationSet', {
        rollingSync: props.rollingSync ?? true,
        name: `${this.environmentName}-apps`,
        argocdNamespace: scope.argocdNamespace,
        repoUrl: scope.repoUrl,
        targetRevision: this.targetRevision,
        destinationServer: this.destinationServer,
      });
      this.applicationSet._restrictProjects(() => this.appsChart.node.children
        .filter((c): c is TenantProject | PlatformProject => c instanceof TenantProject || c instanceof PlatformProject)
        .map((p) => p.projectName).sort(compareStrings));
    }
    addRule(this, () => this.checkSharedObjects());
    addRule(this, () => [...this.companionErrors]);
  }

  /** The Applications of this environment, in the order they were added. */
  public get applications(): EnvironmentApplication[] {
    return [...this.apps.values()];
  }

  /** The folder of a chart adopted with `addApplicationForChart`, or undefined. */
  public folderOf(chart: Chart): string | undefined {
    return this.byChart.get(chart)?.folder;
  }

  /** Adds an Application: returns the chart to put its constructs in. */
  public addApplication(id: string, options: EnvironmentApplicationOptions = {}): ApplicationChart {
    checkProps(this.label, options, environmentApplicationShape(), { name: 'EnvironmentApplicationOptions' });
    const name = this.checkName(`addApplication("${id}").name`, options.name ?? id);
    const chart = new ApplicationChart(this, id, {
      ...options, environment: this.environmentName, shortName: name, repoPath: this.gitops.repoPath,
    });
    chart.application = this.register(chart, id, name, options);
    return chart;
  }

  /**
   * Makes an existing chart (a direct child of this environment, for example one a builder function created
   * with `new Chart(env, id)`) an Application of its own, written to `<env>/<name>/`.
   */
  public addApplicationForChart(chart: Chart, options: EnvironmentApplicationOptions = {}): EnvironmentApplication {
    checkProps(this.label, options, environmentApplicationShape(), { name: 'EnvironmentApplicationOptions' });
    if (chart.node.root !== this || FolderChart.find(chart) !== undefined || chart.node.scope === undefined
      || outerChart(chart.node.scope) !== undefined) {
      fail(this.label, 'addApplicationForChart.chart', chart.node.path, `a top-level Chart (in no other chart) of environment "${this.environmentName}"`);
    }
    if (this.byChart.has(chart)) {
      fail(this.label, 'addApplicationForChart.chart', chart.node.path, 'a chart that is not an Application yet');
    }
    const name = this.checkName(`addApplicationForChart("${chart.node.id}").name`, options.name ?? chart.node.id);
    this.register(chart, chart.node.id, name, options);
    return this.apps.get(name)!;
  }

  /**
   * Validates once and serializes this environment's folders (see `linearSynth`), then simulates the Argo CD
   * sync (`simulateSync`, both ways): an error of the simulation fails the synth.
   */
  public synthFolders(): SynthesizedFolder[] {
    return this._synthFolders(false);
  }

  /**
   * The folders; `validated` when the GitOpsApp has already validated every environment.
   * @internal
   */
  public _synthFolders(validated: boolean): SynthesizedFolder[] {
    this.prepare();
    const folders = linearSynth(this, (chart) => this.targetOf(chart), undefined, validated, this.routeOf);
    const scan = new PrerequisiteScan();
    for (const f of folders) scan.add(f.objects.map((o) => o.manifest));
    this.checkPrerequisites(scan);
    const errors = this.syncErrors(new Map(folders.map((f) => [f.folder, f.objects.map((o) => o.manifest)])));
    if (errors.length > 0) failAll(errors);
    return folders;
  }

  /**
   * The same folders, handed to `sink` one by one as they are built (GitOpsApp.synth writes them so). Returns
   * the sync simulation's errors (the GitOpsApp reports those of every environment together).
   * @internal
   */
  public _synthFoldersTo(sink: (folder: SynthesizedFolder) => void, validated: boolean = false): string[] {
    this.prepare();
    // Only what the simulation reads is kept of each object until the environment is checked.
    const views = new Map<string, any[]>();
    const scan = new PrerequisiteScan();
    linearSynth(this, (chart) => this.targetOf(chart), (f) => {
      scan.add(f.objects.map((o) => o.manifest));
      views.set(f.folder, f.objects.map((o) => simulationView(o.manifest)));
      sink(f);
    }, validated, this.routeOf);
    this.writePrerequisites(this.checkPrerequisites(scan));
    return this.syncErrors(views);
  }

  /**
   * Simulates how Argo CD syncs this environment (docs/gitops.md, "Sync simulation"): Applications by the
   * root's waves, objects by wave inside each, Argo CD's health rules for every kind the library emits, with
   * the Application health check on (`applicationHealthCheck`) or off. Returns deadlocks and objects applied
   * before what they reference (errors), and references only retries resolve (warnings).
   */
  public simulateSync(applicationHealthCheck: boolean): SyncFinding[] {
    this.prepare();
    const folders = linearSynth(this, (chart) => this.targetOf(chart), undefined, false, this.routeOf);
    return simulateSync(this.simulationInput(new Map(folders.map((f) => [f.folder, f.objects.map((o) => o.manifest)]))), applicationHealthCheck);
  }

  /** The simulation's errors, both ways, in the standard message format. */
  private syncErrors(manifestsByFolder: Map<string, any[]>): string[] {
    const byName = new Map(this.applications.map((a) => [a.applicationName, a]));
    return simulateBothWays(this.simulationInput(manifestsByFolder)).filter((f) => f.severity === 'error').map((f) => {
      const app = byName.get(f.application);
      return formatViolation(`${this.environmentName}/${app ? app.chart.node.path : 'root'}`, 'sync',
        `${f.object ? f.object + ': ' : ''}${f.message}`,
        'an environment Argo CD syncs to Healthy with the Application health check on and off, every reference applied no later than what references it (docs/gitops.md, "Sync simulation")');
    });
  }

  private simulationInput(manifestsByFolder: Map<string, any[]>): SimEnvironment {
    return {
      name: this.environmentName,
      ordered: this.applicationSet === undefined,
      rollingSync: this.applicationSet?.rollingSync,
      applications: this.applications.map((a) => {
        const options = effectiveSyncOptions(a.options);
        const creates = a.options.namespace !== undefined && options.some((o) => o._render() === SyncOption.CREATE_NAMESPACE._render());
        return {
          name: a.applicationName,
          wave: this.waveOf(a),
          createdNamespace: creates ? a.options.namespace : undefined,
          objects: manifestsByFolder.get(a.folder) ?? [],
        };
      }).concat([...this.companions.values()].filter((c) => c.objects.length > 0).map((c) => ({
        name: c.applicationName,
        wave: this.companionWave(c),
        createdNamespace: undefined,
        objects: manifestsByFolder.get(c.folder) ?? [],
      }))),
    };
  }

  /**
   * The cluster prerequisites of the last synth: what the output references and does not create (see
   * ClusterPrerequisites); written to `<env>/PREREQUISITES.md`.
   * @internal
   */
  public _prerequisites: PrerequisiteUse[] = [];

  /** Fails the synth for a reference neither created nor declared (lib/core/prerequisites.ts). */
  private checkPrerequisites(scan: PrerequisiteScan): PrerequisiteUse[] {
    const { uses, undeclared } = scan.result(ClusterPrerequisites.declaredIn(this));
    if (undeclared.length > 0) failSynth(undeclaredMessage(this.environmentName, undeclared));
    this._prerequisites = uses;
    return uses;
  }

  private writePrerequisites(uses: PrerequisiteUse[]): void {
    if (uses.length === 0) return;
    const dir = path.join(this.gitops.outdir, this.environmentName);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'PREREQUISITES.md'), renderPrerequisites(this.environmentName, uses), 'utf8');
  }

  /** This environment's manifests as one YAML stream, in linear time (what the test harness reads). */
  public override synthYaml(): string {
    return Yaml.stringify(...this.synthFolders().flatMap((f) => f.objects.map((o) => o.manifest)));
  }

  /** Writes only this environment's folders. */
  public override synth(): void {
    this.gitops.writeFolders(this.synthFolders());
    this.writePrerequisites(this._prerequisites);
  }

  /** The folder of an object a companion deploys. */
  private readonly routeOf = (obj: ApiObject): FolderTarget | undefined => {
    const c = this.routed.get(obj);
    return c ? { folder: c.folder } : undefined;
  };

  private targetOf(chart: Chart): FolderTarget | undefined {
    for (let s: IConstruct | undefined = chart; s; s = s.node.scope) {
      const adopted = this.byChart.get(s as Chart);
      if (adopted) return { folder: adopted.folder };
      if (FolderChart.find(s) === s) return folderChartOf(s as Chart);
    }
    return undefined;
  }

  private checkName(prop: string, name: string): string {
    requireDnsLabel(this.label, prop, name);
    if (RESERVED_FOLDERS.includes(name)) {
      fail(this.label, prop, name, `a name other than ${RESERVED_FOLDERS.map((r) => `"${r}"`).join(', ')} (folders of the environment)`);
    }
    if (this.apps.has(name)) {
      fail(this.label, prop, name, `a name no other Application of environment "${this.environmentName}" uses (${this.apps.get(name)!.chart.node.path} has it)`);
    }
    childName(this.label, prop, [this.environmentName, name]);
    return name;
  }

  private register(chart: Chart, id: string, name: string, options: EnvironmentApplicationOptions): Application | undefined {
    const info: EnvironmentApplication = {
      chart, options, name,
      folder: `${this.environmentName}/${name}`,
      applicationName: `${this.environmentName}-${name}`,
      repoFolder: `${this.gitops.repoPath}/${this.environmentName}/${name}`,
    };
    this.apps.set(name, info);
    this.byChart.set(chart, info);
    // An adopted chart's first child usually has a unique id (see useDictionaryChildren).
    useDictionaryChildren(chart);
    let application: Application | undefined;
    if (!this.applicationSet) {
      application = new Application(this.appsChart, `${id}Application`, {
        ...options,
        syncOptions: effectiveSyncOptions(options),
        name: info.applicationName,
        argocdNamespace: this.gitops.argocdNamespace,
        repoUrl: this.gitops.repoUrl,
        targetRevision: this.targetRevision,
        ...this.sourceOf(name, info.repoFolder),
        destinationServer: this.destinationServer,
        destinationNamespace: options.namespace,
        contents: [chart],
        labels: { 'gpu-platform.dev/environment': this.environmentName },
      });
      // What a platform companion deploys is checked there, against the platform project.
      application._filterObjects((o) => !this.routed.has(o));
    } else {
      const project = options.project;
      if (project !== undefined && !(project.node.scope === this.appsChart)) {
        fail(this.label, `addApplication("${id}").project`, `${project.projectName} (Application "${info.applicationName}")`,
          `an AppProject of environment "${this.environmentName}" (Environment.addTenantProject() or addPlatformProject())`);
      }
      // No Application object to hang the checks on: the chart checks itself against its project.
      addRule(chart, () => checkDeployedObjects(info.applicationName, [chart], options.project, (o) => !this.routed.has(o)));
    }
    (info as { application?: Application }).application = application;
    return application;
  }

  /** Adds the AppProject of a tenant, named `<env>-<tenant>`, limited to the tenant's namespace. */
  public addTenantProject(tenant: ITenant, options: EnvironmentTenantProjectOptions = {}): TenantProject {
    const props: TenantProjectProps = {
      tenant,
      // AppProject names are object names (DNS-1123 subdomains, 253); no dots, so the name also reads well in RBAC.
      name: childName(this.label, 'addTenantProject.tenant', [this.environmentName, tenant.tenantName], 253),
      namespaces: [tenant.namespaceName, ...(options.extraNamespaces ?? [])],
      sourceRepos: [this.gitops.repoUrl],
      destinationServer: this.destinationServer,
      argocdNamespace: this.gitops.argocdNamespace,
      adminGroups: options.adminGroups,
    };
    if (this.appsChart.node.tryFindChild(`Project-${tenant.tenantName}`)) {
      fail(this.label, 'addTenantProject.tenant', tenant.tenantName,
        `a tenant whose tenantName no other tenant project of environment "${this.environmentName}" uses (AppProject "${props.name}" exists already)`);
    }
    return new TenantProject(this.appsChart, `Project-${tenant.tenantName}`, props);
  }

  /** Adds the platform team's AppProject, named `<env>-platform`. */
  public addPlatformProject(): PlatformProject {
    this.platformProject = new PlatformProject(this.appsChart, 'PlatformProject', {
      name: `${this.environmentName}-platform`,
      sourceRepos: [this.gitops.repoUrl],
      destinationServer: this.destinationServer,
      argocdNamespace: this.gitops.argocdNamespace,
    });
    return this.platformProject;
  }

  /**
   * Synth-time preparation (idempotent), run by `synth()`, `synthYaml()` and `synthFolders()` of the
   * Environment and of its GitOpsApp before they validate and serialize. Call it before serializing a chart
   * of the environment another way (`chart.toJson()`, `Testing.synth`):
   * default sync waves on every object, then each Application's wave from the lowest wave it deploys, then
   * the ApplicationSet elements.
   */
  public prepare(): void {
    for (const a of this.apps.values()) {
      applyDefaultSyncWaves(a.chart);
      alignAutoscalers(a.chart);
    }
    this.routeToCompanions();
    for (const a of this.apps.values()) {
      const app = a.application?.apiObject;
      if (app && syncWaveOf(app) === undefined) {
        app.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(this.waveOf(a)));
      }
    }
    for (const c of this.companions.values()) {
      const app = c.application?.apiObject;
      if (app && c.objects.length > 0) app.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(this.companionWave(c)));
    }
    if (this.applicationSet) {
      // Each element carries the sync policy and ignoreDifferences its Application has in an app-of-apps tree
      // (the ApplicationSet's templatePatch applies them): a tenant's Application gets no CreateNamespace.
      this.applicationSet.replaceElements([...this.applications.map((c) => ({
        name: c.applicationName,
        ...this.sourceOf(c.name, c.repoFolder),
        project: c.options.project?.projectName ?? 'default',
        namespace: c.options.namespace,
        syncWave: this.waveOf(c),
        syncOptions: effectiveSyncOptions(c.options),
        automated: c.options.automated,
        prune: c.options.prune,
        selfHeal: c.options.selfHeal,
        retry: c.options.retry,
        ignoreDifferences: collectIgnoreDifferences([c.chart], c.options.ignoreDifferences ?? []),
      })), ...[...this.companions.values()].filter((c) => c.objects.length > 0).map((c) => ({
        name: c.applicationName,
        ...this.sourceOf(c.folder.slice(this.environmentName.length + 1), c.repoFolder),
        project: this.platformProject?.projectName ?? 'default',
        syncWave: this.companionWave(c),
        syncOptions: [SyncOption.SERVER_SIDE_APPLY],
      }))]);
    }
    applyDefaultSyncWaves(this.appsChart);
  }

  /**
   * Tenant Applications ship services through the tenant's own project, which refuses what grants or widens
   * access. The per-service objects of that kind (a service's NetworkPolicies, ServiceAccount, Role and
   * RoleBinding) go to a platform companion Application, `<env>-<name>-platform` in the platform project,
   * written to `<env>/<name>-platform/`: the platform owns and reviews them, the tenant's project cannot sync
   * them. Anything else the tenant project refuses stays an error of the tenant Application.
   */
  private routeToCompanions(): void {
    this.routed.clear();
    this.companionErrors.length = 0;
    for (const c of this.companions.values()) c.objects.length = 0;
    for (const a of this.apps.values()) {
      const project = a.options.project;
      if (!(project instanceof TenantProject)) continue;
      for (const obj of a.chart.node.findAll()) {
        if (!(obj instanceof ApiObject) || !COMPANION_KINDS.has(`${apiGroupOf(obj.apiVersion)}/${obj.kind}`)) continue;
        const ns = obj.metadata.namespace;
        if (ns === undefined || !project.namespaces.includes(ns) || project.refusalFor(apiGroupOf(obj.apiVersion), obj.kind, ns) === undefined) continue;
        const companion = this.companionOf(a);
        if (!companion) break;
        companion.objects.push(obj);
        this.routed.set(obj, companion);
      }
    }
  }

  private companionOf(a: EnvironmentApplication): Companion | undefined {
    const existing = this.companions.get(a.name);
    if (existing) return existing;
    const name = `${a.name}-platform`;
    const fail2 = (allowed: string) => {
      this.companionErrors.push(formatViolation(a.chart, 'project', `${a.options.project!.projectName} (its NetworkPolicies, ServiceAccounts or RBAC go to a platform companion Application "${this.environmentName}-${name}")`, allowed));
      return undefined;
    };
    if (!this.platformProject) return fail2('an environment with a platform project (Environment.addPlatformProject()) to own them');
    if (this.apps.has(name) || RESERVED_FOLDERS.includes(name)) return fail2(`no other Application named "${name}"`);
    const companion: Companion = {
      folder: `${this.environmentName}/${name}`,
      applicationName: childName(a.chart, 'name', [this.environmentName, name]),
      repoFolder: `${this.gitops.repoPath}/${this.environmentName}/${name}`,
      objects: [],
    };
    if (!this.applicationSet) {
      companion.application = new Application(this.appsChart, `Companion-${a.name}`, {
        name: companion.applicationName,
        project: this.platformProject,
        argocdNamespace: this.gitops.argocdNamespace,
        repoUrl: this.gitops.repoUrl,
        targetRevision: this.targetRevision,
        ...this.sourceOf(name, companion.repoFolder),
        destinationServer: this.destinationServer,
        syncOptions: [SyncOption.SERVER_SIDE_APPLY],
        labels: { 'gpu-platform.dev/environment': this.environmentName },
      });
    }
    const platform = this.platformProject;
    addRule(companion.application ?? a.chart, () => checkDeployedObjects(companion.applicationName, [a.chart], platform, (o) => this.routed.get(o) === companion));
    this.companions.set(a.name, companion);
    return companion;
  }

  /**
   * The source of an Application whose folder is `<env>/<shortName>`: that folder in Git, or the plugin run at
   * `pluginSource.path`, which prints the folder its two env entries name (ConfigManagementPlugin's generate).
   */
  private sourceOf(shortName: string, repoFolder: string): { path: string; plugin?: { name: string; env: { [name: string]: string } } } {
    if (!this.pluginSource) return { path: repoFolder };
    return {
      path: this.pluginSource.path,
      plugin: { name: this.pluginSource.name, env: { [CMP_ENVIRONMENT_VAR]: this.environmentName, [CMP_APPLICATION_VAR]: shortName } },
    };
  }

  private companionWave(c: Companion): number {
    let min: number | undefined;
    for (const o of c.objects) {
      const w = syncWaveOf(o);
      if (w !== undefined && Number.isFinite(w) && (min === undefined || w < min)) min = w;
    }
    return min ?? 0;
  }

  private waveOf(app: EnvironmentApplication): number {
    if (app.options.syncWave !== undefined) return app.options.syncWave;
    let min: number | undefined;
    for (const c of app.chart.node.findAll()) {
      if (c instanceof ApiObject && !this.routed.has(c)) {
        const w = syncWaveOf(c);
        if (w !== undefined && Number.isFinite(w) && (min === undefined || w < min)) min = w;
      }
    }
    return min ?? 0;
  }

  /** Two Applications of one environment must not manage the same object (Argo CD would flap between them). */
  private checkSharedObjects(): string[] {
    const owners = new Map<string, string>();
    const errors: string[] = [];
    for (const app of this.apps.values()) {
      for (const c of app.chart.node.findAll()) {
        if (!(c instanceof ApiObject)) continue;
        const ns = isNamespacedKind(c.kind) ? c.metadata.namespace ?? '' : '';
        const key = `${apiGroupOf(c.apiVersion)}/${c.kind}/${ns}/${c.name}`;
        const owner = owners.get(key);
        if (owner !== undefined && owner !== app.applicationName) {
          errors.push(formatViolation(c, 'metadata.name', `${c.kind}/${ns ? ns + '/' : ''}${c.name}`,
            `an object only one Application manages (also in Application "${owner}" of environment "${this.environmentName}")`));
        } else {
          owners.set(key, app.applicationName);
        }
      }
    }
    return errors;
  }
}
