import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail, failAll } from '../core/errors';
import { shareTenantUsage } from '../core/tenant';
import { compareManifests, compareStrings } from './canonical-order';
import { FileLayout } from './file-layout';
import { FolderChart } from './folder-chart';
import { FileJob, MEMO_CAPACITY, memoizedYaml, PoolStats, SerializerPool } from './serializer-pool';
import { YamlDiskCache, yamlDiskCache } from './yaml-cache';

/** One object of the tree, serialized. */
export interface SynthesizedObject {
  /**
   * File name of the object in FileLayout.FILE_PER_RESOURCE, for example `deployment-vllm.yaml` (also the
   * file of a kustomize patch in every layout).
   */
  readonly fileName: string;
  /** The manifest (as `ApiObject.toJson()` returns it). */
  readonly manifest: any;
  /** True when the kustomization lists it as a patch. */
  readonly patch: boolean;
  /** The construct path, for messages. */
  readonly path: string;
}

/** One folder of the tree. */
export interface SynthesizedFolder {
  /** Folder relative to the output directory, for example `prod/serving`. */
  readonly folder: string;
  /** Remote kustomize resources listed before the files. */
  readonly extraResources: string[];
  /**
   * Namespace the kustomization sets on every object (kustomize `namespace:`).
   * @default - none
   */
  readonly namespace?: string;
  /** The objects, in canonical order (the order Argo CD applies them: wave, kind, name). */
  readonly objects: SynthesizedObject[];
}

/** Where a chart's objects are written. */
export interface FolderTarget {
  readonly folder: string;
  readonly owner?: FolderChart;
}

/** The nearest FolderChart of a chart, as a target. */
export function folderChartOf(chart: Chart): FolderTarget | undefined {
  const f = FolderChart.find(chart);
  return f ? { folder: f.folder, owner: f } : undefined;
}

/** Runs every construct's validations once; returns the messages, `[path] message` each. */
export function validateOnce(app: App): string[] {
  // A workload's tenant usage is needed by its own quota rule and by its tenant's total: computed once.
  return shareTenantUsage(() => {
    const errors: string[] = [];
    for (const c of app.node.findAll()) {
      for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
    }
    return errors;
  });
}

/** Throws one error listing every message, or returns when there is none. */
export function throwValidationErrors(errors: string[]): void {
  if (errors.length > 0) failAll(errors);
}

/**
 * The linear synth of one cdk8s App: validate every construct once (unless `validated`), then serialize each
 * chart's ApiObjects in canonical order, grouped by folder. `folderOf` maps a chart to its folder. Plain
 * cdk8s runs the app-wide validation and dependency resolution again for every chart (`chart.toJson()` ->
 * `App._synthChart`), which is quadratic with many charts.
 *
 * With a `sink`, each folder is handed over as soon as it is built and not kept: the manifests of a large
 * app never all sit in memory at once (less garbage-collector work while writing). Without one, the folders
 * are returned.
 */
export function linearSynth(app: App, folderOf: (chart: Chart) => FolderTarget | undefined,
  sink?: (folder: SynthesizedFolder) => void, validated: boolean = false,
  route?: (obj: ApiObject) => FolderTarget | undefined): SynthesizedFolder[] {
  if (!validated) throwValidationErrors(validateOnce(app));
  const all = app.node.findAll();
  // Documents are written in canonical order (below), so cdk8s' dependency resolution, which only orders
  // them, is not needed: every chart's own objects, in any order.
  const charts = all.filter((c): c is Chart => c instanceof Chart);

  // Group the charts by folder.
  // An object goes to its chart's folder, unless `route` sends it elsewhere (a platform companion folder).
  const groups = new Map<string, { target: FolderTarget; objects: ApiObject[] }>();
  const place = (target: FolderTarget, obj: ApiObject) => {
    const g = groups.get(target.folder);
    if (g) g.objects.push(obj); else groups.set(target.folder, { target, objects: [obj] });
  };
  for (const chart of charts) {
    const target = folderOf(chart);
    if (!target) {
      fail(chart, 'chart', chart.node.path,
        'charts inside a FolderChart or an Application (Environment.addApplication / addApplicationForChart, or a chart nested in one)');
    }
    for (const obj of ownApiObjects(chart)) place(route?.(obj) ?? target, obj);
  }

  const out: SynthesizedFolder[] = [];
  // Folders and the objects inside each in one canonical order (canonical-order.ts): the same bytes whatever
  // order the constructs were added in. Argo CD and kustomize give the order of documents no meaning.
  const ordered = [...groups.values()].sort((a, b) => compareStrings(a.target.folder, b.target.folder));
  for (const { target, objects: members } of ordered) {
    const objects = members.map((obj) => ({ obj, manifest: obj.toJson() }));
    objects.sort((a, b) => compareManifests(a.manifest, b.manifest));
    const names = fileNames(objects);
    const folder: SynthesizedFolder = {
      folder: target.folder,
      extraResources: target.owner?.extraResources ?? [],
      ...(target.owner?.kustomizeNamespace !== undefined ? { namespace: target.owner.kustomizeNamespace } : {}),
      objects: objects.map((o, i) => ({ fileName: names[i], manifest: o.manifest, patch: target.owner?.isPatch(o.obj) ?? false, path: o.obj.node.path })),
    };
    if (sink) sink(folder); else out.push(folder);
  }
  return out;
}

/**
 * Writes folders as they come: the first time a top-level folder (an environment) is seen it is removed when
 * `clean` is set; a folder written twice is an error. Directories are made on the calling thread; file
 * contents are serialized on `threads` worker threads while the caller builds the next folders (see
 * SerializerPool), or inline with 0 threads. Call `finish()` once every folder is written.
 */
export class FolderWriter {
  /** Writes every folder under `outdir` on the calling thread, removing each top-level folder first when `clean` is set. */
  public static writeAll(outdir: string, folders: SynthesizedFolder[], clean: boolean, layout: FileLayout = FileLayout.FILE_PER_RESOURCE): void {
    const writer = new FolderWriter(outdir, clean, 0, layout);
    for (const f of folders) writer.write(f);
    writer.finish();
  }

  private readonly cleaned = new Set<string>();
  private readonly written = new Set<string>();
  private readonly pool: SerializerPool;
  /** Writes a file as cdk8s writes a manifest file (`Yaml.stringify`), each distinct document serialized once. */
  private readonly writeJob: (job: FileJob) => void;

  /**
   * @param threads worker threads that serialize and write files; 0 writes everything on the calling thread.
   * @param layout one file per object, or one per folder
   */
  constructor(private readonly outdir: string, private readonly clean: boolean, threads: number = 0,
    private readonly layout: FileLayout = FileLayout.FILE_PER_RESOURCE) {
    fs.mkdirSync(outdir, { recursive: true });
    this.pool = new SerializerPool(threads);
    const disk = yamlDiskCache();
    this.disk = disk;
    const yaml = memoizedYaml(disk ? (doc, key) => disk.get(key, () => Yaml.stringify(doc)) : (doc) => Yaml.stringify(doc), MEMO_CAPACITY);
    this.writeJob = (job) => fs.writeFileSync(job.file, yaml(job.docs), { encoding: 'utf8' });
  }

  /** The on-disk YAML cache, when the app turned it on (yaml-cache.ts). */
  private readonly disk: YamlDiskCache | undefined;

  /** Waits until every file is written and stops the workers; throws the first write failure. */
  public finish(): PoolStats {
    const stats = this.pool.finish(this.writeJob);
    this.disk?.save();
    return stats;
  }

  /** Writes one folder: each object with `Yaml.stringify` (what cdk8s writes), then the kustomization. */
  public write(f: SynthesizedFolder): void {
    if (this.written.has(f.folder)) {
      fail(f.folder, 'folder', f.folder, 'a folder written once: one writer per folder (an environment name equals another top-level folder)');
    }
    this.written.add(f.folder);
    const top = f.folder.split('/')[0];
    if (this.clean && !this.cleaned.has(top)) {
      this.cleaned.add(top);
      fs.rmSync(path.join(this.outdir, top), { recursive: true, force: true });
    }
    const dir = path.join(this.outdir, f.folder);
    fs.mkdirSync(dir, { recursive: true });
    const perApplication = this.layout === FileLayout.FILE_PER_APPLICATION;
    const jobs: FileJob[] = f.objects
      .filter((o) => o.patch || !perApplication)
      .map((o) => ({ file: path.join(dir, o.fileName), docs: [o.manifest] }));
    const resources = f.objects.filter((o) => !o.patch);
    if (perApplication && resources.length > 0) {
      jobs.push({ file: path.join(dir, FileLayout.APPLICATION_FILE_NAME), docs: resources.map((o) => o.manifest) });
    }
    jobs.push({ file: path.join(dir, 'kustomization.yaml'), docs: [kustomizationFor(f, this.layout)] });
    // Large folders go out in slices, so that both threads share them.
    for (let i = 0; i < jobs.length; i += JOBS_PER_SLICE) this.pool.submit(jobs.slice(i, i + JOBS_PER_SLICE), this.writeJob);
  }
}

/** Files handed to a thread at a time. */
const JOBS_PER_SLICE = 16;

/** The kustomization.yaml of a folder. */
export function kustomizationFor(folder: SynthesizedFolder, layout: FileLayout = FileLayout.FILE_PER_RESOURCE): any {
  const own = folder.objects.filter((o) => !o.patch).map((o) => o.fileName);
  const files = layout === FileLayout.FILE_PER_APPLICATION ? own.slice(0, 1).map(() => FileLayout.APPLICATION_FILE_NAME) : own;
  const resources = [...folder.extraResources, ...files];
  const patches = folder.objects.filter((o) => o.patch).map((o) => ({ path: o.fileName, ...patchTarget(o.manifest) }));
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(folder.namespace !== undefined ? { namespace: folder.namespace } : {}),
    resources,
    ...(patches.length > 0 ? { patches } : {}),
  };
}

/**
 * An explicit patch target (group, version, kind, name; no namespace). kustomize applies patches before its
 * `namespace:` transformer, so a strategic-merge patch that names its namespace finds no target among objects
 * that have none yet (upstream Argo CD `manifests/install.yaml`), while an explicit target matches them.
 */
function patchTarget(manifest: any): { target?: { group?: string; version: string; kind: string; name: string } } {
  const apiVersion = manifest?.apiVersion;
  const name = manifest?.metadata?.name;
  if (typeof apiVersion !== 'string' || typeof manifest.kind !== 'string' || typeof name !== 'string') return {};
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { target: { version: apiVersion, kind: manifest.kind, name } }
    : { target: { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: manifest.kind, name } };
}

/**
 * `<kind>-<name>.yaml`, lowercase. When one Application has the same kind and name in several namespaces, all
 * of those files get the namespace too (`<kind>-<namespace>-<name>.yaml`), so names never depend on order.
 */
function fileNames(objects: Array<{ obj: ApiObject; manifest: any }>): string[] {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const base = objects.map((o) => `${clean(String(o.manifest.kind))}-${clean(String(o.manifest.metadata?.name ?? o.obj.name))}`);
  const count = new Map<string, number>();
  base.forEach((b) => count.set(b, (count.get(b) ?? 0) + 1));
  const taken = new Set<string>();
  return objects.map((o, i) => {
    const ns = o.manifest.metadata?.namespace;
    const file = (count.get(base[i])! > 1 && ns)
      ? `${clean(String(o.manifest.kind))}-${clean(ns)}-${clean(String(o.manifest.metadata?.name))}.yaml`
      : `${base[i]}.yaml`;
    if (taken.has(file) || file === 'kustomization.yaml') {
      fail(o.obj, 'metadata.name', `${o.manifest.kind}/${ns ? ns + '/' : ''}${o.manifest.metadata?.name}`,
        'one object per kind, namespace and name in an Application');
    }
    taken.add(file);
    return file;
  });
}

/** The ApiObjects whose closest chart is `chart`, in construct-tree pre-order (what DependencyGraph gives without edges). */
function ownApiObjects(chart: Chart): ApiObject[] {
  const out: ApiObject[] = [];
  const visit = (c: IConstruct) => {
    if (c instanceof ApiObject) out.push(c);
    for (const child of c.node.children) {
      if (!(child instanceof Chart)) visit(child);
    }
  };
  visit(chart);
  return out;
}
