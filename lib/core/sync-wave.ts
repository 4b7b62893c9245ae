import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from './errors';
import { checkArg, requireSyncWave } from './validate';

/** The Argo CD annotation that orders a sync; lower waves sync (and become healthy) first. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Where each kind of object belongs in an Argo CD sync. */
export class SyncWave {
  /** The Argo CD annotation that orders a sync; lower waves sync (and become healthy) first. */
  public static readonly ANNOTATION = SYNC_WAVE_ANNOTATION;
  /** AppProjects in an environment's apps folder: before any Application that uses them. */
  public static readonly PROJECT = -30;

  /** Namespaces. */
  public static readonly NAMESPACE = -20;
  /** Platform policy: quotas, limit ranges, network policies, RBAC, service accounts. */
  public static readonly POLICY = -10;
  /** Configuration and storage: ConfigMaps, PVCs, monitoring rules. */
  public static readonly CONFIG = -5;
  /** Workloads, their Services, autoscalers and disruption budgets. */
  public static readonly WORKLOAD = 0;
  /** Progressive delivery: Rollouts, AnalysisTemplates, routes. */
  public static readonly ROLLOUT = 10;

  /** Sets the sync wave on one object. */
  public static set(obj: ApiObject, wave: number): void {
    setSyncWave(obj, wave);
  }

  /** Sets the sync wave on every ApiObject under `scope` that does not have one yet. */
  public static setAll(scope: IConstruct, wave: number): void {
    checkArg('SyncWave.setAll', 'wave', wave, (s, p, v) => { requireSyncWave(s, p, v as number); });
    setSyncWaveAll(scope, wave);
  }
}

/** Sets the sync wave on one object. */
export function setSyncWave(obj: ApiObject, wave: number): void {
  // Argo CD parses the annotation with strconv.Atoi: "1.5" or "NaN" would silently become wave 0.
  if (typeof wave !== 'number' || !Number.isSafeInteger(wave)) fail(obj, 'syncWave', wave, 'an integer sync wave (Argo CD reads anything else as wave 0)');
  obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
}

/** Sets the sync wave on every ApiObject under `scope` that does not have one yet. */
export function setSyncWaveAll(scope: IConstruct, wave: number): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof ApiObject && child.metadata.toJson().annotations?.[SYNC_WAVE_ANNOTATION] === undefined) {
      setSyncWave(child, wave);
    }
  }
}
