// Helpers shared by the delivery constructs. Not re-exported from the package.
import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../core/errors';

/**
 * Argo Rollouts durations: a whole number of seconds written in the largest exact unit (`90s`, `5m`, `1h`).
 * Returns undefined when the duration is not a whole number of seconds >= 1.
 */
export function argoDurationText(duration: Duration): string | undefined {
  const ms = duration.toMilliseconds();
  if (!Number.isFinite(ms) || ms < 1000 || ms % 1000 !== 0) return undefined;
  const s = ms / 1000;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Like `argoDurationText`, but throws the standard error naming `prop`. */
export function requireArgoDuration(scope: IConstruct, prop: string, duration: Duration): string {
  const text = argoDurationText(duration);
  if (text === undefined) {
    fail(scope, prop, `${duration.toMilliseconds()}ms`, 'a whole number of seconds >= 1, for example Duration.seconds(30) or Duration.minutes(5)');
  }
  return text;
}

/** Every ApiObject of `apiVersion`/`kind` in the whole app that `scope` belongs to. */
export function findApiObjects(scope: IConstruct, apiVersion: string, kind: string): ApiObject[] {
  return scope.node.root.node.findAll().filter((c): c is ApiObject =>
    c instanceof ApiObject && c.apiVersion === apiVersion && c.kind === kind);
}

/** `{{args.x}}` references in a string (Argo Rollouts analysis templating). */
export function argReferences(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /\{\{\s*args\.([^}\s]+)\s*\}\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1]);
  return out;
}
