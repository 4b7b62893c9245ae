import { IConstruct } from 'constructs';
import { fail } from './errors';
import { k8s } from './k8s';

// In a module of its own, so the validator (lib/validation) parses quantities without loading cdk8s-plus.
import { parseQuantity } from './quantity-value';

export { parseQuantity };

/**
 * Base of the typed quantities. A quantity that failed to parse remembers why, and every construct that
 * takes one calls `validate(scope, prop)` so the error names the construct path and prop. `toK8s()` always
 * returns a `k8s.Quantity` object, never a string, so cdk8s can never write `null` for it.
 */
export abstract class ResourceQuantity {
  /** The amount in base units (cores for CPU, bytes for memory and storage). */
  public readonly amount: number;
  /** The Kubernetes form, for example `500m` or `16Gi`. */
  public readonly text: string;

  protected constructor(text: string, private readonly allowed: string, amount?: number) {
    this.text = text;
    this.amount = amount ?? NaN;
  }

  /** True when the quantity parsed and is not negative. */
  public get isValid(): boolean {
    return Number.isFinite(this.amount) && this.amount >= 0;
  }

  /** Throws a PlatformError naming `scope` and `prop` unless the quantity is valid. */
  public validate(scope: IConstruct, prop: string): this {
    if (!this.isValid) fail(scope, prop, this.text, this.allowed);
    return this;
  }

  /** The L1 form. Throws for an invalid quantity rather than letting a bad value through. */
  public toK8s(): k8s.Quantity {
    if (!this.isValid) fail('', 'quantity', this.text, this.allowed);
    return k8s.Quantity.fromString(this.text);
  }

  public toString(): string {
    return this.text;
  }
}

/** CPU, in cores or millicores. */
export class Cpu extends ResourceQuantity {
  public static millis(millicores: number): Cpu {
    return new Cpu(`${millicores}m`, Number.isInteger(millicores) ? millicores / 1000 : undefined);
  }
  public static cores(cores: number): Cpu {
    return new Cpu(`${cores}`, Number.isFinite(cores) ? cores : undefined);
  }
  /** Parses a Kubernetes CPU quantity such as `500m`, `2` or `1.5`. */
  public static parse(text: string): Cpu {
    return new Cpu(text, parseQuantity(text));
  }
  private constructor(text: string, cores: number | undefined) {
    super(text, 'a CPU quantity such as "500m", "2" or "1.5"', cores);
  }
  /** Millicores, for comparisons. */
  public get millicores(): number {
    return Math.round(this.amount * 1000);
  }
}

/** Memory, in bytes. */
export class Memory extends ResourceQuantity {
  public static mebibytes(n: number): Memory {
    return new Memory(`${n}Mi`, Number.isFinite(n) ? n * 2 ** 20 : undefined);
  }
  public static gibibytes(n: number): Memory {
    return new Memory(`${n}Gi`, Number.isFinite(n) ? n * 2 ** 30 : undefined);
  }
  /** Parses a Kubernetes memory quantity such as `512Mi` or `16Gi`. */
  public static parse(text: string): Memory {
    return new Memory(text, parseQuantity(text));
  }
  private constructor(text: string, bytes: number | undefined) {
    super(text, 'a memory quantity such as "512Mi" or "16Gi"', bytes);
  }
  public get bytes(): number {
    return this.amount;
  }
}

/** Storage (PVC sizes and storage quotas), in bytes. */
export class Storage extends ResourceQuantity {
  public static gibibytes(n: number): Storage {
    return new Storage(`${n}Gi`, Number.isFinite(n) ? n * 2 ** 30 : undefined);
  }
  public static tebibytes(n: number): Storage {
    return new Storage(`${n}Ti`, Number.isFinite(n) ? n * 2 ** 40 : undefined);
  }
  /** Parses a Kubernetes storage quantity such as `100Gi` or `1Ti`. */
  public static parse(text: string): Storage {
    return new Storage(text, parseQuantity(text));
  }
  private constructor(text: string, bytes: number | undefined) {
    super(text, 'a storage quantity such as "100Gi" or "1Ti"', bytes);
  }
  public get bytes(): number {
    return this.amount;
  }
}

/** Validates a GPU count: a whole number, at least `min` (0 for quotas, 1 for pods). */
export function requireGpuCount(scope: IConstruct, prop: string, count: number, min: number = 1): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < min) {
    fail(scope, prop, count, `a whole number of GPUs >= ${min}`);
  }
  return count;
}

/** A count as a `k8s.Quantity` (GPU counts, object counts). */
export function countQuantity(n: number): k8s.Quantity {
  return k8s.Quantity.fromNumber(n);
}
