/**
 * The rule engine: runs every check on a set of manifests (one cluster) and applies the suppressions written
 * in the objects. New checks (admission, scheduling, sync) are wired in here.
 */
import { fail } from '../core/errors';
import { checkAdmission } from './admission';
import { memoizedCheck } from './check-memo';
import { checkMetadata, checkPodSpecs } from './api-validation';
import { checkCrd, crdIndex, isCrdGroup } from './crd';
import { checkCrossObject } from './cross-object';
import { checkPodSecurity } from './pod-security';
import { isKnownRule, RULE_CATALOGUE } from './rules';
import { checkScheduling } from './scheduling';
import { checkSchema, isBuiltInGroup } from './schema';
import { suppressionsOf } from './suppress';
import { sharePodSpecs } from '../core/manifest-model';
import { groupOf, isObject, objectId } from './types';
import type { ValidateOptions, Violation } from './types';

/** A finding silenced by the object's `gpu-platform.dev/suppress` annotation, with the reason given there. */
export interface SuppressedViolation extends Violation {
  readonly reason: string;
}

/** What every rule found: the violations that count, and those suppressed on their object. */
export interface Evaluation {
  readonly violations: Violation[];
  readonly suppressed: SuppressedViolation[];
}

/** Checks manifests against every rule (minus `options.skip`) and returns all violations (suppressed ones excluded). */
export function validate(manifests: any[], options: ValidateOptions = {}): Violation[] {
  return evaluate(manifests, options).violations;
}

/**
 * `validate`, also returning the suppressed findings with their reasons. `extra`: findings of checks that need
 * more than the manifests (the sync checks need their folders), skipped and suppressed like the others.
 */
export function evaluate(manifests: any[], options: ValidateOptions = {}, extra: Violation[] = []): Evaluation {
  return sharePodSpecs(() => evaluateAll(manifests, options, extra));
}

function evaluateAll(manifests: any[], options: ValidateOptions, extra: Violation[]): Evaluation {
  const skip = new Set(options.skip ?? []);
  for (const s of skip) if (!isKnownRule(s)) fail('validate', 'skip', s, `a rule id: ${RULE_CATALOGUE.map((r) => r.id).join(', ')}`);
  const docs = manifests.filter((m) => m !== null && m !== undefined);
  const out: Violation[] = [];
  for (const m of docs) {
    if (!isObject(m) || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
      out.push({ rule: 'schema', object: objectId(m), message: 'not a Kubernetes object: apiVersion and kind must be strings' });
      continue;
    }
    out.push(...checkMetadata(m), ...checkPodSpecs(m));
    if (isCrdGroup(m.apiVersion)) out.push(...memoizedCheck(m, checkCrd));
    else if (isBuiltInGroup(m.apiVersion)) out.push(...memoizedCheck(m, checkSchema));
    else if (crdIndex() !== null) {
      out.push({ rule: 'unknown-kind', object: objectId(m), message: `group ${JSON.stringify(groupOf(m.apiVersion))} is neither built-in nor served by a CRD` });
    }
  }
  const valid = docs.filter((m) => isObject(m));
  out.push(...checkPodSecurity(valid), ...checkCrossObject(valid), ...checkAdmission(valid), ...checkScheduling(valid), ...extra);
  // Suppressions apply to the object they are written on (every document with its id).
  const reasons = new Map<string, Map<string, string>>();
  for (const m of valid) {
    const own = suppressionsOf(m, out);
    if (own.size === 0) continue;
    const id = objectId(m);
    reasons.set(id, new Map([...(reasons.get(id) ?? []), ...own]));
  }
  const violations: Violation[] = [];
  const suppressed: SuppressedViolation[] = [];
  for (const v of out) {
    if (skip.has(v.rule)) continue;
    const reason = reasons.get(v.object)?.get(v.rule);
    if (reason === undefined) violations.push(v);
    else suppressed.push({ ...v, reason });
  }
  return { violations, suppressed };
}
