import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Environment, Kinds, TenantProject } from '../lib/gitops';
import { buildCanaries } from './canary';
import { buildInference } from './inference';
import { buildRoleBasedGroups } from './rbg';
import { DEV_WORKLOADS, ExampleWorkloadSettings, PROD_WORKLOADS, STAGING_WORKLOADS } from './settings';
import { buildPrerequisites } from './prerequisites';
import { buildTenants } from './tenants';

/** Typed per-environment settings: environments differ here, in code, never in copied YAML. */
export interface ExampleEnvironmentSettings {
  /** Environment name (folder and name prefix). */
  readonly name: string;
  /** Git revision its Applications sync: prod pins a release tag. */
  readonly targetRevision: string;
  /** Generate the child Applications with an ApplicationSet instead of one manifest each. */
  readonly useApplicationSet: boolean;
  /** Argo CD synthesizes the environment itself with the Config Management Plugin (argocd-cmp/). */
  readonly useConfigManagementPlugin: boolean;
  /** SSO group suffix of the tenants' Argo CD admins, per environment. */
  readonly adminGroupSuffix: string;
  /** Image tags, replicas and GPU counts of the workloads. */
  readonly workloads: ExampleWorkloadSettings;
}

/** dev (small, release candidate), staging (prod's shape, release candidate) and prod. */
export const EXAMPLE_ENVIRONMENTS: ExampleEnvironmentSettings[] = [
  { name: 'dev', targetRevision: 'main', useApplicationSet: false, useConfigManagementPlugin: true, adminGroupSuffix: 'developers', workloads: DEV_WORKLOADS },
  { name: 'staging', targetRevision: 'main', useApplicationSet: true, useConfigManagementPlugin: false, adminGroupSuffix: 'admins', workloads: STAGING_WORKLOADS },
  { name: 'prod', targetRevision: 'v1.0.0', useApplicationSet: false, useConfigManagementPlugin: false, adminGroupSuffix: 'admins', workloads: PROD_WORKLOADS },
];

/**
 * The tenant project whose namespaces hold every object under `chart`, unless the chart holds cluster-scoped
 * objects (a tenant's Namespace): those charts are the platform's.
 */
function tenantProjectFor(chart: IConstruct, candidates: TenantProject[]): TenantProject | undefined {
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  if (objects.some((o) => !Kinds.isNamespaced(o.kind))) return undefined;
  return candidates.find((p) => objects.every((o) => p.namespaces.includes(o.metadata.namespace ?? '')));
}

/**
 * One environment of the platform example: the tenants (platform project), the inference services, the
 * prefill/decode RoleBasedGroup and the canaries. Each chart the builders create becomes its own Argo CD
 * Application: the tenants' namespaces (with their quotas, limit ranges, network policies and RBAC) and the
 * monitoring rules in the platform project; every workload chart in its tenant's own project, each service's
 * NetworkPolicies and ServiceAccount in a platform companion Application (`<name>-platform`).
 */
export function buildEnvironment(env: Environment, settings: ExampleEnvironmentSettings, scopeId: string = 'platform'): void {
  const platform = env.addPlatformProject();
  // The builders' charts go in one plain construct; its id is in every construct path, never in a name.
  const scope = new Construct(env, scopeId);
  buildPrerequisites(scope);
  const tenants = buildTenants(scope);
  const inference = buildInference(scope, tenants, settings.workloads);
  buildRoleBasedGroups(scope, tenants, settings.workloads);
  buildCanaries(scope, tenants, inference, settings.workloads);

  const tenantProjects = [tenants.gpu, tenants.gpuLarge, tenants.cpu].map((t) =>
    env.addTenantProject(t, { adminGroups: [`${t.tenantName}-${settings.adminGroupSuffix}`] }));
  for (const child of scope.node.children) {
    if (!(child instanceof Chart)) continue;
    const project = tenantProjectFor(child, tenantProjects);
    env.addApplicationForChart(child, project ? { project, namespace: project.namespaces[0] } : { project: platform });
  }
}
