import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsLabel, requireDnsSubdomain } from '../core/names';

/** Groups and users that stand for "everyone"; binding a tenant role to them would open the tenant to all. */
const EVERYONE = ['system:authenticated', 'system:unauthenticated', 'system:anonymous', 'system:serviceaccounts'];

/**
 * Who a tenant role is bound to: a user, a group or a service account.
 * Names are checked when the tenant uses the subject, so the error names the tenant's path.
 */
export class TenantSubject {
  /** A user, as the cluster's authenticator names it (for example an OIDC email). */
  public static user(name: string): TenantSubject {
    return new TenantSubject('User', name);
  }

  /** A group, as the cluster's authenticator names it (for example an OIDC group claim). */
  public static group(name: string): TenantSubject {
    return new TenantSubject('Group', name);
  }

  /**
   * A service account.
   * @param name the service account name
   * @param namespace its namespace; defaults to the tenant's namespace
   */
  public static serviceAccount(name: string, namespace?: string): TenantSubject {
    return new TenantSubject('ServiceAccount', name, namespace);
  }

  private constructor(
    /** `User`, `Group` or `ServiceAccount`. */
    private readonly kind: string,
    /** The subject name. */
    private readonly name: string,
    /** The service account namespace, when given. */
    private readonly namespace?: string,
  ) {}

  /**
   * Checks the subject and returns the RoleBinding subject, service accounts defaulting to `defaultNamespace`.
   * @internal
   */
  public _bind(scope: IConstruct, prop: string, defaultNamespace: string): k8s.Subject {
    if (typeof this.name !== 'string' || this.name.trim() === '') {
      fail(scope, `${prop}.name`, this.name, `a non-empty ${this.kind} name`);
    }
    if (this.kind === 'ServiceAccount') {
      requireDnsSubdomain(scope, `${prop}.name`, this.name);
      const namespace = this.namespace ?? defaultNamespace;
      requireDnsLabel(scope, `${prop}.namespace`, namespace);
      if (this.name === 'default') {
        // Every pod without its own account runs as `default`; granting it a role grants every such pod.
        fail(scope, `${prop}.name`, this.name, 'a dedicated service account, not "default" (every pod without its own account would get the role)');
      }
      return { kind: 'ServiceAccount', name: this.name, namespace };
    }
    if (this.name !== this.name.trim()) {
      fail(scope, `${prop}.name`, this.name, `a ${this.kind} name without leading or trailing spaces`);
    }
    if (EVERYONE.includes(this.name)) {
      fail(scope, `${prop}.name`, this.name, `a specific ${this.kind.toLowerCase()}, not one of ${EVERYONE.join(', ')}`);
    }
    return { kind: this.kind, name: this.name, apiGroup: 'rbac.authorization.k8s.io' };
  }
}
