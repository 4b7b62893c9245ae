import { k8s } from '../core/k8s';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const FULL = [...READ, ...WRITE];

/** One of the three tenant roles. */
export class TenantRole {
  /**
   * `tenant-admin`: full control of workloads, services, pods (logs and exec included), configmaps, secrets,
   * PVCs, HPAs, PDBs and jobs; read-only on the tenant's guardrails (quota, LimitRange, NetworkPolicies).
   * No RBAC, ServiceAccount or Namespace writes, so the admin cannot escalate or strip the guardrails.
   */
  public static readonly ADMIN = new TenantRole('tenant-admin', [
    { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims'], verbs: FULL },
    { apiGroups: [''], resources: ['pods/log'], verbs: READ },
    // exec is a POST (create) over SPDY and a GET over WebSockets.
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets', 'deployments/scale', 'statefulsets/scale'], verbs: FULL },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: FULL },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: FULL },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: FULL },
    { apiGroups: [''], resources: ['resourcequotas', 'limitranges', 'events', 'serviceaccounts', 'endpoints'], verbs: READ },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  ]);

  /**
   * `tenant-developer`: create and update Deployments, read pods, logs, services and configmaps.
   * No secrets (reading one is reading every credential in the namespace), no deletes, no exec, no bare
   * pods (Deployments are the one way in; RBAC cannot stop a pod template from mounting a Secret or naming a
   * ServiceAccount, so `TenantNamespace` `admissionPolicies` is what limits that; see docs/tenancy.md).
   */
  public static readonly DEVELOPER = new TenantRole('tenant-developer', [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: [...READ, 'create', 'update', 'patch'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
    { apiGroups: [''], resources: ['pods'], verbs: READ },
    { apiGroups: [''], resources: ['pods/log'], verbs: READ },
    { apiGroups: [''], resources: ['services', 'configmaps', 'events'], verbs: READ },
  ]);

  /** `tenant-viewer`: read-only on the tenant's objects, never secrets. */
  public static readonly VIEWER = new TenantRole('tenant-viewer', [
    { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'configmaps', 'persistentvolumeclaims', 'events', 'endpoints', 'serviceaccounts', 'resourcequotas', 'limitranges'], verbs: READ },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: READ },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: READ },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  ]);

  /** All three, in binding order. */
  public static readonly ALL: TenantRole[] = [TenantRole.ADMIN, TenantRole.DEVELOPER, TenantRole.VIEWER];

  // Both public: the Role's name is what RoleBindings of your own reference, and the rules are there to be
  // read and reviewed (docs/tenancy.md); neither is a discriminant.
  private constructor(
    /** The Role (and RoleBinding) name, for RoleBindings of your own. */
    public readonly roleName: string,
    /** The RBAC rules, to read and review. */
    public readonly rules: k8s.PolicyRule[],
  ) {}
}
