// Runtime shape checks for every public entry. TypeScript checks nothing at run time and jsii lets any language
// send any value, so each constructor checks its props object against a shape before using it. Every failure
// goes through `fail` (one message format) and names the prop as the user wrote it, e.g. `quota.gpus[1].count`.
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from './errors';
import { ensureUniqueObjectsRule } from './unique-objects';
import { DNS_LABEL_MAX, requireDnsLabel, requireDnsSubdomain, requireLabels, requireQualifiedName } from './names';

/** Checks one value; `prop` is the path as the user wrote it. */
export type Check = (scope: IConstruct, prop: string, value: unknown) => void;

/** A check that also accepts `undefined`. */
export interface OptionalCheck extends Check {
  readonly optional: true;
}

/**
 * The shape of a props interface: one check per prop. `Required<T>` makes the compiler list every prop, so a
 * prop added to the interface without a check is a type error here, not a silently unchecked input.
 */
export type Shape<T> = { readonly [K in keyof Required<T>]: Check };

function isOptional(c: Check): boolean {
  return (c as Partial<OptionalCheck>).optional === true;
}

/** Accepts `undefined` as well as what `check` accepts. */
export function opt(check: Check): OptionalCheck {
  const c = ((scope: IConstruct, prop: string, value: unknown) => {
    if (value !== undefined) check(scope, prop, value);
  }) as Check & { optional: true };
  c.optional = true;
  return c;
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/** Anything (for values passed through untouched, such as L1 objects checked by the Kubernetes schema). */
export const any: Check = () => undefined;

/** An object (not null, not an array), of any fields: L1 structs the API server validates. */
export function object(what: string = 'an object'): Check {
  return (scope, prop, value) => {
    if (!isPlainObject(value)) fail(scope, prop, value, `${what} (given ${describeType(value)})`);
  };
}

/** Options of `str`. */
export interface StringRule {
  /** Refuse the empty string (and whitespace only). */
  readonly nonEmpty?: boolean;
  /** Longest length. */
  readonly max?: number;
  /** A pattern the whole string matches, and its description for the message. */
  readonly pattern?: RegExp;
  readonly patternText?: string;
}

/** A string. */
export function str(rule: StringRule = {}): Check {
  return (scope, prop, value) => {
    if (typeof value !== 'string') fail(scope, prop, value, `a string${rule.pattern ? `: ${rule.patternText}` : ''} (given ${describeType(value)})`);
    if (rule.nonEmpty && value.trim() === '') fail(scope, prop, value, 'a non-empty string');
    if (rule.max !== undefined && value.length > rule.max) fail(scope, prop, value, `a string of at most ${rule.max} characters (given ${value.length})`);
    if (rule.pattern && !rule.pattern.test(value)) fail(scope, prop, value, rule.patternText ?? `a string matching ${rule.pattern}`);
  };
}

/** Options of `num`. */
export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** The lower bound is exclusive (`> min`). */
  readonly minExclusive?: boolean;
  /** Extra words for the message, e.g. a unit. */
  readonly note?: string;
}

function numberText(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.min === undefined ? '' : `${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  const range = rule.min !== undefined && rule.max !== undefined && !rule.minExclusive
    ? ` from ${rule.min} to ${rule.max}`
    : `${lo ? ` ${lo}` : ''}${rule.max !== undefined ? `${lo ? ' and' : ''} <= ${rule.max}` : ''}`;
  return `${kind}${range}${rule.note ? ` ${rule.note}` : ''}`;
}

/** A number (finite, not NaN), optionally an integer within a range. */
export function num(rule: NumberRule = {}): Check {
  return (scope, prop, value) => {
    const ok = typeof value === 'number' && Number.isFinite(value)
      && (!rule.integer || Number.isInteger(value))
      && (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min))
      && (rule.max === undefined || value <= rule.max);
    if (!ok) fail(scope, prop, value, numberText(rule));
  };
}

/** An integer within `[min, max]`. */
export function int(min?: number, max?: number): Check {
  return num({ integer: true, min, max });
}

/** A boolean. */
export const bool: Check = (scope, prop, value) => {
  if (typeof value !== 'boolean') fail(scope, prop, value, `true or false (given ${describeType(value)})`);
};

/** An array whose items pass `item`, with at least `minLength` items. */
export function arr(item: Check = any, minLength: number = 0): Check {
  return (scope, prop, value) => {
    if (!Array.isArray(value)) fail(scope, prop, value, `a list (given ${describeType(value)})`);
    if (value.length < minLength) fail(scope, prop, value, `a list of at least ${minLength} item${minLength === 1 ? '' : 's'}`);
    value.forEach((v, i) => {
      if (v === undefined || v === null) fail(scope, `${prop}[${i}]`, v, 'a value (lists hold no empty entries)');
      item(scope, `${prop}[${i}]`, v);
    });
  };
}

/** A map of string keys to strings (annotations and other maps whose keys are free-form). */
export function stringMap(value: Check = str()): Check {
  return (scope, prop, m) => {
    if (!isPlainObject(m)) fail(scope, prop, m, `a map of strings (given ${describeType(m)})`);
    for (const [k, v] of Object.entries(m)) value(scope, `${prop}["${k}"]`, v);
  };
}

/** A label map: qualified-name keys, label values (what the API server checks on every label). */
export const labels: Check = (scope, prop, m) => {
  stringMap()(scope, prop, m);
  requireLabels(scope, prop, m as { [key: string]: string });
};

/** An annotation map: qualified-name keys, any string values. */
export const annotations: Check = (scope, prop, m) => {
  stringMap()(scope, prop, m);
  for (const k of Object.keys(m as object)) requireQualifiedName(scope, `${prop} key`, k);
};

/** A DNS-1123 label (namespaces, most names), at most `max` characters. */
export function dnsLabel(max: number = DNS_LABEL_MAX): Check {
  return (scope, prop, value) => {
    requireDnsLabel(scope, prop, value as string, max);
  };
}

/** A DNS-1123 subdomain (object names such as ConfigMaps, PVCs, StorageClasses, PriorityClasses). */
export function dnsSubdomain(max?: number): Check {
  return (scope, prop, value) => {
    requireDnsSubdomain(scope, prop, value as string, max);
  };
}

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `value` is a DNS-1035 label (Service names): like DNS-1123 but starting with a letter. */
export function requireDnsLabel1035(scope: IConstruct, prop: string, value: string, max: number = DNS_LABEL_MAX): string {
  if (typeof value !== 'string' || value.length > max || !DNS_1035.test(value)) {
    fail(scope, prop, value, `a DNS-1035 label of at most ${max} characters (it names a Service): lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`);
  }
  return value;
}

/** A DNS-1035 label (Service names). */
export function dns1035(max: number = DNS_LABEL_MAX): Check {
  return (scope, prop, value) => {
    requireDnsLabel1035(scope, prop, value as string, max);
  };
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Throws unless `value` is an environment variable name the API server accepts (C identifier-like, no leading digit). */
export function requireEnvName(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    fail(scope, prop, value, "an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit");
  }
  return value;
}

/** A JSON pointer (RFC 6901) as Argo CD's ignoreDifferences takes: starts with `/`. */
export function requireJsonPointer(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^(\/([^~/]|~[01])*)+$/.test(value)) {
    fail(scope, prop, value, 'a JSON pointer starting with "/", such as "/spec/replicas" ("~" only as "~0" or "~1")');
  }
  return value;
}

/** Argo CD reads a sync wave with strconv.Atoi; anything but an integer becomes wave 0 silently. */
export function requireSyncWave(scope: IConstruct, prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(scope, prop, value, 'an integer sync wave (Argo CD reads anything else as wave 0)');
  }
  return value;
}

/** Options of `duration`. */
export interface DurationRule {
  /** The duration is written in whole seconds (most Kubernetes fields), so fractions are refused. */
  readonly wholeSeconds?: boolean;
  /** Shortest, in seconds. */
  readonly minSeconds?: number;
}

/** A cdk8s `Duration`, such as `Duration.seconds(30)`. */
export function duration(rule: DurationRule = { wholeSeconds: true }): Check {
  return (scope, prop, value) => {
    if (!(value instanceof Duration)) fail(scope, prop, value, `a Duration such as Duration.seconds(30) or Duration.minutes(5) (given ${describeType(value)})`);
    const ms = value.toMilliseconds();
    if (!Number.isFinite(ms) || ms < 0) fail(scope, prop, `${ms} ms`, 'a finite, non-negative Duration');
    if ((rule.wholeSeconds ?? true) && ms % 1000 !== 0) {
      fail(scope, prop, `${ms} ms`, 'a whole number of seconds (Kubernetes takes these in seconds), such as Duration.seconds(90)');
    }
    if (rule.minSeconds !== undefined && ms < rule.minSeconds * 1000) {
      fail(scope, prop, `${ms / 1000} s`, `at least ${rule.minSeconds} s`);
    }
  };
}

/** Throws unless `d` converts to whole seconds; returns the seconds. For durations checked outside a shape. */
export function durationSeconds(scope: IConstruct, prop: string, d: Duration): number {
  duration({ wholeSeconds: true })(scope, prop, d);
  return d.toSeconds();
}

// Enum-like classes have private constructors, so only `Function` fits them all.
// eslint-disable-next-line @typescript-eslint/ban-types
type AnyClass = Function;

/** The static members of an enum-like class that are instances of it, and its static factories. */
function choices(cls: AnyClass, name: string): string {
  const members: string[] = [];
  const factories: string[] = [];
  for (const key of Object.getOwnPropertyNames(cls)) {
    if (['length', 'name', 'prototype'].includes(key) || key.startsWith('_')) continue;
    const desc = Object.getOwnPropertyDescriptor(cls, key);
    const v: unknown = desc?.value;
    if (v instanceof cls) members.push(`${name}.${key}`);
    else if (typeof v === 'function' && !/^(of|all|find|is|with|membership|apply|default|sync|api|useDict|expressible|replicaSplit|manifestsAt|promote|ref)/.test(key)) {
      factories.push(`${name}.${key}(...)`);
    }
  }
  return [...members, ...factories].join(', ');
}

/** Options of `instance`. */
export interface InstanceRule {
  /** The class name as users see it (minified bundles lose `cls.name`). */
  readonly name?: string;
  /** Plain strings accepted as well (untyped callers may send the Kubernetes value). */
  readonly strings?: string[];
  /** What to say instead of the generated list. */
  readonly allowed?: string;
}

/**
 * An instance of a library class: an enum-like class (`AntiAffinity.HARD`, `GpuResource.mig('1g.10gb')`) or a
 * value class (`Cpu`, `Memory`, `Storage`). A plain string such as `'hard'` where an enum-like class is
 * expected is refused with the factories that make one. Quantities are also checked to have parsed.
 */
export function instance(cls: AnyClass, rule: InstanceRule = {}): Check {
  const name = rule.name ?? cls.name;
  let allowed: string | undefined;
  return (scope, prop, value) => {
    if (rule.strings && typeof value === 'string' && rule.strings.includes(value)) return;
    if (!(value instanceof cls)) {
      allowed ??= rule.allowed ?? (() => {
        const list = choices(cls, name);
        return `${list ? `one of ${list}` : `a ${name}`}${rule.strings ? ` (or one of ${rule.strings.map((s) => JSON.stringify(s)).join(', ')})` : ''}`;
      })();
      fail(scope, prop, value, `${allowed} (given ${describeType(value)})`);
    }
    const v = value as { validate?: unknown; isValid?: unknown };
    // Quantities (Cpu, Memory, Storage) remember a parse failure; report it here with the prop.
    if (typeof v.isValid === 'boolean' && typeof v.validate === 'function') (v.validate as (s: IConstruct, p: string) => unknown).call(value, scope, prop);
  };
}

/** Options of `shape`. */
export interface ShapeRule {
  /** The interface name, for the message. */
  readonly name?: string;
  /** Accept keys the shape does not list. */
  readonly allowUnknown?: boolean;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known prop an unknown key is a likely misspelling of (same letters in another case, or 1-2 edits away). */
function misspelled(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  if (key.length < 4) return undefined;
  const limit = key.length < 7 ? 1 : 2;
  return known.map((k) => ({ k, d: editDistance(lower, k.toLowerCase()) })).filter((x) => x.d <= limit).sort((x, y) => x.d - y.d)[0]?.k;
}

/** Checks an object against a shape (called by `shape` and `checkProps`). */
function checkObject(scope: IConstruct, prefix: string, value: unknown, fields: { [key: string]: Check }, rule: ShapeRule): void {
  const what = rule.name ? `an object of ${rule.name}` : 'an object';
  if (!isPlainObject(value)) fail(scope, prefix, value, `${what} (given ${describeType(value)})`);
  const at = (k: string) => (prefix === 'props' ? k : `${prefix}.${k}`);
  // Keys the shape does not list are allowed (TypeScript lets a spread carry a bigger object's fields), except
  // a likely misspelling of a known prop (`replica`, `gpus`, `Name`), which would otherwise be dropped silently.
  if (!rule.allowUnknown) {
    const known = Object.keys(fields);
    for (const k of Object.keys(value)) {
      if (k in fields || value[k] === undefined) continue;
      const hint = misspelled(k, known);
      if (hint) fail(scope, at(k), value[k], `no such prop${rule.name ? ` in ${rule.name}` : ''}; did you mean ${hint}?`);
    }
  }
  for (const [k, check] of Object.entries(fields)) {
    const v = value[k];
    if (v === undefined) {
      if (!isOptional(check)) fail(scope, at(k), v, `a value: ${k} is required${rule.name ? ` in ${rule.name}` : ''}`);
      continue;
    }
    // null is how JSON and Python's None spell "unset"; treat it as a wrong value, not as absent.
    if (v === null) fail(scope, at(k), v, isOptional(check) ? 'a value, or leave the prop out' : 'a value');
    check(scope, at(k), v);
  }
}

/** A nested interface: an object whose props pass their checks. */
export function shape<T>(fields: Shape<T>, rule: ShapeRule = {}): Check {
  return (scope, prop, value) => checkObject(scope, prop, value, fields as { [key: string]: Check }, rule);
}

/**
 * The check at the top of every public constructor: the props object is present, an object, and each prop has
 * the right type and shape. Returns the props so a constructor can write `props = checkProps(...)`.
 */
export function checkProps<T>(scope: IConstruct, props: T, fields: Shape<T>, rule: ShapeRule = {}): T {
  ensureUniqueObjectsRule(scope);
  checkObject(scope, 'props', props, fields as { [key: string]: Check }, rule);
  return props;
}

/** Like `checkProps`, for props that may be left out entirely (`props: XProps = {}`). */
export function checkOptionalProps<T>(scope: IConstruct, props: T | undefined, fields: Shape<T>, rule: ShapeRule = {}): T {
  if (props === undefined) return {} as T;
  return checkProps(scope, props, fields, rule);
}

/** Runs `check` on one value outside a shape (factory arguments checked where a construct receives them). */
export function checkValue(scope: IConstruct, prop: string, value: unknown, check: Check): void {
  check(scope, prop, value);
}

// Docker reference grammar (distribution/reference, regexp.go): [host[:port]/]path[:tag][@digest].
const IMAGE_REF = /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** Throws unless `value` is a well-formed image reference (no empty tag, no upper case in the path). */
export function requireImageRef(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(scope, prop, value, 'a container image reference such as "vllm/vllm-openai:v0.18.0"');
  }
  if (/:(@|$)/.test(value)) fail(scope, prop, value, 'an image reference with a tag after ":" (the tag is empty), such as "vllm/vllm-openai:v0.18.0"');
  // Only a first component with "." or ":" (or localhost) is a registry host; any other is a lowercase path.
  const first = value.split('/')[0];
  const isHost = value.includes('/') && (/[.:]/.test(first) || first === 'localhost');
  if (!IMAGE_REF.test(value) || (!isHost && /[A-Z]/.test(first.split(':')[0]))) {
    fail(scope, prop, value, 'an image reference [registry[:port]/]repository[:tag][@sha256:digest]: lowercase repository path, tag of letters, digits, "_", "." and "-"');
  }
  return value;
}

/** An image reference (pinning is checked where the image is used). */
export const image: Check = (scope, prop, value) => {
  requireImageRef(scope, prop, value as string);
};

/** A workload's tenant: a TenantNamespace or another ITenant implementation. */
export const tenant: Check = (scope, prop, value) => {
  const t = value as { node?: unknown; namespaceName?: unknown; tenantName?: unknown; quota?: unknown; placement?: unknown };
  if (typeof value !== 'object' || value === null || typeof t.namespaceName !== 'string' || typeof t.tenantName !== 'string'
    || typeof t.node !== 'object' || typeof t.quota !== 'object' || t.quota === null) {
    fail(scope, prop, typeof value === 'object' && value !== null ? `${describeType(value)}` : value,
      'an ITenant, such as a TenantNamespace (with tenantName, namespaceName, placement and quota)');
  }
};

/** An environment variable list entry (`k8s.EnvVar`). */
export const envVar: Check = (scope, prop, value) => {
  checkObject(scope, prop, value, {
    name: (s, p, v) => { requireEnvName(s, p, v as string); },
    value: opt(str()),
    valueFrom: opt(object('an EnvVarSource object')),
  }, { name: 'EnvVar' });
};

/** Any construct (a scope such as a chart, or a construct whose objects something refers to). */
export const construct: Check = (scope, prop, value) => {
  if (typeof value !== 'object' || value === null || typeof (value as { node?: unknown }).node !== 'object') {
    fail(scope, prop, value, `a construct (given ${describeType(value)})`);
  }
};

/** A string check that runs a `require...(scope, prop, value)` function. */
export function req(fn: (scope: IConstruct, prop: string, value: string) => unknown): Check {
  return (scope, prop, value) => {
    fn(scope, prop, value as string);
  };
}

/** Memoizes a shape built on first use: shape files import classes from files that import them back. */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * A stand-in scope for checks that run before the construct exists (static factories such as
 * `RoleBasedGroup.prefillDecode(scope, id, ...)`): messages carry the path the construct will have.
 */
export function pathScope(path: string): IConstruct {
  return { node: { path } } as unknown as IConstruct;
}

/**
 * Checks an argument of a static factory (`PodMetric.kvCacheUsage(0.8)`, `GpuResource.custom(name)`), which has
 * no construct scope: the message names the factory, `[PodMetric.kvCacheUsage] averageValue: given 80; ...`.
 */
export function checkArg<T>(factory: string, arg: string, value: T, check: Check): T {
  check(pathScope(factory), arg, value);
  return value;
}

/** An Argo CD ignoreDifferences entry. */
export const ignoreDifference: Check = (scope, prop, value) => {
  checkObject(scope, prop, value, {
    group: opt(str()),
    kind: str({ nonEmpty: true }),
    name: opt(str()),
    namespace: opt(str()),
    jsonPointers: opt(arr(req(requireJsonPointer))),
    jqPathExpressions: opt(arr(str({ nonEmpty: true }))),
    managedFieldsManagers: opt(arr(str({ nonEmpty: true }))),
  }, { name: 'IgnoreDifference' });
};

/** A sync wave: an integer Argo CD reads as such. */
export const syncWave: Check = (scope, prop, value) => {
  requireSyncWave(scope, prop, value as number);
};
