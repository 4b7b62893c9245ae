// Runtime shapes of the GitOps props (see lib/core/validate.ts).
import { arr, bool, construct, duration, ignoreDifference, instance, labels, lazy, num, object, opt, shape, Shape, str, stringMap, tenant } from '../core/validate';
import { cpu, memory } from '../serving/shapes';
import type { AppOfAppsProps } from './app-of-apps';
import type { ApplicationProps, ApplicationSyncOptions, ApplicationPluginSource } from './application';
import type { ApplicationSetElement, ApplicationSetProps } from './application-set';
import type { EnvironmentApplicationOptions } from './application-chart';
import type { ConfigManagementPluginProps } from './config-management-plugin';
import type { EnvironmentPluginSource, EnvironmentProps } from './environment';
import { FileLayout } from './file-layout';
import type { GitOpsAppProps } from './gitops-app';
import type { PlatformProjectProps } from './platform-project';
import type { GroupKind } from './project';
import { RetryPolicy, SyncOption } from './sync-options';
import type { TenantProjectProps } from './tenant-project';

const project = object('an IAppProject (a TenantProject or PlatformProject)');

const syncOptionsShape = (): Shape<ApplicationSyncOptions> => ({
  automated: opt(bool),
  prune: opt(bool),
  selfHeal: opt(bool),
  syncOptions: opt(arr(instance(SyncOption))),
  retry: opt(shape<RetryPolicy>({
    limit: opt(num()), backoffDuration: opt(duration({ wholeSeconds: false })), backoffFactor: opt(num()), backoffMaxDuration: opt(duration({ wholeSeconds: false })),
  }, { name: 'RetryPolicy' })),
});

export const applicationShape = lazy((): Shape<ApplicationProps> => ({
  ...syncOptionsShape(),
  name: str(),
  argocdNamespace: opt(str()),
  project: opt(project),
  repoUrl: str(),
  targetRevision: opt(str()),
  path: str(),
  destinationServer: opt(str()),
  destinationName: opt(str()),
  destinationNamespace: opt(str()),
  contents: opt(arr(construct)),
  ignoreDifferences: opt(arr(ignoreDifference)),
  syncWave: opt(num()),
  cascadeDelete: opt(bool),
  labels: opt(labels),
  plugin: opt(shape<ApplicationPluginSource>({ name: str(), env: opt(stringMap()) }, { name: 'ApplicationPluginSource' })),
}));

export const environmentApplicationShape = lazy((): Shape<EnvironmentApplicationOptions> => ({
  ...syncOptionsShape(),
  name: opt(str()),
  project: opt(project),
  namespace: opt(str()),
  syncWave: opt(num()),
  ignoreDifferences: opt(arr(ignoreDifference)),
}));

export const appOfAppsShape = lazy((): Shape<AppOfAppsProps> => ({
  ...syncOptionsShape(),
  environment: str(),
  name: opt(str()),
  repoUrl: str(),
  targetRevision: opt(str()),
  path: str(),
  argocdNamespace: opt(str()),
  destinationServer: opt(str()),
}));

export const applicationSetShape = lazy((): Shape<ApplicationSetProps> => ({
  ...syncOptionsShape(),
  name: str(),
  argocdNamespace: opt(str()),
  repoUrl: str(),
  targetRevision: opt(str()),
  destinationServer: opt(str()),
  elements: opt(arr(shape<ApplicationSetElement>({
    ...syncOptionsShape(),
    name: str(), path: str(), project: str(), namespace: opt(str()), syncWave: opt(num()), ignoreDifferences: opt(arr(ignoreDifference)),
    plugin: opt(shape<ApplicationPluginSource>({ name: str(), env: opt(stringMap()) }, { name: 'ApplicationPluginSource' })),
  }, { name: 'ApplicationSetElement' }))),
  ignoreDifferences: opt(arr(ignoreDifference)),
  rollingSync: opt(bool),
}));

const groupKind = shape<GroupKind>({ group: str(), kind: str({ nonEmpty: true }) }, { name: 'GroupKind' });

export const platformProjectShape = lazy((): Shape<PlatformProjectProps> => ({
  name: str(),
  sourceRepos: arr(str()),
  namespaces: opt(arr(str())),
  destinationServer: opt(str()),
  argocdNamespace: opt(str()),
  description: opt(str()),
  syncWave: opt(num()),
}));

export const tenantProjectShape = lazy((): Shape<TenantProjectProps> => ({
  tenant: opt(tenant),
  name: opt(str()),
  namespaces: opt(arr(str())),
  sourceRepos: arr(str()),
  destinationServer: opt(str()),
  argocdNamespace: opt(str()),
  description: opt(str()),
  platformOwnedKinds: opt(arr(groupKind)),
  allowedKinds: opt(arr(groupKind)),
  adminGroups: opt(arr(str({ nonEmpty: true }))),
  syncWave: opt(num()),
}));

export const configManagementPluginShape = lazy((): Shape<ConfigManagementPluginProps> => ({
  name: opt(str()),
  version: opt(str()),
  argocdNamespace: opt(str()),
  image: opt(str()),
  initCommand: opt(str()),
  synthCommand: opt(str()),
  cpuRequest: opt(cpu),
  cpuLimit: opt(cpu),
  memoryRequest: opt(memory),
  memoryLimit: opt(memory),
  timeout: opt(duration({ wholeSeconds: true, minSeconds: 60 })),
}));

export const gitOpsAppShape = lazy((): Shape<GitOpsAppProps> => ({
  repoUrl: str(),
  outdir: opt(str({ nonEmpty: true })),
  repoPath: opt(str()),
  targetRevision: opt(str()),
  argocdNamespace: opt(str()),
  clean: opt(bool),
  serializerThreads: opt(num()),
  fileLayout: opt(instance(FileLayout)),
}));

export const environmentShape = lazy((): Shape<EnvironmentProps> => ({
  name: opt(str()),
  targetRevision: opt(str()),
  destinationServer: opt(str()),
  useApplicationSet: opt(bool),
  rollingSync: opt(bool),
  pluginSource: opt(shape<EnvironmentPluginSource>({ plugin: object('a ConfigManagementPlugin (GitOpsApp.addConfigManagementPlugin())'), path: opt(str()) }, { name: 'EnvironmentPluginSource' })),
}));

export { tenant };
