/**
 * Kubernetes quantity strings as numbers. No imports: the validator (lib/validation) uses it, and loading
 * quantity.ts would load cdk8s-plus-27's 2.5 MB of generated L1 code with it.
 */
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTORS: { [suffix: string]: number } = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** Parses a Kubernetes quantity string into its numeric value, or undefined if it does not parse. */
export function parseQuantity(text: string): number | undefined {
  const m = typeof text === 'string' ? QUANTITY.exec(text) : null;
  return m ? Number(m[1]) * FACTORS[m[2] ?? ''] : undefined;
}
