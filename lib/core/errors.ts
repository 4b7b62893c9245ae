import { IConstruct } from 'constructs';

/** Brands the library's errors; `Symbol.for` so two copies of the library in one app recognise each other's. */
const PLATFORM_ERROR = Symbol.for('cdk8s-gpu-platform.PlatformError');

/**
 * Thrown for a rule violation that is visible at construction time (and for the few failures of the synth
 * itself). The message always names the construct path, the prop, the value given and what is allowed.
 * Internal: jsii cannot publish a subclass of Error; users recognise it with `Errors.isPlatformError`.
 */
export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
    Object.defineProperty(this, PLATFORM_ERROR, { value: true, enumerable: false });
  }
}

/**
 * Recognises the errors this library throws (as aws-cdk's `Errors.isValidationError` does: jsii cannot
 * publish a subclass of Error, so the check is a static method).
 *
 * Every construction-time rule throws one, with the message `[construct/path] prop: given <value>; allowed:
 * <rule>`, and so does the synth of a GitOpsApp or Environment when an app-wide rule fails. (`App.synth()`
 * and `Testing.synth` of plain cdk8s report app-wide rules with cdk8s' own `Error`.)
 */
export class Errors {
  /** True when `x` is an error thrown by this library. */
  public static isPlatformError(x: any): boolean {
    return x !== null && typeof x === 'object' && (x as { [PLATFORM_ERROR]?: boolean })[PLATFORM_ERROR] === true;
  }

  private constructor() {}
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

/**
 * The one message format every rule uses: `[path] prop: given <value>; allowed: <rule>`. `where` is the
 * construct, or a path for a check with no construct (a static method); an empty path leaves the prefix out.
 */
export function formatViolation(where: IConstruct | string, prop: string, given: unknown, allowed: string): string {
  const path = typeof where === 'string' ? where : where.node.path;
  const prefix = typeof where === 'string' && path === '' ? '' : `[${path}] `;
  return `${prefix}${prop}: given ${show(given)}; allowed: ${allowed}`;
}

/** Throws a PlatformError in the standard format. Every rule checked at construction goes through here. */
export function fail(where: IConstruct | string, prop: string, given: unknown, allowed: string): never {
  throw new PlatformError(formatViolation(where, prop, given, allowed));
}

/** Throws one PlatformError listing several violations (each from `formatViolation`), as cdk8s reports validation. */
export function failAll(violations: string[]): never {
  throw new PlatformError(`Validation failed with the following errors:\n  ${violations.join('\n  ')}`);
}

/**
 * Throws a PlatformError for a failure that is not bad input (a serializer thread or the disk failing).
 * Bad input always goes through `fail`.
 */
export function failSynth(message: string): never {
  throw new PlatformError(message);
}

/**
 * Registers an app-wide rule, checked by `app.synth()` / `cdk8s synth` together with every other rule.
 * `check` returns violation messages (use `formatViolation`), or an empty list. It must only read: cdk8s may
 * run validation more than once, and some synth paths skip it.
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

/** Metadata type of a warning (cdk8s keeps construct metadata; nothing in cdk8s 2.70 reads this type). */
const WARNING = 'warning';
/** Roots that print their warnings at synth, each with the warnings it already printed. */
const printed = new WeakMap<IConstruct, Set<string>>();
/** What a printed warning of a root says before the construct path, for roots that are one of several apps. */
const rootLabels = new WeakMap<IConstruct, string>();

/**
 * Names a construct root in the warnings it prints (`Warning: <label>: [path] message`): an Environment is a
 * root of its own, so dev, staging and prod built by the same code would otherwise print identical lines.
 * Internal (not exported from the package).
 */
export function labelWarnings(root: IConstruct, label: string): void {
  rootLabels.set(root, label);
}

/**
 * The one warnings channel: something legal but probably unintended (an unpinned image allowed with
 * `allowLatestImage`, a scale-to-zero service, a NetworkPolicy that admits no client).
 *
 * Each warning is kept as construct metadata (type `warning`), so tests read them with `Warnings.of(scope)`.
 * cdk8s 2.70 has no annotations or synth report for constructs, so the app's root validation (which every
 * synth path runs) prints each warning once to stderr as `Warning: [construct/path] message` (in an Environment,
 * `Warning: environment "<name>": [construct/path] message`); `cdk8s synth`
 * shows stderr. Under jest (`NODE_ENV=test`) nothing is printed: assert on `Warnings.of` instead.
 */
export class Warnings {
  /** Records a warning on `scope`; printed once at synth. */
  public static add(scope: IConstruct, message: string): void {
    scope.node.addMetadata(WARNING, `[${scope.node.path}] ${message}`);
    const root = scope.node.root;
    if (!printed.has(root)) {
      printed.set(root, new Set());
      root.node.addValidation({ validate: () => { printWarnings(root); return []; } });
    }
  }

  /** Every warning recorded on `scope` and the constructs under it, as `[construct/path] message`, in tree order. */
  public static of(scope: IConstruct): string[] {
    return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === WARNING).map((m) => String(m.data)));
  }

  private constructor() {}
}

function printWarnings(root: IConstruct): void {
  if (process.env.NODE_ENV === 'test') return;
  const done = printed.get(root)!;
  const label = rootLabels.get(root);
  for (const w of Warnings.of(root)) {
    if (done.has(w)) continue;
    done.add(w);
    printWarning(label === undefined ? w : `${label}: ${w}`);
  }
}

/**
 * Prints a warning that has no construct to record it on (the validator checks manifests, not constructs), in
 * the format `Warning: message` the Warnings channel prints. Printed under jest too: a test asserts on it
 * by spying on `process.stderr.write`. Internal (not exported from the package).
 */
export function printWarning(message: string): void {
  process.stderr.write(`Warning: ${message}\n`);
}
