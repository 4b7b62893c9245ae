import { App, Yaml, YamlOutputType } from 'cdk8s';
import { fail, failAll } from '../core/errors';
import { requireDnsLabel } from '../core/names';
import { ConfigManagementPlugin, ConfigManagementPluginProps } from './config-management-plugin';
import type { Environment } from './environment';
import { FileLayout } from './file-layout';
import { FolderChart, useDictionaryChildren } from './folder-chart';
import { applyDefaultSyncWaves } from './kinds';
import { folderChartOf, FolderWriter, linearSynth, SynthesizedFolder, throwValidationErrors, validateOnce } from './linear-synth';
import { defaultSerializerThreads } from './serializer-pool';
import { requireNamespace, requireRepoPath, requireRepoUrl, requireRevision } from './validation';
import { checkProps, pathScope } from '../core/validate';
import { markUniqueObjectsChecked } from '../core/unique-objects';
import { gitOpsAppShape } from './shapes';

/** The upstream Argo CD install the CMP folder's kustomization patches. */
export const ARGO_CD_INSTALL_URL = 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml';

/** Constructs from which the default synth serializes on worker threads. */
const PARALLEL_MIN_CONSTRUCTS = 5000;

/** A worker-thread count: a whole number from 0 to 8. */
function requireThreads(scope: App, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 8) {
    fail(scope, 'serializerThreads', value, 'a whole number from 0 to 8');
  }
  return value;
}

/** Props of a GitOpsApp. */
export interface GitOpsAppProps {
  /**
   * Git repository the tree is committed to (Applications sync from it): `https://host/path`,
   * `ssh://[user@]host/path` or `user@host:path`.
   */
  readonly repoUrl: string;
  /**
   * Folder the tree is written to.
   * @default - $CDK8S_OUTDIR, else "dist"
   */
  readonly outdir?: string;
  /**
   * Path of the output folder inside the repository (what Applications point at).
   * @default "dist"
   */
  readonly repoPath?: string;
  /**
   * Default branch, tag or commit the Applications sync.
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Remove the top-level folders the app writes (environments, plugin folder) before writing, so renamed or
   * removed Applications leave no stale files.
   * @default true
   */
  readonly clean?: boolean;
  /**
   * Worker threads that serialize YAML and write files during `synth()` while the main thread builds the
   * objects: a whole number from 0 to 8, where 0 does everything on the main thread. The files are the same
   * either way.
   * @default - for apps of at least 5,000 constructs, one fewer than the available cores (at most 3); smaller
   * apps serialize on the main thread, where a worker's start-up costs more than it saves
   */
  readonly serializerThreads?: number;
  /**
   * One file per object, or one multi-document file per Application folder.
   * @default FileLayout.FILE_PER_RESOURCE
   */
  readonly fileLayout?: FileLayout;
}

/**
 * The cdk8s App of a GitOps repository. Each Environment is an App of its own (one cluster: app-wide rules
 * such as "one Service name per namespace" see only their environment); the GitOpsApp holds them and the
 * folders shared by all (the Config Management Plugin). `synth()` writes one folder per Argo CD Application
 * (`<outdir>/<env>/<app>/`: a file per object or one per folder, see FileLayout, plus a kustomization.yaml),
 * `<env>/apps/` with the child Applications and AppProjects, and `<env>/root/` with the app-of-apps root.
 *
 * The synth is linear in the number of objects: it validates once, resolves dependencies once, then
 * serializes each chart's objects in dependency order. Plain cdk8s re-runs app-wide dependency resolution and
 * validation for every chart (`chart.toJson()`), which is quadratic with many charts. Each file holds exactly
 * the bytes cdk8s would write for the object (`Yaml.stringify`, same library and options).
 */
export class GitOpsApp extends App {
  /** The Argo CD install manifest the bootstrap instructions point at. */
  public static readonly ARGO_CD_INSTALL_URL = ARGO_CD_INSTALL_URL;

  public readonly repoUrl: string;
  public readonly repoPath: string;
  public readonly targetRevision: string;
  public readonly argocdNamespace: string;
  private readonly clean: boolean;
  private readonly serializerThreads: number | undefined;
  /** How each Application folder is split into files. */
  public readonly fileLayout: FileLayout;
  private readonly envs: Environment[] = [];

  constructor(props: GitOpsAppProps) {
    // Checked before super(), which reads props.outdir.
    super({ outdir: checkProps(pathScope('GitOpsApp'), props, gitOpsAppShape(), { name: 'GitOpsAppProps' }).outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    useDictionaryChildren(this);
    markUniqueObjectsChecked(this);
    this.repoUrl = requireRepoUrl(this, 'repoUrl', props.repoUrl);
    this.repoPath = requireRepoPath(this, 'repoPath', props.repoPath ?? 'dist');
    this.targetRevision = requireRevision(this, 'targetRevision', props.targetRevision ?? 'HEAD');
    this.argocdNamespace = requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    this.clean = props.clean ?? true;
    this.serializerThreads = requireThreads(this, props.serializerThreads);
    this.fileLayout = props.fileLayout ?? FileLayout.FILE_PER_RESOURCE;
  }

  /** The environments, in the order they were created. */
  public get environments(): Environment[] {
    return [...this.envs];
  }

  /**
   * Called by the Environment constructor (a user call would register an environment twice).
   * @internal
   */
  public _registerEnvironment(env: Environment): void {
    this.envs.push(env);
  }

  /**
   * Adds the Config Management Plugin (ConfigMap and repo-server sidecar patch) in its own folder
   * (`argocd-cmp/`), whose kustomization patches the upstream Argo CD install.
   */
  public addConfigManagementPlugin(props: ConfigManagementPluginProps = {}, folder: string = 'argocd-cmp'): ConfigManagementPlugin {
    requireDnsLabel(this, 'addConfigManagementPlugin.folder', folder);
    // Upstream install.yaml has no metadata.namespace (it is applied with `-n argocd`; argo-cd v3.5.1
    // manifests/install.yaml, built from manifests/cluster-install), so the kustomization sets it.
    const namespace = props.argocdNamespace ?? this.argocdNamespace;
    const chart = new FolderChart(this, 'ConfigManagementPlugin', { folder, extraResources: [ARGO_CD_INSTALL_URL], namespace });
    return new ConfigManagementPlugin(chart, 'Plugin', { ...props, argocdNamespace: namespace });
  }

  /** Sync waves of the app's own folders; run by `synth()`, `synthYaml()` and `synthFolders()` (idempotent). */
  public prepare(): void {
    // The app's own folder charts (the plugin folder); each Environment prepares itself.
    for (const c of this.node.children) {
      if (c instanceof FolderChart) applyDefaultSyncWaves(c);
    }
  }

  /**
   * Validates once, resolves dependencies once and returns every folder with its serialized objects: the
   * app's own folders (the plugin folder), then each environment's. Throws with every validation error.
   */
  public synthFolders(): SynthesizedFolder[] {
    this.validateAll();
    const folders = [...linearSynth(this, (chart) => folderChartOf(chart), undefined, true),
      ...this.envs.flatMap((e) => e._synthFolders(true))];
    const seen = new Set<string>();
    for (const f of folders) {
      if (seen.has(f.folder)) {
        fail(this, 'folders', f.folder, 'one writer per folder (an environment name equals another top-level folder)');
      }
      seen.add(f.folder);
    }
    return folders;
  }

  /** Every manifest of the app, in folder order (for tests and tools). */
  public synthManifests(): any[] {
    return this.synthFolders().flatMap((f) => f.objects.map((o) => o.manifest));
  }

  /** Writes folders under the output directory (cleaning their top-level folders first, unless `clean` is off). */
  public writeFolders(folders: SynthesizedFolder[]): void {
    const writer = new FolderWriter(this.outdir, this.clean, 0, this.fileLayout);
    for (const f of folders) writer.write(f);
    writer.finish();
  }

  /**
   * Writes the tree, folder by folder as each is built (the manifests are not all kept in memory). Worker
   * threads serialize and write the files while this thread builds the next folders (`serializerThreads`).
   */
  public override synth(): void {
    const writer = new FolderWriter(this.outdir, this.clean, this.threadsForSynth(), this.fileLayout);
    const sink = (f: SynthesizedFolder) => writer.write(f);
    try {
      this.validateAll();
      linearSynth(this, (chart) => folderChartOf(chart), sink, true);
      const syncErrors = this.envs.flatMap((env) => env._synthFoldersTo(sink, true));
      if (syncErrors.length > 0) failAll(syncErrors);
    } catch (e) {
      try { writer.finish(); } catch { /* the synth error is the one to report */ }
      throw e;
    }
    writer.finish();
  }

  /**
   * Validates the app's own folders and every environment before anything is built or written, and throws
   * once with every error of every environment (each environment's under a line that names it).
   */
  private validateAll(): void {
    this.prepare();
    for (const env of this.envs) env.prepare();
    const errors = validateOnce(this);
    for (const env of this.envs) {
      const own = validateOnce(env);
      if (own.length > 0) errors.push(`environment "${env.environmentName}":`, ...own);
    }
    throwValidationErrors(errors);
  }

  /** The serializer threads of this synth: as set, or by default only for a large app. */
  private threadsForSynth(): number {
    if (this.serializerThreads !== undefined) return this.serializerThreads;
    let constructs = this.node.findAll().length;
    for (const env of this.envs) constructs += env.node.findAll().length;
    return constructs >= PARALLEL_MIN_CONSTRUCTS ? defaultSerializerThreads() : 0;
  }

  /** The whole app as one YAML stream, in linear time. */
  public override synthYaml(): string {
    return Yaml.stringify(...this.synthManifests());
  }
}

