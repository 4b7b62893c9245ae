import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail, requireInteger } from '../core/errors';

/** An Argo CD sync option (`spec.syncPolicy.syncOptions`). */
export class SyncOption {
  /** Create the destination namespace if it does not exist. */
  public static readonly CREATE_NAMESPACE = new SyncOption('CreateNamespace=true');
  /** Server-side apply: no 256 KiB last-applied annotation limit (large custom resources). */
  public static readonly SERVER_SIDE_APPLY = new SyncOption('ServerSideApply=true');
  /** Apply only the objects that are out of sync. */
  public static readonly APPLY_OUT_OF_SYNC_ONLY = new SyncOption('ApplyOutOfSyncOnly=true');
  /** Keep ignored fields (ignoreDifferences) out of the apply too, not only out of the diff. */
  public static readonly RESPECT_IGNORE_DIFFERENCES = new SyncOption('RespectIgnoreDifferences=true');
  /** Prune after every other object has synced. */
  public static readonly PRUNE_LAST = new SyncOption('PruneLast=true');
  /** Skip the dry run for custom resources whose CRD is created in the same sync. */
  public static readonly SKIP_DRY_RUN_ON_MISSING_RESOURCE = new SyncOption('SkipDryRunOnMissingResource=true');
  /** Fail when an object is already managed by another Application. */
  public static readonly FAIL_ON_SHARED_RESOURCE = new SyncOption('FailOnSharedResource=true');
  /** Delete pruned objects in the foreground. */
  public static readonly PRUNE_PROPAGATION_FOREGROUND = new SyncOption('PrunePropagationPolicy=foreground');

  /** Any other option, written as `Name=value`. */
  public static custom(option: string): SyncOption {
    return new SyncOption(option);
  }

  // The option text stays private: Applications render it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * Throws unless the option has the `Name=value` form.
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): this {
    if (!/^[A-Za-z]+=[A-Za-z0-9.-]+$/.test(this.value)) {
      fail(scope, prop, this.value, 'a sync option "Name=value", such as "CreateNamespace=true"');
    }
    return this;
  }

  /**
   * The `Name=value` text written to `syncPolicy.syncOptions`.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** How Argo CD retries a failed sync. */
export interface RetryPolicy {
  /**
   * Number of retries; -1 retries forever.
   * @default 5
   */
  readonly limit?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(5)
   */
  readonly backoffDuration?: Duration;
  /**
   * Multiplier of the wait after each failed retry.
   * @default 2
   */
  readonly backoffFactor?: number;
  /**
   * Longest wait between retries.
   * @default Duration.minutes(3)
   */
  readonly backoffMaxDuration?: Duration;
}

/** A Go duration string (`5s`, `3m`) for a cdk8s Duration. */
export function goDuration(scope: IConstruct, prop: string, d: Duration): string {
  const seconds = d.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds <= 0) fail(scope, prop, `${seconds}s`, 'a whole number of seconds > 0');
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The syncPolicy.retry JSON, validated. */
export function retryToJson(scope: IConstruct, prop: string, retry: RetryPolicy = {}): any {
  return {
    limit: requireInteger(scope, `${prop}.limit`, retry.limit ?? 5, -1),
    backoff: {
      duration: goDuration(scope, `${prop}.backoffDuration`, retry.backoffDuration ?? Duration.seconds(5)),
      factor: requireInteger(scope, `${prop}.backoffFactor`, retry.backoffFactor ?? 2, 1),
      maxDuration: goDuration(scope, `${prop}.backoffMaxDuration`, retry.backoffMaxDuration ?? Duration.minutes(3)),
    },
  };
}
