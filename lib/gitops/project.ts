import { IConstruct } from 'constructs';
import { SyncWave } from '../core/sync-wave';

/** An Argo CD AppProject an Application can belong to (TenantProject, PlatformProject). */
export interface IAppProject extends IConstruct {
  /** `metadata.name` of the AppProject. */
  readonly projectName: string;
  /**
   * Why the project would refuse an object, or undefined when it allows it. Applications run this over every
   * object they deploy at synth time, so a refused object fails the synth instead of the Argo CD sync.
   */
  refusalFor(group: string, kind: string, namespace: string | undefined): string | undefined;
}

/** A group/kind pair, as AppProject white and black lists take them. */
export interface GroupKind {
  /** API group, `''` for the core group. */
  readonly group: string;
  /** Kind, such as `ResourceQuota`. */
  readonly kind: string;
}

/** The API group of an apiVersion: `''` for the core group. */
export function apiGroupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The Argo CD annotation/finalizer that makes deleting an Application delete its objects. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** The sync wave of AppProjects in an environment's apps folder: before any Application that uses them. */
export const PROJECT_SYNC_WAVE = SyncWave.PROJECT;
