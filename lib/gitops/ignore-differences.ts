import { IConstruct } from 'constructs';

/**
 * One Argo CD `ignoreDifferences` entry: a field Argo CD should not treat as drift, because a controller owns
 * it at runtime (replicas under an HPA, route weights under a Rollout).
 */
export interface IgnoreDifference {
  /**
   * API group of the object (`''` for the core group, `apps` for Deployments).
   * @default - the core group
   */
  readonly group?: string;
  /** Kind of the object, for example `Deployment`. */
  readonly kind: string;
  /**
   * Name of the object.
   * @default - every object of the kind
   */
  readonly name?: string;
  /**
   * Namespace of the object.
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * JSON pointers to ignore, for example `/spec/replicas`.
   * @default - none
   */
  readonly jsonPointers?: string[];
  /**
   * jq path expressions to ignore, for example `.spec.rules[].backendRefs[].weight`.
   * @default - none
   */
  readonly jqPathExpressions?: string[];
  /**
   * Ignore fields owned by these field managers (server-side apply).
   * @default - none
   */
  readonly managedFieldsManagers?: string[];
}

/**
 * Anything that knows which of its fields drift at runtime. Constructs expose a public `ignoreDifferences`
 * array (CanaryRollout, GpuInferenceService with an HPA); an Application collects them from its charts.
 */
export interface IIgnoreDifferencesSource {
  readonly ignoreDifferences: IgnoreDifference[];
}

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
 * Collects the `ignoreDifferences` entries of every construct under `roots` (in construct-tree order), plus
 * `extra`, without duplicates. Collection happens at synth time so constructs added later are seen too.
 */
export function collectIgnoreDifferences(roots: IConstruct[], extra: IgnoreDifference[] = []): IgnoreDifference[] {
  const seen = new Set<string>();
  const out: IgnoreDifference[] = [];
  const add = (entry: IgnoreDifference) => {
    const key = JSON.stringify(ignoreDifferenceToJson(entry));
    if (!seen.has(key)) {
      seen.add(key);
      out.push(entry);
    }
  };
  extra.forEach(add);
  for (const root of roots) {
    for (const c of root.node.findAll()) {
      const list = (c as unknown as Partial<IIgnoreDifferencesSource>).ignoreDifferences;
      if (Array.isArray(list)) list.filter(isEntry).forEach(add);
    }
  }
  return out;
}
