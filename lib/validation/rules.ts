/**
 * The rule catalogue: every rule's id, severity, what it checks and a one-line fix (like kube-linter's checks or
 * cdk-nag's rule packs). `error`: the API server, an admission controller or an Argo CD sync rejects the object,
 * or it silently does nothing once applied. `warning`: it applies and runs, but probably not as meant.
 */

export type Severity = 'error' | 'warning';

export interface RuleInfo {
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks, one line. */
  readonly description: string;
  /** How to fix a finding, one line. */
  readonly fix: string;
}

const rule = (id: string, severity: Severity, description: string, fix: string): RuleInfo => ({ id, severity, description, fix });

/** Every rule, in report order. */
export const RULE_CATALOGUE: readonly RuleInfo[] = [
  rule('schema', 'error', 'Built-in kinds match the Kubernetes 1.27 OpenAPI schema (types, required fields, no unknown fields).',
    'Correct the field named in the message; `kubectl explain <kind>.<field>` shows the 1.27 schema.'),
  rule('crd', 'error', 'Custom resources match the openAPIV3Schema of a served version of their (bundled) CRD.',
    'Correct the field, or use an apiVersion the CRD serves; pass --crds <dir> when your cluster runs another CRD version.'),
  rule('unknown-kind', 'error', 'Every object is a Kubernetes 1.27 built-in kind or a kind of a known CRD.',
    'Fix the apiVersion/kind, or pass the CRD that defines it with --crds <dir> (plugin property `crds`).'),
  rule('metadata', 'error', 'Names, namespaces, label and annotation keys and values are what the API server accepts.',
    'Use DNS-1123 names (lower case, digits, "-"), label values of at most 63 characters, qualified keys.'),
  rule('pod-spec', 'error', 'Pod specs pass the API server\'s checks beyond the schema: unique container names, mounts of declared volumes, requests <= limits, whole GPUs with requests equal to limits.',
    'Correct the container or resources field named in the message.'),
  rule('pod-security', 'error', 'Pods meet Pod Security `restricted` (1.27), or the level their Namespace in the same set is labelled to enforce.',
    'Set the securityContext field named in the message, or label the Namespace with a lower pod-security.kubernetes.io/enforce level on purpose.'),
  rule('selector-match', 'error', 'Workload selectors match their own pod template; PodDisruptionBudgets select some pod.',
    'Make spec.selector match spec.template.metadata.labels (or the PDB selector match a workload\'s pod labels).'),
  rule('service-selects-pods', 'warning', 'A Service with a selector selects at least one pod template in its namespace.',
    'Make the Service selector match a workload\'s pod labels, or remove the selector when you manage Endpoints yourself.'),
  rule('binding-role-exists', 'error', 'RoleBindings and ClusterRoleBindings reference a Role or ClusterRole that exists.',
    'Create the role in the same set (same namespace for a Role), or reference a built-in ClusterRole (admin, edit, view).'),
  rule('quota-extended-resources', 'error', 'ResourceQuotas name extended resources (GPUs) only as requests.<name>.',
    'Rename the quota key to requests.<resource> (for example requests.nvidia.com/gpu).'),
  rule('quota-requires-requests', 'error', 'Under a cpu/memory ResourceQuota every container sets what the quota counts, or a LimitRange defaults it.',
    'Set resources.requests/limits on the container, or add a LimitRange with default/defaultRequest in the namespace.'),
  rule('egress-dns', 'error', 'A namespace whose every pod is egress-restricted also allows DNS (UDP and TCP 53).',
    'Add a NetworkPolicy allowing egress to kube-dns on port 53 UDP and TCP.'),
  rule('unique-objects', 'error', 'No two objects share API group, kind, namespace and name in one cluster.',
    'Rename one of the objects, or validate each cluster (environment folder) on its own.'),
  rule('admission', 'error', 'Pods pass the LimitRange, ResourceQuota, Priority and ServiceAccount admission plugins of their namespace.',
    'Size requests/limits within the LimitRange and the quota, and create the PriorityClass or ServiceAccount the pod names.'),
  rule('scheduling', 'error', 'Pods can be placed on their tenant\'s node pool: no conflicting nodeSelector or affinity, the pool taint tolerated, GPUs per pod within GPUs per node.',
    'Select the namespace\'s pool label, tolerate its taint, and ask no more GPUs per pod than a node has.'),
  rule('sync-order', 'error', 'In a GitOps tree, Argo CD applies nothing before what it references where the order is promised (same Application, earlier root wave with the Application health check, earlier RollingSync step), and an ApplicationSet that orders nothing (no RollingSync) has no reference across its Applications.',
    'Give the object the wave of what it references or a later one, or move the two into Applications whose waves put the reference first; give an ApplicationSet the RollingSync strategy.'),
  rule('sync-deadlock', 'error', 'In a GitOps tree, every Application finishes its sync and ends Healthy, with the Application health check on and off.',
    'Break the wait named in the message: put the object and what it needs in the same wave, or mark a health that cannot settle with argocd.argoproj.io/ignore-healthcheck.'),
  rule('sync-unordered', 'warning', 'In a GitOps tree, an object references something another Application applies, and nothing orders the two (Argo CD retries until it exists).',
    'Move the reference into the same Application, or order the Applications by root sync wave with the Application health check on.'),
  rule('yaml', 'error', 'Every file parses as YAML.', 'Correct the YAML syntax at the position in the message.'),
  rule('suppression', 'error', 'Every gpu-platform.dev/suppress annotation names a known rule and gives a reason.',
    'Write one `<rule-id>: <reason>` per line in the annotation value.'),
];

/** The annotation that suppresses one rule on one object: one `<rule-id>: <reason>` per line. */
export const SUPPRESS_ANNOTATION = 'gpu-platform.dev/suppress';

const BY_ID = new Map(RULE_CATALOGUE.map((r) => [r.id, r]));

/** The catalogue entry of a rule id; rules added by newer checks default to `error`. */
export function ruleInfo(id: string): RuleInfo {
  return BY_ID.get(id) ?? { id, severity: 'error', description: id, fix: 'See the message.' };
}

/** Registers a rule (for checks that live in their own file). */
export function registerRule(info: RuleInfo): void {
  if (!BY_ID.has(info.id)) {
    (RULE_CATALOGUE as RuleInfo[]).push(info);
    BY_ID.set(info.id, info);
  }
}

export function isKnownRule(id: string): boolean {
  return BY_ID.has(id);
}

/**
 * Fixes for the Pod Security controls (`restricted: R2 ...`), so a cdk8s-plus Deployment with default settings
 * is told exactly which field to set. Control ids as in the Pod Security Standards page (1.27).
 */
const POD_SECURITY_FIXES: { [control: string]: string } = {
  B1: 'Remove hostNetwork, hostPID and hostIPC from the pod spec.',
  B2: 'Remove securityContext.privileged: true from the container.',
  B3: 'Add only the baseline capabilities, or none.',
  B4: 'Replace the hostPath volume with a PersistentVolumeClaim, emptyDir or projected volume.',
  B5: 'Remove hostPort from the container port; expose the pod through a Service.',
  B6: 'Use the AppArmor profile RuntimeDefault or Localhost.',
  B7: 'Remove seLinuxOptions.user/role; use a container_t type or none.',
  B8: 'Remove procMount (Default is the only allowed value).',
  B9: 'Set seccompProfile.type to RuntimeDefault or Localhost.',
  B10: 'Remove the unsafe sysctl.',
  B11: 'Remove windowsOptions.hostProcess.',
  R1: 'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes.',
  R2: 'Set securityContext.allowPrivilegeEscalation: false on every container (cdk8s-plus: securityContext: { allowPrivilegeEscalation: false }).',
  R3: 'Set securityContext.runAsNonRoot: true on the pod or every container, and run an image whose USER is a numeric non-root id (cdk8s-plus: securityContext: { ensureNonRoot: true, user: 1000 }).',
  R4: 'Do not run as user 0: set runAsUser to a non-zero id.',
  R5: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (cdk8s-plus-27 has no prop for it: ApiObject.of(workload).addJsonPatch(JsonPatch.add(\'/spec/template/spec/securityContext/seccompProfile\', { type: \'RuntimeDefault\' }))).',
  R6: 'Set securityContext.capabilities.drop: [ALL] on every container, add back only NET_BIND_SERVICE (cdk8s-plus-27\'s Capability enum has no ALL: securityContext: { capabilities: { drop: [\'ALL\' as Capability] } }).',
};

/** The one-line fix for a finding: the control's fix for Pod Security, the rule's otherwise. */
export function fixFor(rule: string, message: string): string {
  if (rule === 'pod-security') {
    const control = /^(?:restricted|baseline): ([BR]\d+) /.exec(message)?.[1];
    if (control && POD_SECURITY_FIXES[control]) return POD_SECURITY_FIXES[control];
  }
  return ruleInfo(rule).fix;
}
