/**
 * A small RBAC evaluator: what a set of namespaced PolicyRules lets a subject do, directly and through
 * the indirect paths Kubernetes documents ("Privilege escalation risks" in the RBAC good-practices page:
 * workload creation implies Secret and ServiceAccount access; pods/exec, serviceaccounts/token, bind,
 * escalate). Matching follows the RBAC authorizer: a rule matches when its apiGroups, resources and verbs
 * each contain the request's value or `*` (resources also `<resource>/*` and `*\/<subresource>`), and
 * `resourceNames`, when set, limits the rule to named objects (never enough for create or list).
 */
export interface Rule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** True when some rule allows `verb` on `group`/`resource` for every object (no resourceNames). */
export function allows(rules: Rule[], verb: string, group: string, resource: string): boolean {
  const [base, sub] = resource.split('/');
  return rules.some((r) => (r.resourceNames === undefined || r.resourceNames.length === 0)
    && (r.apiGroups ?? []).some((g) => g === '*' || g === group)
    && (r.resources ?? []).some((x) => x === '*' || x === resource || (sub !== undefined && (x === `${base}/*` || x === `*/${sub}`)))
    && r.verbs.some((v) => v === '*' || v === verb));
}

const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** Controllers' objects that create pods from a template the subject writes ([group, resource]). */
export const POD_CREATORS: Array<[string, string]> = [
  ['', 'pods'], ['', 'replicationcontrollers'],
  ['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['apps', 'daemonsets'],
  ['batch', 'jobs'], ['batch', 'cronjobs'],
  ['argoproj.io', 'rollouts'], ['leaderworkerset.x-k8s.io', 'leaderworkersets'],
  ['workloads.x-k8s.io', 'rolebasedgroups'], ['scheduling.volcano.sh', 'podgroups'],
];

/** Objects that make up a tenant's guardrails ([group, resource]). */
export const GUARDRAILS: Array<[string, string]> = [
  ['', 'namespaces'], ['', 'resourcequotas'], ['', 'limitranges'], ['networking.k8s.io', 'networkpolicies'],
  ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'], ['', 'serviceaccounts'],
  ['admissionregistration.k8s.io', 'validatingadmissionpolicies'], ['admissionregistration.k8s.io', 'validatingadmissionpolicybindings'],
];

export interface Capability {
  /** The row label in docs/tenancy.md. */
  readonly what: string;
  /** How the rules grant it, empty when they do not. */
  readonly via: string[];
}

const fmt = (verb: string, group: string, resource: string) => `${verb} ${group ? `${group}/` : ''}${resource}`;

function any(rules: Rule[], verbs: string[], targets: Array<[string, string]>): string[] {
  const out: string[] = [];
  for (const [g, r] of targets) for (const v of verbs) if (allows(rules, v, g, r)) out.push(fmt(v, g, r));
  return out;
}

/** What `rules` (one Role's) let a subject do, row by row. */
export function capabilities(rules: Rule[]): Capability[] {
  const podCreate = any(rules, ['create', 'update', 'patch'], POD_CREATORS);
  return [
    { what: 'read Secrets directly (get, list, watch)', via: any(rules, ['get', 'list', 'watch'], [['', 'secrets']]) },
    { what: 'read any Secret of the namespace by mounting it in a pod it creates', via: podCreate },
    { what: 'run a pod as any ServiceAccount of the namespace (and get its rights)', via: podCreate },
    { what: 'read a running pod\'s Secrets and token (exec, attach, ephemeral containers, port-forward)', via: [
      ...any(rules, ['create', 'get'], [['', 'pods/exec'], ['', 'pods/attach'], ['', 'pods/portforward']]),
      ...any(rules, ['update', 'patch'], [['', 'pods/ephemeralcontainers']]),
      ...any(rules, ['create', 'get'], [['', 'pods/proxy'], ['', 'services/proxy']]),
    ] },
    { what: 'mint ServiceAccount tokens (serviceaccounts/token)', via: any(rules, ['create'], [['', 'serviceaccounts/token']]) },
    { what: 'bind roles (RoleBindings, bind)', via: [
      ...any(rules, ['create', 'update', 'patch'], [['rbac.authorization.k8s.io', 'rolebindings']]),
      ...any(rules, ['bind'], [['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'clusterroles']]),
    ] },
    { what: 'escalate (write Roles, escalate, impersonate)', via: [
      ...any(rules, ['create', 'update', 'patch', 'escalate'], [['rbac.authorization.k8s.io', 'roles']]),
      ...any(rules, ['impersonate'], [['', 'users'], ['', 'groups'], ['', 'serviceaccounts']]),
    ] },
    { what: 'edit or delete a guardrail (namespace, quota, limits, NetworkPolicies, RBAC, ServiceAccounts, admission policies)', via: any(rules, WRITE, GUARDRAILS) },
    { what: 'claim a PersistentVolume by name (one pre-provisioned for someone else)', via: any(rules, ['create'], [['', 'persistentvolumeclaims']]) },
    { what: 'read pod logs', via: any(rules, ['get'], [['', 'pods/log']]) },
  ];
}
