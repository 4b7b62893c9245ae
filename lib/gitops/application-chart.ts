import { Construct } from 'constructs';
import { Application, ApplicationSyncOptions } from './application';
import { FolderChart } from './folder-chart';
import { IgnoreDifference } from '../core/ignore-differences';
import { IAppProject } from './project';

/** Options of one Application of an Environment. */
export interface EnvironmentApplicationOptions extends ApplicationSyncOptions {
  /**
   * The Application's short name: its folder (`<env>/<name>`) and, prefixed with the environment, its
   * Argo CD name (`<env>-<name>`). Kept apart from the construct id so renaming an id moves nothing.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The AppProject. Tenant projects refuse cluster-scoped and platform-owned kinds at synth.
   * @default - the built-in "default" project
   */
  readonly project?: IAppProject;
  /**
   * Destination namespace (created by CreateNamespace when missing).
   * @default - none
   */
  readonly namespace?: string;
  /**
   * Sync wave of the Application in the app-of-apps.
   * @default - the lowest wave of the objects it deploys (an Application with Namespaces syncs first)
   */
  readonly syncWave?: number;
  /**
   * Extra ignoreDifferences, on top of those collected from the constructs in the chart.
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
}

/** Props of an ApplicationChart. */
export interface ApplicationChartProps extends EnvironmentApplicationOptions {
  /** The environment name (first folder level). */
  readonly environment: string;
  /** The Application's short name (second folder level); `name` of the options, resolved. */
  readonly shortName: string;
  /** Repository folder the output directory is committed to, for example `dist`. */
  readonly repoPath: string;
}

/**
 * The chart of one Argo CD Application: put constructs in it and they are written to `<env>/<name>/`, one
 * file per object. Created by `Environment.addApplication`.
 */
export class ApplicationChart extends FolderChart {
  /** The environment name. */
  public readonly environmentName: string;
  /** The short name (folder). */
  public readonly applicationShortName: string;
  /** `<env>-<name>`, the Argo CD Application name. */
  public readonly applicationName: string;
  /** The repository path Argo CD syncs: `<repoPath>/<env>/<name>`. */
  public readonly repoFolder: string;
  /** The options it was created with. */
  public readonly options: EnvironmentApplicationOptions;
  /** The Argo CD Application (undefined when the environment uses an ApplicationSet). */
  public application?: Application;

  constructor(scope: Construct, id: string, props: ApplicationChartProps) {
    super(scope, id, { folder: `${props.environment}/${props.shortName}` });
    this.environmentName = props.environment;
    this.applicationShortName = props.shortName;
    this.applicationName = `${props.environment}-${props.shortName}`;
    this.repoFolder = `${props.repoPath}/${props.environment}/${props.shortName}`;
    this.options = props;
  }
}
