/**
 * The validation harness every test uses: synthesize a chart or app, then check each manifest against the
 * Kubernetes 1.27 schemas, the CRD schemas, Pod Security `restricted` and the cross-object rules an API
 * server or an Argo CD sync would enforce. See README, "How tests validate output".
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { checkMetadata, checkPodSpecs } from './api-validation';
import { checkCrd, CRDS_DIR, isCrdGroup, crdIndex } from './crd';
import { checkCrossObject } from './cross-object';
import { checkAdmission } from './admission';
import { checkPodSecurity } from './pod-security';
import { checkScheduling } from './scheduling';
import { checkSchema, isBuiltInGroup } from './schema';
import { groupOf, isObject, objectId } from './types';
import type { ValidateOptions, Violation } from './types';

export type { Violation, ValidateOptions, PodSpecRef } from './types';
export { findPodSpecs } from './types';
export { CRDS_DIR } from './crd';

/** Whether the upstream CRDs (../shared/crds or $CRDS_DIR) are here; without them the `crd` rule is skipped. */
export const crdsAvailable: boolean = fs.existsSync(CRDS_DIR);
export { selects } from './cross-object';

/** Every rule name, for `ValidateOptions.skip`. */
export const RULES = ['schema', 'crd', 'unknown-kind', 'metadata', 'pod-spec', 'pod-security', 'selector-match', 'service-selects-pods',
  'binding-role-exists', 'quota-extended-resources', 'quota-requires-requests', 'egress-dns', 'unique-objects', 'admission', 'scheduling'] as const;

/**
 * Synthesizes a chart (like `Testing.synth`) or a whole app (every chart's manifests, in `cdk8s synth` order).
 * Runs every construct's `node.addValidation` rules; a failing one throws with all messages.
 */
export function synth(scope: App | Chart): any[] {
  if (scope instanceof Chart) return scope.toJson().map(asWritten);
  return parseAllDocuments(scope.synthYaml()).map((d) => d.toJSON()).filter((d) => d !== null && d !== undefined);
}

/**
 * What `cdk8s synth` writes for a chart's JSON: its YAML writer keeps undefined values as `null`. cdk8s leaves
 * `undefined` where an L1 conversion failed (a plain string passed as a `Quantity`), and `toJson()` alone would
 * hide that (the key silently disappears), so chart tests see the `null` the YAML on disk would have.
 */
function asWritten(value: any): any {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(asWritten);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asWritten(v)]));
  return value;
}

/** Checks manifests against every rule (minus `options.skip`) and returns all violations. */
export function validate(manifests: any[], options: ValidateOptions = {}): Violation[] {
  const skip = new Set(options.skip ?? []);
  for (const s of skip) if (!(RULES as readonly string[]).includes(s)) throw new Error(`validate: unknown rule ${JSON.stringify(s)} in skip; rules: ${RULES.join(', ')}`);
  const docs = manifests.filter((m) => m !== null && m !== undefined);
  const out: Violation[] = [];
  for (const m of docs) {
    if (!isObject(m) || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
      out.push({ rule: 'schema', object: objectId(m), message: 'not a Kubernetes object: apiVersion and kind must be strings' });
      continue;
    }
    out.push(...checkMetadata(m), ...checkPodSpecs(m));
    if (isCrdGroup(m.apiVersion)) out.push(...checkCrd(m));
    else if (isBuiltInGroup(m.apiVersion)) out.push(...checkSchema(m));
    else if (crdIndex() !== null) {
      out.push({ rule: 'unknown-kind', object: objectId(m), message: `group ${JSON.stringify(groupOf(m.apiVersion))} is neither built-in nor served by a CRD` });
    }
  }
  const valid = docs.filter((m) => isObject(m));
  out.push(...checkPodSecurity(valid), ...checkCrossObject(valid), ...checkAdmission(valid), ...checkScheduling(valid));
  return out.filter((v) => !skip.has(v.rule));
}

/** One line per violation: `[rule] Kind/namespace/name: message`. */
export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `[${v.rule}] ${v.object}: ${v.message}`).join('\n');
}

/** Throws an Error listing every violation, one per line. */
export function expectValid(manifests: any[], options: ValidateOptions = {}): void {
  const violations = validate(manifests, options);
  if (violations.length > 0) {
    throw new Error(`${violations.length} harness violation(s):\n${formatViolations(violations)}`);
  }
}

/** `synth` + `expectValid`; returns the manifests. */
export function synthValid(scope: App | Chart, options: ValidateOptions = {}): any[] {
  const manifests = synth(scope);
  expectValid(manifests, options);
  return manifests;
}

/** Loads every YAML document of every `.yaml`/`.yml` file under `dir` (recursively, sorted), e.g. `dist/`. */
export function loadManifestsFromDir(dir: string): any[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  return files.flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJSON();
  })).filter((d) => d !== null && d !== undefined);
}
