// Runtime-owned fields that GitOps tools must not treat as drift. Workload constructs declare them; the
// Argo CD Application (lib/gitops) collects them.
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
