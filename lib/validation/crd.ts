/**
 * Rule `crd`: custom resources against their CRD version's openAPIV3Schema. The CRDs come from, in order:
 * env CRDS_DIR; else the bundle shipped next to the compiled validator (`schemas.json`, written at build time by
 * scripts/bundle-schemas.js, so an installed package needs no network and no ../shared); else ../shared/crds
 * next to a source checkout. `useCrdDirs` adds a user's own CRD folders on top (the `--crds` option).
 * Parsing 12 MB of CRD YAML on every jest test file would be slow, so an index built from a folder is cached on
 * disk with the compiled validators (os.tmpdir(), keyed by the CRD files' content and this file's code; see
 * cache.ts), and the validators in memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { CACHE_ROOT, codeKey, contentKey, hash, loadValidator, newAjv, useCacheDir, writeAtomic, writeValidator } from './cache';
import { fail, printWarning } from '../core/errors';
import { groupOf, isObject, objectId, Violation } from './types';

/** The source checkout's root (the folder with this package's package.json). */
function packageRoot(): string {
  let dir = __dirname;
  while (path.dirname(dir) !== dir) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'cdk8s-gpu-platform') return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '../..');
}

/** The schema bundle shipped with the compiled validator (absent in the source tree). */
export const BUNDLE_FILE = path.join(__dirname, 'schemas.json');

/** The CRD folder used when there is no shipped bundle (a source checkout: ../shared/crds), or env CRDS_DIR. */
export const CRDS_DIR = process.env.CRDS_DIR ?? path.resolve(packageRoot(), '../shared/crds');

export interface CrdEntry {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** The CRD's folder under the CRD directory (`argo-cd`), naming its source. */
  readonly project: string;
  /** File (in the cache dir) holding the version's openAPIV3Schema as JSON, or the schema itself as JSON text (bundle). */
  readonly schemaFile?: string;
  readonly schema?: any;
}

/** Where a folder of CRDs comes from: its SOURCE.md's upstream repository and release tag (or commit). */
export interface CrdSourceNote {
  readonly project: string;
  readonly version: string;
  readonly repository?: string;
}

export interface CrdIndex {
  readonly groups: string[];
  readonly entries: CrdEntry[];
  readonly sources: CrdSourceNote[];
  /** Where the CRDs were read, for messages. */
  readonly origin: string;
}

let index: CrdIndex | null | undefined;
let warned = false;
let extraDirs: string[] = [];
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** Adds CRD folders (the user's own CRDs, or other versions) on top of the bundled ones; same kind+version wins. */
export function useCrdDirs(dirs: string[]): void {
  for (const d of dirs) if (!fs.existsSync(d)) fail('useCrdDirs', 'dirs', d, 'an existing folder of CRD YAML files');
  if (dirs.length === extraDirs.length && dirs.every((d, i) => d === extraDirs[i])) return; // already in use (GpuPlatformValidation.prepare)
  extraDirs = [...dirs];
  index = undefined;
  validators.clear();
}

/** Release tag (or commit) and repository from a CRD folder's SOURCE.md. */
export function readSourceNote(dir: string, project: string): CrdSourceNote {
  const file = path.join(dir, 'SOURCE.md');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const tag = /Release tag: `([^`]+)`/.exec(text)?.[1] ?? /\(tag `([^`]+)`/.exec(text)?.[1];
  const commit = /Commit: `([0-9a-f]{40})`/.exec(text)?.[1];
  const repository = /Upstream repository: (\S+)/.exec(text)?.[1];
  return { project, version: tag ?? (commit ? `commit ${commit.slice(0, 12)}` : 'unknown'), ...(repository ? { repository } : {}) };
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listYaml(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Drops descriptions (most of the bytes) so cached schemas load fast. */
function strip(node: any): any {
  if (Array.isArray(node)) return node.map(strip);
  if (!isObject(node)) return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    // `properties` is a map of field names: a field may itself be called "description".
    if (k === 'properties' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)]));
    else if (k !== 'description') out[k] = strip(v);
  }
  return out;
}

/** Reads the CRD files of a folder; `inline` keeps the schemas in the entries (the bundle), else writes them to `cacheDir`. */
export function buildIndex(dir: string, files: string[], cacheDir: string | undefined): CrdIndex {
  const entries: CrdEntry[] = [];
  const projectOf = (file: string) => {
    const parts = path.relative(dir, file).split(path.sep);
    return parts.length > 1 ? parts[0] : '.';
  };
  for (const file of files) {
    const project = projectOf(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseAllDocuments }: typeof import('yaml') = require('yaml');
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
      const { group, names, scope } = crd.spec;
      for (const v of crd.spec.versions ?? []) {
        if (v.served === false) continue;
        const schema = strip(v.schema?.openAPIV3Schema ?? {});
        const entry = { group, version: v.name, kind: names.kind, namespaced: scope !== 'Cluster', project };
        if (cacheDir === undefined) {
          // The bundle keeps the schema as JSON text: reading the bundle then parses only the schemas compiled.
          entries.push({ ...entry, schema: JSON.stringify(schema) });
        } else {
          const schemaFile = path.join(cacheDir, `${group}_${v.name}_${names.kind}.json`);
          writeAtomic(schemaFile, JSON.stringify(schema));
          entries.push({ ...entry, schemaFile });
        }
      }
    }
  }
  const projects = [...new Set(entries.map((e) => e.project))].sort();
  const sources = projects.map((p) => readSourceNote(p === '.' ? dir : path.join(dir, p), p));
  return { groups: [...new Set(entries.map((e) => e.group))].sort(), entries, sources, origin: dir };
}

export function listCrdFiles(dir: string): string[] {
  return listYaml(dir);
}

/** The index of one CRD folder, from the disk cache or built once. */
function indexOfDir(dir: string): CrdIndex {
  const files = listYaml(dir);
  // Content, not timestamps, and this file's code (strip, strictify, the Ajv options): any change rebuilds.
  const cacheDir = path.join(CACHE_ROOT, `crds-${contentKey(dir, files)}-${codeKey(__filename, path.join(__dirname, `cache${path.extname(__filename)}`))}`);
  const indexFile = path.join(useCacheDir(cacheDir), 'index.json');
  // The same content in another folder shares the cache: the origin is this folder.
  if (fs.existsSync(indexFile)) return { ...JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CrdIndex, origin: dir };
  fs.mkdirSync(cacheDir, { recursive: true }); // useCacheDir is best effort; this one reports a cache that cannot be written
  const built = buildIndex(dir, files, cacheDir);
  writeAtomic(indexFile, JSON.stringify(built));
  return built;
}

/** The shipped bundle's CRDs, when running from a built package and env CRDS_DIR is not set. */
function bundledIndex(): CrdIndex | undefined {
  if (process.env.CRDS_DIR !== undefined || !fs.existsSync(BUNDLE_FILE)) return undefined;
  const crds = loadBundle().crds as { entries: CrdEntry[]; sources: CrdSourceNote[] };
  return { groups: [...new Set(crds.entries.map((e) => e.group))].sort(), entries: crds.entries, sources: crds.sources, origin: 'the bundled CRDs' };
}

let bundle: any;
/** The shipped schema bundle (JSON, parsed once). */
export function loadBundle(): any {
  bundle ??= JSON.parse(fs.readFileSync(BUNDLE_FILE, 'utf8'));
  return bundle;
}

/** The CRD index, or null (with one warning) when there is no bundle and the CRD directory does not exist. */
export function crdIndex(): CrdIndex | null {
  if (index !== undefined) return index;
  let base: CrdIndex | null = bundledIndex() ?? null;
  if (!base && fs.existsSync(CRDS_DIR)) base = indexOfDir(CRDS_DIR);
  if (!base && extraDirs.length === 0) {
    if (!warned) {
      printWarning(`harness: CRD schema validation (rule "crd") SKIPPED: the CRD directory ${CRDS_DIR} does not exist `
        + '(set CRDS_DIR to point at it). Every other rule still runs.');
      warned = true;
    }
    index = null;
    return index;
  }
  const extra = extraDirs.map(indexOfDir);
  if (extra.length === 0) {
    index = base;
    return index;
  }
  // The user's folders win over the bundle for the same group, version and kind.
  const key = (e: CrdEntry) => `${e.group}/${e.version}/${e.kind}`;
  const entries = new Map<string, CrdEntry>();
  for (const i of [...(base ? [base] : []), ...extra]) for (const e of i.entries) entries.set(key(e), e);
  const all = [...entries.values()];
  index = {
    groups: [...new Set(all.map((e) => e.group))].sort(), entries: all,
    sources: [...(base?.sources ?? []), ...extra.flatMap((i) => i.sources.map((s) => ({ ...s, project: `${i.origin}/${s.project}` })))],
    origin: [base?.origin, ...extraDirs].filter((x) => x !== undefined).join(', '),
  };
  return index;
}

/** True when a CRD in the CRD directory serves this apiVersion's group. */
export function isCrdGroup(apiVersion: string): boolean {
  return crdIndex()?.groups.includes(groupOf(apiVersion)) ?? false;
}

/**
 * Makes the schema strict the way an API server with strict field validation is: an object schema with
 * `properties` and no `additionalProperties` / `x-kubernetes-preserve-unknown-fields` rejects unknown fields.
 */
function strictify(node: any): any {
  if (Array.isArray(node)) return node.map(strictify);
  if (!isObject(node)) return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)])) : strictify(v);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (out['x-kubernetes-int-or-string'] && !out.anyOf && !out.oneOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  // metadata is validated by the API server, not the CRD schema: keep only "it is an object".
  if (out.properties?.metadata && out.properties.apiVersion) out.properties.metadata = { type: 'object' };
  return out;
}

/**
 * `strictify` for a CRD's root: the API server always accepts apiVersion, kind and metadata at the root, also
 * when the schema does not list them (apiextensions-apiserver adds them to every structural schema).
 */
function strictRoot(schema: any): any {
  const out = strictify(schema);
  if (isObject(out.properties)) out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
  return out;
}

/** Subschemas at least this long (as JSON) that occur twice or more are compiled once (see `shareRepeated`). */
const SHARED_MIN_CHARS = 1000;

/**
 * Moves every subschema that repeats (the pod template a LeaderWorkerSet has twice, a RoleBasedGroup once per
 * role kind, an Argo CD `source` in `source`, `sources`, `operation` and `status`) into `definitions` and refers
 * to it, so Ajv (with `inlineRefs: false`) generates its code once: RoleBasedGroup's compiled validator shrinks
 * from 2.8 MB to a fraction, and it loads and compiles that much faster. Only schema positions are shared
 * (a property's schema, `items`, `additionalProperties`), never a `properties` map itself.
 */
export function shareRepeated(root: any): any {
  const counts = new Map<string, number>();
  const count = (node: any): string => {
    const text = JSON.stringify(node);
    if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'properties' && isObject(v)) for (const s of Object.values(v)) countSchema(s);
        else if ((k === 'items' || k === 'additionalProperties') && isObject(v)) countSchema(v);
        else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) v.forEach((s) => count(s));
      }
    }
    return text;
  };
  const countSchema = (node: any) => {
    const text = count(node);
    if (text.length >= SHARED_MIN_CHARS) counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  count(root);
  const definitions: { [name: string]: any } = {};
  const names = new Map<string, string>();
  const rewrite = (node: any): any => {
    if (!isObject(node)) return node;
    const out: any = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, share(s)]));
      else if ((k === 'items' || k === 'additionalProperties') && isObject(v)) out[k] = share(v);
      else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map(rewrite);
      else out[k] = v;
    }
    return out;
  };
  const share = (node: any): any => {
    const text = JSON.stringify(node);
    if ((counts.get(text) ?? 0) < 2) return rewrite(node);
    let name = names.get(text);
    if (name === undefined) {
      name = `s${names.size}`;
      names.set(text, name);
      definitions[name] = rewrite(node);
    }
    return { $ref: `#/definitions/${name}` };
  };
  const out = rewrite(root);
  return names.size === 0 ? out : { ...out, definitions };
}

/**
 * The compiled validator for a CRD version. Compiling a CRD with embedded pod templates takes ~1 s, so the
 * compiled code (Ajv standalone) is cached on disk next to the schema and loaded in ~40 ms.
 */
function validatorFor(e: CrdEntry): ValidateFunction {
  const key = `${e.group}/${e.version}/${e.kind}`;
  let v = validators.get(key);
  if (v) return v;
  // The cache folder is keyed by this file's code, so a change to strictify or the Ajv options recompiles.
  let codeFile: string;
  if (e.schemaFile !== undefined) {
    codeFile = e.schemaFile.replace(/\.json$/, '.validate.js');
  } else {
    const dir = path.join(CACHE_ROOT, `crd-validators-${codeKey(__filename, path.join(__dirname, `cache${path.extname(__filename)}`))}`);
    codeFile = path.join(dir, `${e.group}_${e.version}_${e.kind}-${hash(typeof e.schema === 'string' ? e.schema : JSON.stringify(e.schema))}.validate.js`);
    useCacheDir(dir);
    fs.mkdirSync(dir, { recursive: true });
  }
  if (!fs.existsSync(codeFile)) {
    ajv ??= newAjv({ inlineRefs: false });
    const schema = typeof e.schema === 'string' ? JSON.parse(e.schema) : e.schema ?? JSON.parse(fs.readFileSync(e.schemaFile!, 'utf8'));
    writeValidator(codeFile, ajv, ajv.compile(shareRepeated(strictRoot(schema))));
  }
  v = loadValidator(codeFile);
  validators.set(key, v);
  return v;
}

/** `group/version/kind` of every CRD validator loaded so far (see warm.ts). */
export function crdValidatorsInUse(): string[] {
  return [...validators.keys()].sort();
}

/** Loads the validators of these `group/version/kind` keys ahead of a validation; unknown keys are skipped. */
export function loadCrdValidators(keys: string[]): void {
  const idx = crdIndex();
  if (!idx) return;
  const wanted = new Set(keys);
  for (const e of idx.entries) if (wanted.has(`${e.group}/${e.version}/${e.kind}`)) validatorFor(e);
}

/** Validates a custom resource whose group a CRD serves. */
export function checkCrd(manifest: any): Violation[] {
  const idx = crdIndex();
  if (!idx) return [];
  const object = objectId(manifest);
  const group = groupOf(manifest.apiVersion);
  const version = manifest.apiVersion.slice(group.length + 1);
  const byKind = idx.entries.filter((e) => e.group === group && e.kind === manifest.kind);
  if (byKind.length === 0) {
    return [{ rule: 'unknown-kind', object, message: `no CRD in ${idx.origin} defines kind ${manifest.kind} in group ${group}` }];
  }
  const entry = byKind.find((e) => e.version === version);
  if (!entry) {
    return [{ rule: 'crd', object, message: `apiVersion ${manifest.apiVersion}: the CRD for ${manifest.kind} serves only ${byKind.map((e) => `${group}/${e.version}`).join(', ')}` }];
  }
  const out: Violation[] = [];
  const meta = manifest.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string' || meta.name === '') {
    out.push({ rule: 'crd', object, message: 'metadata.name: must be set' });
  }
  if (entry.namespaced === false && meta?.namespace) {
    out.push({ rule: 'crd', object, message: `metadata.namespace: ${manifest.kind} is cluster-scoped and takes no namespace` });
  }
  const validate = validatorFor(entry);
  if (!validate(manifest)) {
    for (const err of validate.errors ?? []) {
      const at = err.instancePath.replace(/^\//, '').replace(/\//g, '.') || '<root>';
      const detail = err.keyword === 'additionalProperties' ? `unknown field ${JSON.stringify(err.params.additionalProperty)}`
        : err.keyword === 'enum' ? `${err.message} (${(err.params.allowedValues ?? []).join(', ')})` : err.message;
      out.push({ rule: 'crd', object, message: `${at}: ${detail}` });
    }
  }
  return out;
}
