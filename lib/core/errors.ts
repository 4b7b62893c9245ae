import { IConstruct } from 'constructs';

/**
 * Thrown for a rule violation that is visible at construction time.
 * The message always names the construct path, the prop, the value given and what is allowed.
 */
export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  // JSON.stringify writes NaN and Infinity as null, which would misreport the value given.
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The one message format every rule uses: `[path] prop: given <value>; allowed: <rule>`. */
export function formatViolation(scope: IConstruct, prop: string, given: unknown, allowed: string): string {
  return `[${scope.node.path}] ${prop}: given ${show(given)}; allowed: ${allowed}`;
}

/** Throws a PlatformError in the standard format. */
export function fail(scope: IConstruct, prop: string, given: unknown, allowed: string): never {
  throw new PlatformError(formatViolation(scope, prop, given, allowed));
}

/**
 * Registers an app-wide rule, checked by `app.synth()` / `cdk8s synth` together with every other rule.
 * `check` returns violation messages (use `formatViolation`), or an empty list.
 */
export function addRule(scope: IConstruct, check: () => string[]): void {
  // cdk8s prefixes each message with the validating construct's path; drop ours so it is not printed twice.
  const prefix = `[${scope.node.path}] `;
  scope.node.addValidation({ validate: () => check().map((m) => (m.startsWith(prefix) ? m.slice(prefix.length) : m)) });
}

/** Integer check shared by replicas, ports and GPU counts. */
export function requireInteger(scope: IConstruct, prop: string, value: number, min: number, max?: number): number {
  const allowed = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    fail(scope, prop, value, allowed);
  }
  return value;
}

/** Port check (1-65535). */
export function requirePort(scope: IConstruct, prop: string, value: number): number {
  return requireInteger(scope, prop, value, 1, 65535);
}
