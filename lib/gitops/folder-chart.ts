import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../core/errors';

/**
 * Stores a construct's children in a dictionary-mode object (no hidden classes) instead of a plain `{}`.
 *
 * Why (performance only; behaviour is unchanged): constructs keeps each node's children in a `{}` keyed by
 * id, so every construct whose first child has a unique id (a chart per Application, named after it) adds
 * one transition to V8's shared empty-object map. V8 caps those at 1,536; past the cap, and once a full GC
 * has cleared the unused ones, every object cdk8s and the YAML library build from `{}` (`toJson`,
 * `sanitizeValue`, YAML nodes) gets a fresh hidden class. Synth then costs 2-3x more per object and grows
 * faster than linearly with the number of Applications (README, Benchmark).
 *
 * Children keep their insertion order (integer-like ids sort first, as with `{}`). A no-op when the
 * installed constructs version keeps children elsewhere.
 */
export function useDictionaryChildren(c: IConstruct): void {
  const node = c.node as unknown as { _children?: { [id: string]: IConstruct } };
  if (!('_children' in node)) return;
  const old = node._children;
  if (old !== undefined && Object.getPrototypeOf(old) === null) return;
  const dict: { [id: string]: IConstruct } = Object.create(null);
  if (old !== undefined) {
    for (const id of Object.keys(old)) dict[id] = old[id];
  }
  node._children = dict;
}

/** Props of a FolderChart. */
export interface FolderChartProps {
  /**
   * Folder under the output directory, for example `prod/serving`. Lowercase DNS labels joined by `/`.
   */
  readonly folder: string;
  /**
   * Kustomize resources listed before the files of this folder (for example a remote Argo CD install).
   * @default - none
   */
  readonly extraResources?: string[];
  /**
   * Namespace the kustomization sets on every object (kustomize `namespace:`), for folders built on a remote
   * install whose objects carry no namespace (Argo CD's `install.yaml`).
   * @default - none
   */
  readonly namespace?: string;
}

/**
 * A chart written to one folder of the GitOps tree: one file per object and a kustomization.yaml listing
 * them. Objects marked with `addPatch` are listed as kustomize patches instead of resources.
 */
export class FolderChart extends Chart {
  /**
   * Stores a construct's children in a dictionary-mode object; call right after `super()` in a construct
   * that gets many children with unique ids (performance only, see README Benchmark).
   */
  public static useDictionaryChildren(c: IConstruct): void {
    useDictionaryChildren(c);
  }

  /**
   * Chart overrides `instanceof` to mean "is any chart"; restore the prototype check so `instanceof
   * FolderChart` (and of its subclasses) means what it says.
   * @internal
   */
  public static [Symbol.hasInstance](o: unknown): o is Chart {
    return Function.prototype[Symbol.hasInstance].call(this, o);
  }

  /** Returns the FolderChart a construct belongs to, or undefined. */
  public static find(c: IConstruct): FolderChart | undefined {
    for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
      if (s instanceof FolderChart) return s as unknown as FolderChart;
    }
    return undefined;
  }

  /** The folder, relative to the output directory. */
  public readonly folder: string;
  /** Remote or relative kustomize resources listed first. */
  public readonly extraResources: string[];
  /** Namespace the kustomization sets, if any. */
  public readonly kustomizeNamespace?: string;
  private readonly patches = new Set<ApiObject>();

  constructor(scope: Construct, id: string, props: FolderChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    useDictionaryChildren(this);
    if (typeof props.folder !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(props.folder)) {
      fail(this, 'folder', props.folder, 'lowercase DNS labels joined by "/", such as "prod/serving"');
    }
    this.folder = props.folder;
    this.extraResources = [...(props.extraResources ?? [])];
    if (props.namespace !== undefined && (typeof props.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.namespace) || props.namespace.length > 63)) {
      fail(this, 'namespace', props.namespace, 'a namespace name (DNS-1123 label)');
    }
    this.kustomizeNamespace = props.namespace;
  }

  /** Lists an object under kustomize `patches` instead of `resources` (a strategic-merge patch). */
  public addPatch(obj: ApiObject): void {
    this.patches.add(obj);
  }

  /** True when `obj` is written as a patch. */
  public isPatch(obj: ApiObject): boolean {
    return this.patches.has(obj);
  }
}
