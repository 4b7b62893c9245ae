import { IConstruct } from 'constructs';
import { IgnoreDifference, IIgnoreDifferencesSource } from '../core/ignore-differences';
import { compareStrings } from './canonical-order';

function isEntry(value: unknown): value is IgnoreDifference {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/** The JSON an entry becomes in the Application spec: keys in a fixed order, empty lists left out. */
export function ignoreDifferenceToJson(entry: IgnoreDifference): { [key: string]: any } {
  const out: { [key: string]: any } = {};
  if (entry.group !== undefined) out.group = entry.group;
  out.kind = entry.kind;
  if (entry.name !== undefined) out.name = entry.name;
  if (entry.namespace !== undefined) out.namespace = entry.namespace;
  if (entry.jsonPointers?.length) out.jsonPointers = [...entry.jsonPointers];
  if (entry.jqPathExpressions?.length) out.jqPathExpressions = [...entry.jqPathExpressions];
  if (entry.managedFieldsManagers?.length) out.managedFieldsManagers = [...entry.managedFieldsManagers];
  return out;
}

/**
 * Collects the `ignoreDifferences` entries of every construct under `roots` plus `extra`, without
 * duplicates, in one canonical order (sorted by their JSON). Collection happens at synth time so constructs added later are seen too.
 */
export function collectIgnoreDifferences(roots: IConstruct[], extra: IgnoreDifference[] = []): IgnoreDifference[] {
  const byKey = new Map<string, IgnoreDifference>();
  const add = (entry: IgnoreDifference) => {
    const key = JSON.stringify(ignoreDifferenceToJson(entry));
    if (!byKey.has(key)) byKey.set(key, entry);
  };
  extra.forEach(add);
  for (const root of roots) {
    for (const c of root.node.findAll()) {
      const list = (c as unknown as Partial<IIgnoreDifferencesSource>).ignoreDifferences;
      if (Array.isArray(list)) list.filter(isEntry).forEach(add);
    }
  }
  // One canonical order (the entries' JSON, code-unit order): construct order never reorders the list.
  return [...byKey.keys()].sort(compareStrings).map((k) => byKey.get(k)!);
}
