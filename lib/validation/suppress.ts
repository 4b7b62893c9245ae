/**
 * Suppressions, as cdk-nag does them: recorded in the object itself, one rule at a time, with a reason, so a
 * reviewer sees them in the manifest. The annotation `gpu-platform.dev/suppress` holds one `<rule-id>: <reason>`
 * per line; a suppression without a reason or for an unknown rule is itself a finding (rule `suppression`).
 */
import { isKnownRule, SUPPRESS_ANNOTATION } from './rules';
import { isObject, objectId, Violation } from './types';

/** Reasons by rule id, for one object; malformed lines are reported through `problems`. */
export function suppressionsOf(m: any, problems: Violation[]): Map<string, string> {
  const out = new Map<string, string>();
  const value = isObject(m?.metadata?.annotations) ? m.metadata.annotations[SUPPRESS_ANNOTATION] : undefined;
  if (value === undefined) return out;
  const bad = (message: string) => problems.push({ rule: 'suppression', object: objectId(m), message: `metadata.annotations["${SUPPRESS_ANNOTATION}"]: ${message}` });
  if (typeof value !== 'string') {
    bad('must be a string of `<rule-id>: <reason>` lines');
    return out;
  }
  for (const line of value.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    const m2 = /^([a-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    if (!m2) bad(`${JSON.stringify(line)} is not \`<rule-id>: <reason>\``);
    else if (!isKnownRule(m2[1]) || m2[1] === 'suppression') bad(`${JSON.stringify(m2[1])} is not a rule that can be suppressed`);
    else if (m2[2].trim().length < 10) bad(`rule ${m2[1]}: give a reason of at least 10 characters (given ${JSON.stringify(m2[2].trim())})`);
    else out.set(m2[1], m2[2].trim());
  }
  return out;
}

/** The `gpu-platform.dev/suppress` annotation value that suppresses these rules with these reasons. */
export function suppressionAnnotation(reasons: { [ruleId: string]: string }): { [key: string]: string } {
  return { [SUPPRESS_ANNOTATION]: Object.entries(reasons).map(([id, reason]) => `${id}: ${reason}`).join('\n') };
}
