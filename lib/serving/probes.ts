import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { k8s } from '../core/k8s';

/** Inputs of the probe triad. */
export interface ModelServerProbeOptions {
  /** Container port name or number the probes call. */
  readonly port: string;
  /** Startup and liveness path. */
  readonly healthPath: string;
  /** Readiness path. */
  readonly readinessPath: string;
  /**
   * The longest time loading the model may take (download + weights to GPU + warm-up). The startup probe
   * allows at least this long before liveness takes over.
   * @default Duration.minutes(30)
   */
  readonly maxModelLoadTime?: Duration;
}

/** The three probes of a model server. */
export interface ModelServerProbes {
  readonly startupProbe: k8s.Probe;
  readonly readinessProbe: k8s.Probe;
  readonly livenessProbe: k8s.Probe;
}

/** Startup probe period: short enough to mark a loaded model ready quickly. */
export const STARTUP_PERIOD_SECONDS = 10;
/** Probe timeouts: a saturated engine answers /health slowly; the kubelet's default of 1 s flaps. */
export const PROBE_TIMEOUT_SECONDS = 5;

/** Validates `maxModelLoadTime` and returns it in seconds. */
export function requireModelLoadTime(scope: IConstruct, prop: string, value: Duration | undefined): number {
  const seconds = (value ?? Duration.minutes(30)).toSeconds();
  if (!Number.isFinite(seconds) || seconds < 30 || seconds > 24 * 3600) {
    fail(scope, prop, `${seconds}s`, 'a duration from 30 seconds to 24 hours');
  }
  return seconds;
}

/**
 * Builds the startup/readiness/liveness probes from one load-time budget: the startup probe covers
 * `maxModelLoadTime` (failureThreshold × period >= it), readiness and liveness time out after >= 5 s and
 * liveness tolerates a busy engine for 2.5 minutes.
 */
export function modelServerProbes(scope: IConstruct, prop: string, options: ModelServerProbeOptions): ModelServerProbes {
  const load = requireModelLoadTime(scope, `${prop}.maxModelLoadTime`, options.maxModelLoadTime);
  const port = k8s.IntOrString.fromString(options.port);
  return {
    startupProbe: {
      httpGet: { path: options.healthPath, port },
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      failureThreshold: Math.ceil(load / STARTUP_PERIOD_SECONDS),
    },
    readinessProbe: {
      httpGet: { path: options.readinessPath, port },
      periodSeconds: 5,
      timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      failureThreshold: 3,
      successThreshold: 1,
    },
    livenessProbe: {
      httpGet: { path: options.healthPath, port },
      periodSeconds: 30,
      timeoutSeconds: 10,
      failureThreshold: 5,
    },
  };
}
