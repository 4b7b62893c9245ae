/**
 * Rule `crd`: custom resources against their CRD version's openAPIV3Schema, read from ../shared/crds
 * (or env CRDS_DIR). Parsing 12 MB of CRD YAML on every jest test file would be slow, so the CRD index is
 * cached on disk with the compiled validators (os.tmpdir(), keyed by the CRD files' content and this file's
 * code; see cache.ts), and the validators in memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { CACHE_ROOT, codeKey, contentKey, loadValidator, newAjv, writeAtomic, writeValidator } from './cache';
import { groupOf, isObject, objectId, Violation } from './types';

export const CRDS_DIR = process.env.CRDS_DIR ?? path.resolve(__dirname, '../../../shared/crds');

interface CrdEntry {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** File (in the cache dir) holding the version's openAPIV3Schema as JSON. */
  readonly schemaFile: string;
}

interface CrdIndex {
  readonly groups: string[];
  readonly entries: CrdEntry[];
}

let index: CrdIndex | null | undefined;
let warned = false;
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

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

function buildIndex(files: string[], cacheDir: string): CrdIndex {
  const entries: CrdEntry[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
      const { group, names, scope } = crd.spec;
      for (const v of crd.spec.versions ?? []) {
        if (v.served === false) continue;
        const schemaFile = path.join(cacheDir, `${group}_${v.name}_${names.kind}.json`);
        writeAtomic(schemaFile, JSON.stringify(strip(v.schema?.openAPIV3Schema ?? {})));
        entries.push({ group, version: v.name, kind: names.kind, namespaced: scope !== 'Cluster', schemaFile });
      }
    }
  }
  return { groups: [...new Set(entries.map((e) => e.group))].sort(), entries };
}

/** The CRD index, or null (with one warning) when the CRD directory does not exist. */
export function crdIndex(): CrdIndex | null {
  if (index !== undefined) return index;
  if (!fs.existsSync(CRDS_DIR)) {
    if (!warned) {
      console.warn(`harness: CRD schema validation (rule "crd") SKIPPED: the CRD directory ${CRDS_DIR} does not exist `
        + '(set CRDS_DIR to point at it). Every other rule still runs.');
      warned = true;
    }
    index = null;
    return index;
  }
  const files = listYaml(CRDS_DIR);
  // Content, not timestamps, and this file's code (strip, strictify, the Ajv options): any change rebuilds.
  const cacheDir = path.join(CACHE_ROOT, `crds-${contentKey(CRDS_DIR, files)}-${codeKey(__filename, path.join(__dirname, `cache${path.extname(__filename)}`))}`);
  const indexFile = path.join(cacheDir, 'index.json');
  if (fs.existsSync(indexFile)) {
    index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CrdIndex;
  } else {
    fs.mkdirSync(cacheDir, { recursive: true });
    index = buildIndex(files, cacheDir);
    writeAtomic(indexFile, JSON.stringify(index));
  }
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
 * The compiled validator for a CRD version. Compiling a CRD with embedded pod templates takes ~1 s, so the
 * compiled code (Ajv standalone) is cached on disk next to the schema and loaded in ~40 ms.
 */
function validatorFor(e: CrdEntry): ValidateFunction {
  const key = `${e.group}/${e.version}/${e.kind}`;
  let v = validators.get(key);
  if (v) return v;
  // The cache folder is keyed by this file's code, so a change to strictify or the Ajv options recompiles.
  const codeFile = e.schemaFile.replace(/\.json$/, '.validate.js');
  if (!fs.existsSync(codeFile)) {
    ajv ??= newAjv();
    writeValidator(codeFile, ajv, ajv.compile(strictify(JSON.parse(fs.readFileSync(e.schemaFile, 'utf8')))));
  }
  v = loadValidator(codeFile);
  validators.set(key, v);
  return v;
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
    return [{ rule: 'unknown-kind', object, message: `no CRD in ${CRDS_DIR} defines kind ${manifest.kind} in group ${group}` }];
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
