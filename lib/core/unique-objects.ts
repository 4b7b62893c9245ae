// App-wide uniqueness of (group, kind, namespace, name), in plain Apps too: two objects with one identity would be
// written as two documents and the second would silently replace the first when applied. One rule per root,
// registered by the first construct that checks its props; it scans every ApiObject once (linear).
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { addRule, formatViolation } from './errors';
import { SYNC_WAVE_ANNOTATION } from './sync-wave';

const registered = new WeakSet<IConstruct>();

/** Roots that check uniqueness themselves, per Argo CD Application (GitOpsApp, Environment). */
export function markUniqueObjectsChecked(root: IConstruct): void {
  registered.add(root);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Registers the uniqueness rule on the root of `scope`'s tree (once per root). */
export function ensureUniqueObjectsRule(scope: IConstruct): void {
  const node = (scope as { node?: { root?: IConstruct } }).node;
  const root = node?.root;
  if (!root || typeof (root.node as { addValidation?: unknown }).addValidation !== 'function' || registered.has(root)) return;
  registered.add(root);
  addRule(root, () => checkUniqueObjects(root));
}

/** Violations for every object whose identity an earlier object already has, and for non-integer sync waves. */
export function checkUniqueObjects(root: IConstruct): string[] {
  const seen = new Map<string, ApiObject>();
  const out: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const meta = c.metadata;
    const name = meta.name;
    if (name === undefined) continue;
    const key = `${groupOf(c.apiVersion)}/${c.kind}/${meta.namespace ?? ''}/${name}`;
    const first = seen.get(key);
    if (first) {
      out.push(formatViolation(c, 'metadata.name', `${c.kind} ${meta.namespace ? `${meta.namespace}/` : ''}${name}`,
        `a name no other ${c.kind} in its namespace has (${first.node.path} has it already; applying both, one would silently replace the other)`));
    } else {
      seen.set(key, c);
    }
    const wave = (meta.toJson().annotations as { [k: string]: string } | undefined)?.[SYNC_WAVE_ANNOTATION];
    if (wave !== undefined && !/^-?[0-9]+$/.test(wave)) {
      out.push(formatViolation(c, `metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`, wave, 'an integer (Argo CD reads anything else as wave 0)'));
    }
  }
  return out;
}
