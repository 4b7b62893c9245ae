/**
 * Rule `schema`: built-in kinds against the Kubernetes 1.27 OpenAPI schemas of kubernetes-models@4.3.1
 * (CommonJS; its README badge says 1.27.1). kubernetes-models' own `validate()` compiles the PodSpec schema
 * tree on every jest test file (~0.4 s), so we take its schemas (captured as its models register them) and
 * compile them once with Ajv into standalone code cached on disk, next to the CRD cache. Its schemas also
 * allow unknown fields, so we report fields the schema does not define (strict field validation rejects them).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { CACHE_ROOT, codeKey, hash, loadValidator, newAjv, writeValidator } from './cache';
import { groupOf, isObject, Violation, objectId } from './types';

// Capture every schema kubernetes-models registers. The generated `_schemas/*.js` call
// `validate_1.register(id, schema)` through the module object, so wrapping the export works.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kmValidate = require('@kubernetes-models/validate');
const rawSchemas: Map<string, any> = new Map();
// We only record: kubernetes-models' own Ajv would compile each schema again on every re-registration.
// (So `Model.validate()` of kubernetes-models must not be used in the same test file; the harness does not.)
kmValidate.register = (id: string, schema: any) => {
  rawSchemas.set(id, schema);
};

const MODELS_DIR = path.dirname(require.resolve('kubernetes-models/package.json'));
const modelCache = new Map<string, any | null>();

/** The kubernetes-models class for an apiVersion and kind, or undefined. */
function modelFor(apiVersion: string, kind: string): any | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!modelCache.has(key)) {
    let model: any = null;
    const file = path.join(MODELS_DIR, ...apiVersion.split('/'), `${kind}.js`);
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
  return fs.existsSync(path.join(MODELS_DIR, group === '' ? 'v1' : group));
}

export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined;
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

const MODELS_VERSION = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, 'package.json'), 'utf8')).version;
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
    const text = JSON.stringify(schema ?? null);
    parts.push(sid, text);
    for (const m of text.matchAll(/"\$ref":"([^"#]+)#?"/g)) visit(m[1]);
  };
  visit(id);
  return hash(...parts);
}

/** The compiled validator for a model, from the disk cache or compiled once. */
function validatorFor(model: any): ValidateFunction | undefined {
  const id: string | undefined = modelSymbol(model, 'SCHEMA_ID');
  if (!id) return undefined;
  let v = validators.get(id);
  if (v) return v;
  modelSymbol(model, 'ADD_SCHEMA')?.(); // registers the schema and its references (captured above)
  const file = path.join(CACHE_DIR, `${id.split('.').pop()}-${schemaClosureKey(id)}.js`);
  if (!fs.existsSync(file)) {
    ajv ??= newAjv();
    for (const [sid, schema] of rawSchemas) if (!ajv.getSchema(sid)) ajv.addSchema(adapt(schema), sid);
    const compiled = ajv.getSchema(id)!;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    writeValidator(file, ajv, compiled);
  }
  v = loadValidator(file);
  validators.set(id, v);
  return v;
}

function deref(schema: any): any {
  while (isObject(schema) && typeof schema.$ref === 'string') schema = rawSchemas.get(schema.$ref.replace(/#$/, ''));
  return schema;
}

/** Walks a value alongside its schema and reports fields the schema does not know. */
function unknownFields(value: any, schema: any, at: string, out: string[]): void {
  schema = deref(schema);
  if (!isObject(schema)) return;
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) {
    const s = deref(alt);
    if (isObject(s) && s.type !== 'null' && (s.properties || s.items || s.additionalProperties)) unknownFields(value, s, at, out);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => unknownFields(v, schema.items, `${at}[${i}]`, out));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = at ? `${at}.${k}` : k;
      if (schema.properties && k in schema.properties) unknownFields(v, schema.properties[k], child, out);
      else if (isObject(schema.additionalProperties)) unknownFields(v, schema.additionalProperties, child, out);
      else if (schema.properties && schema.additionalProperties === undefined) out.push(`${child}: unknown field`);
    }
  }
}

/** Validates one built-in manifest. Returns nothing for kinds that are not built-in (see `isBuiltInKind`). */
export function checkSchema(manifest: any): Violation[] {
  const object = objectId(manifest);
  const model = modelFor(manifest.apiVersion, manifest.kind);
  if (!model) {
    return [{ rule: 'schema', object, message: `apiVersion ${JSON.stringify(manifest.apiVersion)} kind ${JSON.stringify(manifest.kind)} is not a Kubernetes 1.27 built-in kind` }];
  }
  const messages: string[] = [];
  const validate = validatorFor(model);
  if (validate && !validate(manifest)) {
    for (const err of validate.errors ?? []) {
      const at = (err.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      const extra = err.keyword === 'enum' ? ` (${(err.params as any).allowedValues.join(', ')})`
        : err.keyword === 'pattern' && (err.params as any).pattern === QUANTITY ? ' (a Kubernetes quantity)' : '';
      const message = err.keyword === 'pattern' && (err.params as any).pattern === QUANTITY ? 'must be a quantity' : err.message;
      messages.push(`${at || '<root>'}: ${message}${extra}`);
    }
  }
  unknownFields(manifest, rawSchemas.get(modelSymbol(model, 'SCHEMA_ID')), '', messages);
  if (!isObject(manifest.metadata) || typeof manifest.metadata.name !== 'string' || manifest.metadata.name === '') {
    messages.push('metadata.name: must be set');
  }
  return [...new Set(messages)].map((message) => ({ rule: 'schema', object, message }));
}
