/** One finding of the harness: which rule, which object (`Kind/namespace/name`), and what is wrong. */
export interface Violation {
  readonly rule: string;
  readonly object: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** Rule names to skip, for example `['service-selects-pods']` when a test synthesizes a Service alone. */
  readonly skip?: string[];
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectId(m: any): string {
  const kind = m?.kind ?? '<no kind>';
  const name = m?.metadata?.name ?? '<no name>';
  const ns = m?.metadata?.namespace;
  return ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

import { findPodSpecs, groupOf, isObject } from '../core/manifest-model';
import type { PodSpecRef } from '../core/manifest-model';

export { findPodSpecs, groupOf, isObject };
export type { PodSpecRef };
