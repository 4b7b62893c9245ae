/**
 * Rule `schema`: built-in kinds against the Kubernetes 1.27 OpenAPI schemas of kubernetes-models@4.3.1
 * (CommonJS; its README badge says 1.27.1). kubernetes-models' own `validate()` compiles the PodSpec schema
 * tree on every jest test file (~0.4 s), so we take its schemas (captured as its models register them) and
 * compile them once with Ajv into standalone code cached on disk, next to the CRD cache. Its schemas also
 * allow unknown fields, so we report fields the schema does not define (strict field validation rejects them).
 * A built package reads the same schemas from the bundle next to the compiled code (`schemas.json`, see
 * crd.ts and scripts/bundle-schemas.js), so kubernetes-models is needed only to build it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { CACHE_ROOT, codeKey, hash, loadValidator, newAjv, useCacheDir, writeValidator } from './cache';
import { BUNDLE_FILE, loadBundle } from './crd';
import { groupOf, isObject, Violation, objectId } from './types';

/** The Kubernetes version the schemas are for (kubernetes-models 4.3.1's README badge: 1.27.1). */
export const KUBERNETES_VERSION = '1.27';

/**
 * API versions kubernetes-models still carries but a 1.27 API server no longer serves, with the release that
 * removed them (kubernetes.io/docs/reference/using-api/deprecation-guide/). authentication.k8s.io/v1beta1 is
 * not listed: 1.27 serves SelfSubjectReview there again.
 */
const REMOVED: { [groupVersion: string]: string } = {
  'extensions/v1beta1': '1.22', 'apps/v1beta1': '1.16', 'apps/v1beta2': '1.16',
  'admissionregistration.k8s.io/v1beta1': '1.22', 'apiextensions.k8s.io/v1beta1': '1.22', 'apiregistration.k8s.io/v1beta1': '1.22',
  'authorization.k8s.io/v1beta1': '1.22', 'certificates.k8s.io/v1beta1': '1.22', 'coordination.k8s.io/v1beta1': '1.22',
  'networking.k8s.io/v1beta1': '1.22', 'rbac.authorization.k8s.io/v1beta1': '1.22', 'scheduling.k8s.io/v1beta1': '1.22',
  'batch/v1beta1': '1.25', 'discovery.k8s.io/v1beta1': '1.25', 'events.k8s.io/v1beta1': '1.25', 'autoscaling/v2beta1': '1.25',
  'policy/v1beta1': '1.25', 'node.k8s.io/v1beta1': '1.25', 'flowcontrol.apiserver.k8s.io/v1beta1': '1.26',
  'autoscaling/v2beta2': '1.26', 'storage.k8s.io/v1beta1': '1.27',
};

const FROM_BUNDLE = fs.existsSync(BUNDLE_FILE);
/**
 * Every schema by id: an object (registered by kubernetes-models), or its JSON text (the bundle keeps each schema as
 * a string, so reading it parses only the schemas a validation uses: `schemaOf`).
 */
const rawSchemas: Map<string, any> = FROM_BUNDLE ? new Map(Object.entries(loadBundle().kubernetes.schemas)) : new Map();

/** The schema of an id, parsed from the bundle's text on first use. */
function schemaOf(id: string): any {
  const s = rawSchemas.get(id);
  if (typeof s !== 'string') return s;
  const parsed = JSON.parse(s);
  rawSchemas.set(id, parsed);
  return parsed;
}

let modelsDir: string | undefined;
/** kubernetes-models' folder, with its schema registration captured (source checkouts and the bundle build). */
function kubernetesModels(): string {
  if (modelsDir) return modelsDir;
  // Capture every schema kubernetes-models registers. The generated `_schemas/*.js` call
  // `validate_1.register(id, schema)` through the module object, so wrapping the export works.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kmValidate = require('@kubernetes-models/validate');
  // We only record: kubernetes-models' own Ajv would compile each schema again on every re-registration.
  // (So `Model.validate()` of kubernetes-models must not be used in the same test file; the harness does not.)
  kmValidate.register = (id: string, schema: any) => {
    rawSchemas.set(id, schema);
  };
  modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'));
  return modelsDir;
}

const modelCache = new Map<string, any | null>();

/** The kubernetes-models class for an apiVersion and kind, or undefined. */
function modelFor(apiVersion: string, kind: string): any | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!modelCache.has(key)) {
    let model: any = null;
    const file = path.join(kubernetesModels(), ...apiVersion.split('/'), `${kind}.js`);
    if (/^[A-Za-z0-9]+$/.test(kind) && fs.existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      model = require(file)[kind] ?? null;
      if (model?.kind !== kind) model = null; // a nested type such as DeploymentSpec is not a kind
    }
    modelCache.set(key, model);
  }
  return modelCache.get(key) ?? undefined;
}

/** True when kubernetes-models has the API group (a built-in group such as `apps` or `` for core). */
export function isBuiltInGroup(apiVersion: string): boolean {
  const group = groupOf(apiVersion);
  if (FROM_BUNDLE) return (loadBundle().kubernetes.groups as string[]).includes(group);
  return fs.existsSync(path.join(kubernetesModels(), group === '' ? 'v1' : group));
}

/** The schema id of a built-in kind (registering its schemas when read from kubernetes-models), or undefined. */
function schemaIdFor(apiVersion: string, kind: string): string | undefined {
  if (FROM_BUNDLE) return loadBundle().kubernetes.kinds[`${apiVersion}/${kind}`];
  const model = modelFor(apiVersion, kind);
  if (!model) return undefined;
  modelSymbol(model, 'ADD_SCHEMA')?.(); // registers the schema and its references (captured above)
  return modelSymbol(model, 'SCHEMA_ID');
}

export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return schemaIdFor(apiVersion, kind) !== undefined;
}

/**
 * Every built-in kind's schema (for the bundle): `apiVersion/Kind` -> schema id, the API groups, and the
 * schemas with everything they reference. Loads all of kubernetes-models (about 2 s), so only at build time.
 */
export function kubernetesBundle(): { version: string; source: string; kinds: { [k: string]: string }; groups: string[]; schemas: { [id: string]: string } } {
  const root = kubernetesModels();
  const kinds: { [k: string]: string } = {};
  const groups = new Set<string>();
  const walk = (dir: string, apiVersion: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.isDirectory()) {
        if (!e.name.startsWith('_') && e.name !== 'node_modules') walk(path.join(dir, e.name), apiVersion ? `${apiVersion}/${e.name}` : e.name);
      } else if (apiVersion.includes('/') || apiVersion === 'v1') {
        const m = /^([A-Z][A-Za-z0-9]*)\.js$/.exec(e.name);
        if (!m) continue;
        const id = REMOVED[apiVersion] ? undefined : schemaIdFor(apiVersion, m[1]);
        if (id) {
          kinds[`${apiVersion}/${m[1]}`] = id;
          groups.add(groupOf(apiVersion));
        }
      }
    }
  };
  walk(root, '');
  const schemas = [...rawSchemas.keys()].sort().map((id) => [id, JSON.stringify(schemaOf(id))]);
  return { version: KUBERNETES_VERSION, source: `kubernetes-models ${MODELS_VERSION}`, kinds, groups: [...groups].sort(), schemas: Object.fromEntries(schemas) };
}

/** The Kubernetes version and where its schemas come from. */
export function kubernetesSource(): { version: string; source: string } {
  return { version: KUBERNETES_VERSION, source: `kubernetes-models ${MODELS_VERSION}` };
}

function modelSymbol(model: any, name: string): any {
  const proto = model.prototype;
  const sym = Object.getOwnPropertySymbols(proto).find((x) => x.description === name);
  return sym ? proto[sym] : undefined;
}

// The quantity format of kubernetes-models (@kubernetes-models/validate), as a pattern so standalone code needs no format module.
const QUANTITY = '^[+-]?(?:\\d+|\\d+\\.\\d+|\\d+\\.|\\.\\d+)(?:[KMGTPE]i|(?:[YZEPTGMkhdcmunpfazy]|da)|[eE][+-]?(?:\\d+|\\d+\\.\\d+|\\d+\\.|\\.\\d+))?$';

/**
 * kubernetes-models wraps optional objects as `oneOf: [{$ref}, {type: null}]` and filters the null branch's
 * errors; we keep only the non-null branch (cdk8s never writes null on purpose), and turn `format: quantity`
 * into its pattern (other formats, like int32 or date-time, are not checked, as the API server's OpenAPI
 * validation does not either).
 */
function adapt(node: any): any {
  if (Array.isArray(node)) return node.map(adapt);
  if (!isObject(node)) return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, x]) => [p, adapt(x)])) : adapt(v);
  }
  if (Array.isArray(out.oneOf)) {
    const rest = out.oneOf.filter((x: any) => !(isObject(x) && x.type === 'null'));
    if (rest.length === 1 && rest.length < out.oneOf.length) {
      delete out.oneOf;
      Object.assign(out, rest[0]);
    }
  }
  if (out.format === 'quantity') {
    delete out.format;
    out.pattern = QUANTITY;
  }
  return out;
}

const MODELS_VERSION: string = FROM_BUNDLE ? loadBundle().kubernetes.source.replace(/^kubernetes-models /, '')
  : JSON.parse(fs.readFileSync(path.join(kubernetesModels(), 'package.json'), 'utf8')).version;
// Keyed by the models version and this file's code (adapt, the Ajv options); each validator file also by its
// schemas' content (see `schemaClosureKey`), so nothing stale survives an upgrade or an edit.
const CACHE_DIR = path.join(CACHE_ROOT, `kubernetes-models-${MODELS_VERSION}-${codeKey(__filename, path.join(__dirname, `cache${path.extname(__filename)}`))}`);
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** A hash of a schema and every schema it references ($ref), in a stable order. */
function schemaClosureKey(id: string): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  const visit = (sid: string) => {
    if (seen.has(sid)) return;
    seen.add(sid);
    const schema = rawSchemas.get(sid);
    // The bundle's text is `JSON.stringify` of the schema: the same key, without parsing it.
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema ?? null);
    parts.push(sid, text);
    for (const m of text.matchAll(/"\$ref":"([^"#]+)#?"/g)) visit(m[1]);
  };
  visit(id);
  return hash(...parts);
}

/** The compiled validator for a schema id, from the disk cache or compiled once. */
function validatorFor(id: string): ValidateFunction | undefined {
  let v = validators.get(id);
  if (v) return v;
  const file = path.join(useCacheDir(CACHE_DIR), `${id.split('.').pop()}-${schemaClosureKey(id)}.js`);
  if (!fs.existsSync(file)) {
    ajv ??= newAjv();
    for (const sid of [...rawSchemas.keys()]) if (!ajv.getSchema(sid)) ajv.addSchema(adapt(schemaOf(sid)), sid);
    const compiled = ajv.getSchema(id)!;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    writeValidator(file, ajv, compiled);
  }
  v = loadValidator(file);
  validators.set(id, v);
  return v;
}

/** Schema ids of every built-in validator loaded so far (see warm.ts). */
export function schemaValidatorsInUse(): string[] {
  return [...validators.keys()].sort();
}

/** Loads the validators of these schema ids ahead of a validation; ids the schemas do not have are skipped. */
export function loadSchemaValidators(ids: string[]): void {
  for (const id of ids) if (rawSchemas.has(id)) validatorFor(id);
}

function deref(schema: any): any {
  while (isObject(schema) && typeof schema.$ref === 'string') schema = schemaOf(schema.$ref.replace(/#$/, ''));
  return schema;
}

/** The alternatives (oneOf, anyOf, allOf) of a schema worth walking into, resolved once per schema. */
const alternatives = new WeakMap<object, any[]>();
function alternativesOf(schema: any): any[] {
  let alts = alternatives.get(schema);
  if (alts === undefined) {
    alts = [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])].map(deref)
      .filter((s) => isObject(s) && s.type !== 'null' && (s.properties || s.items || s.additionalProperties));
    alternatives.set(schema, alts);
  }
  return alts;
}

const childPath = (at: string, key: string) => (at ? `${at}.${key}` : key);

/**
 * Walks a value alongside its schema and reports fields the schema does not know. Only objects and arrays can
 * hold fields, so scalars are not visited (most of a manifest), and a path is built only where it is needed.
 */
function unknownFields(value: any, schema: any, at: string, out: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  schema = deref(schema);
  if (!isObject(schema)) return;
  for (const s of alternativesOf(schema)) unknownFields(value, s, at, out);
  if (Array.isArray(value)) {
    if (schema.items) for (let i = 0; i < value.length; i++) unknownFields(value[i], schema.items, `${at}[${i}]`, out);
    return;
  }
  const props = schema.properties;
  const additional = schema.additionalProperties;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (props && k in props) {
      if (typeof v === 'object' && v !== null) unknownFields(v, props[k], childPath(at, k), out);
    } else if (isObject(additional)) {
      if (typeof v === 'object' && v !== null) unknownFields(v, additional, childPath(at, k), out);
    } else if (props && additional === undefined) {
      out.push(`${childPath(at, k)}: unknown field`);
    }
  }
}

/** Validates one built-in manifest. Returns nothing for kinds that are not built-in (see `isBuiltInKind`). */
export function checkSchema(manifest: any): Violation[] {
  const object = objectId(manifest);
  const removedIn = REMOVED[manifest.apiVersion];
  if (removedIn) {
    return [{ rule: 'schema', object, message: `apiVersion ${JSON.stringify(manifest.apiVersion)} is not served since Kubernetes ${removedIn} (1.27 rejects it; use the GA version)` }];
  }
  const id = schemaIdFor(manifest.apiVersion, manifest.kind);
  if (!id) {
    return [{ rule: 'schema', object, message: `apiVersion ${JSON.stringify(manifest.apiVersion)} kind ${JSON.stringify(manifest.kind)} is not a Kubernetes 1.27 built-in kind` }];
  }
  const messages: string[] = [];
  const validate = validatorFor(id);
  if (validate && !validate(manifest)) {
    for (const err of validate.errors ?? []) {
      const at = (err.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      const extra = err.keyword === 'enum' ? ` (${(err.params as any).allowedValues.join(', ')})`
        : err.keyword === 'pattern' && (err.params as any).pattern === QUANTITY ? ' (a Kubernetes quantity)' : '';
      const message = err.keyword === 'pattern' && (err.params as any).pattern === QUANTITY ? 'must be a quantity' : err.message;
      messages.push(`${at || '<root>'}: ${message}${extra}`);
    }
  }
  unknownFields(manifest, schemaOf(id), '', messages);
  if (!isObject(manifest.metadata) || typeof manifest.metadata.name !== 'string' || manifest.metadata.name === '') {
    messages.push('metadata.name: must be set');
  }
  return [...new Set(messages)].map((message) => ({ rule: 'schema', object, message }));
}
