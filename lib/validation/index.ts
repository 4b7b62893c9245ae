/**
 * The validator (`cdk8s-gpu-platform/validation`): synthesize a chart or app, or load a folder of YAML, then
 * check each manifest against the Kubernetes 1.27 schemas, the CRD schemas, Pod Security `restricted` and the
 * cross-object rules an API server or an Argo CD sync would enforce. The repository's tests use it as their
 * harness (`test/harness`); users call it from their own tests, from `cdk8s synth` (the validation plugin,
 * `plugin.ts`) or from the command line (`cli.ts`). See docs/validation.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { fail, failSynth } from '../core/errors';
import { BUNDLE_FILE, CRDS_DIR } from './crd';
import { validate } from './evaluate';
import { fixFor, RULE_CATALOGUE } from './rules';
import { isObject } from './types';
import type { ValidateOptions, Violation } from './types';

export type { Violation, ValidateOptions, PodSpecRef } from './types';
export { findPodSpecs } from './types';
export { CRDS_DIR } from './crd';

/** Whether CRD schemas are here (the shipped bundle, ../shared/crds or $CRDS_DIR); without them the `crd` rule is skipped. */
export const crdsAvailable: boolean = fs.existsSync(CRDS_DIR) || (process.env.CRDS_DIR === undefined && fs.existsSync(BUNDLE_FILE));
export { selects } from './cross-object';

/** Every rule id, for `ValidateOptions.skip` (the catalogue with severity and fix: `RULE_CATALOGUE`). */
export const RULES: readonly string[] = RULE_CATALOGUE.map((r) => r.id);
export { RULE_CATALOGUE, SUPPRESS_ANNOTATION, fixFor, ruleInfo, registerRule } from './rules';
export type { RuleInfo, Severity } from './rules';
export { suppressionAnnotation } from './suppress';
export * from './report';
export { evaluate, validate } from './evaluate';
export { GpuPlatformValidation } from './plugin';
export type { GpuPlatformValidationProps, PluginContext } from './plugin';
export { useCrdDirs } from './crd';
export type { SchemaSources, CrdSource } from './sources';
export type { Evaluation, SuppressedViolation } from './evaluate';

/**
 * Synthesizes a chart (like `Testing.synth`) or a whole app (every chart's manifests, in `cdk8s synth` order).
 * Runs every construct's `node.addValidation` rules; a failing one throws with all messages.
 */
export function synth(scope: App | Chart): any[] {
  // Loaded here, not at the top: the validation plugin of `cdk8s synth` never synthesizes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Chart: ChartClass }: typeof import('cdk8s') = require('cdk8s');
  if (scope instanceof ChartClass) return (scope as Chart).toJson().map(asWritten);
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


/** One line per violation: `[rule] Kind/namespace/name: message`. */
export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `[${v.rule}] ${v.object}: ${v.message}`).join('\n');
}

/** Throws an Error listing every violation, one per line, then each rule's fix. */
export function expectValid(manifests: any[], options: ValidateOptions = {}): void {
  const violations = validate(manifests, options);
  if (violations.length > 0) {
    const fixes = [...new Map(violations.map((v) => [`${v.rule}|${fixFor(v.rule, v.message)}`, v])).values()]
      .map((v) => `  [${v.rule}] ${fixFor(v.rule, v.message)}`);
    failSynth(`${violations.length} harness violation(s):\n${formatViolations(violations)}\nfixes:\n${fixes.join('\n')}`);
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
    if (d.errors.length > 0) fail(f, 'YAML', d.errors.map((e) => e.message).join('; '), 'parseable YAML documents');
    return d.toJSON();
  })).filter((d) => d !== null && d !== undefined);
}
