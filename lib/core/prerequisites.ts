import { Construct, IConstruct } from 'constructs';
import { fail } from './errors';
import { checkArg, opt, str } from './validate';

const NAME = str({ nonEmpty: true });

/**
 * Something the output references but a cluster must already have: a PriorityClass, StorageClass, Secret,
 * Gateway, the CRDs and controller of an API group, a scheduler, a RuntimeClass, a device plugin's extended
 * resource, a metrics API. Declare each one the tree does not create with {@link ClusterPrerequisites}.
 */
export class Prerequisite {
  /** A PriorityClass (cluster-scoped). */
  public static priorityClass(name: string): Prerequisite {
    checkArg('Prerequisite.priorityClass', 'name', name, NAME);
    return new Prerequisite('PriorityClass', name);
  }
  /** A StorageClass (cluster-scoped). */
  public static storageClass(name: string, note?: string): Prerequisite {
    checkArg('Prerequisite.storageClass', 'name', name, NAME);
    checkArg('Prerequisite.storageClass', 'note', note, opt(str()));
    return new Prerequisite('StorageClass', name, note);
  }
  /** A Secret in a namespace (for example the HF token). */
  public static secret(namespace: string, name: string): Prerequisite {
    checkArg('Prerequisite.secret', 'namespace', namespace, NAME);
    checkArg('Prerequisite.secret', 'name', name, NAME);
    return new Prerequisite('Secret', `${namespace}/${name}`);
  }
  /** A Gateway API Gateway in a namespace. */
  public static gateway(namespace: string, name: string): Prerequisite {
    checkArg('Prerequisite.gateway', 'namespace', namespace, NAME);
    checkArg('Prerequisite.gateway', 'name', name, NAME);
    return new Prerequisite('Gateway', `${namespace}/${name}`);
  }
  /**
   * A custom resource kind: its CRD and the controller that reconciles it (`RoleBasedGroup` of
   * `workloads.x-k8s.io`, `ScaledObject` of `keda.sh`, `Rollout` of `argoproj.io`, ...).
   */
  public static customResource(kind: string, group: string, note?: string): Prerequisite {
    checkArg('Prerequisite.customResource', 'kind', kind, NAME);
    checkArg('Prerequisite.customResource', 'group', group, NAME);
    checkArg('Prerequisite.customResource', 'note', note, opt(str()));
    return new Prerequisite('Custom resource', `${kind}.${group}`, note);
  }
  /** A scheduler other than the default one (`schedulerName`). */
  public static scheduler(name: string): Prerequisite {
    checkArg('Prerequisite.scheduler', 'name', name, NAME);
    return new Prerequisite('Scheduler', name);
  }
  /** A RuntimeClass (`runtimeClassName`). */
  public static runtimeClass(name: string): Prerequisite {
    checkArg('Prerequisite.runtimeClass', 'name', name, NAME);
    return new Prerequisite('RuntimeClass', name);
  }
  /** An extended resource a device plugin advertises (`nvidia.com/gpu`, a MIG profile, `rdma/hca`). */
  public static extendedResource(name: string, note?: string): Prerequisite {
    checkArg('Prerequisite.extendedResource', 'name', name, NAME);
    checkArg('Prerequisite.extendedResource', 'note', note, opt(str()));
    return new Prerequisite('Extended resource', name, note);
  }
  /** An aggregated metrics API (`custom.metrics.k8s.io` from Prometheus Adapter, `external.metrics.k8s.io`). */
  public static metricsApi(api: string, note?: string): Prerequisite {
    checkArg('Prerequisite.metricsApi', 'api', api, NAME);
    checkArg('Prerequisite.metricsApi', 'note', note, opt(str()));
    return new Prerequisite('Metrics API', api, note);
  }
  /** An Argo Rollouts traffic-router plugin (`argoproj-labs/gatewayAPI`). */
  public static rolloutsPlugin(name: string): Prerequisite {
    checkArg('Prerequisite.rolloutsPlugin', 'name', name, NAME);
    return new Prerequisite('Argo Rollouts plugin', name);
  }

  /**
   * Argo CD's Progressive Syncs, which an ApplicationSet with the RollingSync strategy needs:
   * `applicationsetcontroller.enable.progressive.syncs: "true"` in `argocd-cmd-params-cm` (argo-cd v3.5.1
   * docs/operator-manual/applicationset/Progressive-Syncs.md), then a restart of the ApplicationSet controller.
   * Without it the controller ignores the strategy and syncs every Application at once.
   */
  public static argoCdProgressiveSyncs(): Prerequisite {
    return new Prerequisite('Argo CD setting', 'applicationsetcontroller.enable.progressive.syncs', '"true" in argocd-cmd-params-cm (ApplicationSet RollingSync)');
  }

  /**
   * An Argo CD Config Management Plugin that Applications name as their source (`spec.source.plugin.name`, as
   * `<name>-<version>`): its sidecar must run in `argocd-repo-server` (`GitOpsApp.addConfigManagementPlugin()`
   * writes one; `EnvironmentProps.pluginSource` declares it).
   */
  public static configManagementPlugin(name: string, note?: string): Prerequisite {
    checkArg('Prerequisite.configManagementPlugin', 'name', name, NAME);
    checkArg('Prerequisite.configManagementPlugin', 'note', note, opt(str()));
    return new Prerequisite('Argo CD Config Management Plugin', name, note);
  }

  private constructor(private readonly kind: string, private readonly name: string, private readonly note?: string) {}

  /** @internal */
  public _key(): string {
    return `${this.kind}|${this.name}`;
  }
  /** @internal */
  public _row(): { kind: string; name: string; note?: string } {
    return { kind: this.kind, name: this.name, note: this.note };
  }
}

/** Props of {@link ClusterPrerequisites}. */
export interface ClusterPrerequisitesProps {
  /** What the cluster provides that the output references but does not create. */
  readonly declared: Prerequisite[];
}

/**
 * The cluster prerequisites declared for one environment (put it anywhere in the environment's construct
 * tree). At synth every reference the output makes is either to an object the output creates or to a declared
 * prerequisite, else the synth fails naming it; the environment writes the list to `<env>/PREREQUISITES.md`.
 */
export class ClusterPrerequisites extends Construct {
  /** Every prerequisite declared in the construct tree of `root`. */
  public static declaredIn(root: IConstruct): Prerequisite[] {
    return root.node.findAll().filter((c): c is ClusterPrerequisites => c instanceof ClusterPrerequisites).flatMap((c) => c.declared);
  }

  /** The declared prerequisites. */
  public readonly declared: Prerequisite[];

  constructor(scope: Construct, id: string, props: ClusterPrerequisitesProps) {
    super(scope, id);
    if (!Array.isArray(props?.declared)) fail(this, 'declared', props?.declared, 'a list of Prerequisite values (Prerequisite.priorityClass("..."), ...)');
    props.declared.forEach((p, i) => { if (!(p instanceof Prerequisite)) fail(this, `declared[${i}]`, p, 'a Prerequisite from a Prerequisite.* factory'); });
    this.declared = [...props.declared];
  }
}

/** Built-in API groups (served by every kube-apiserver). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'scheduling.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io',
  'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io']);
const ARGO_CD_KINDS = new Set(['Application', 'AppProject', 'ApplicationSet']);
/** Resource names every node has (not extended resources). */
const NODE_RESOURCES = /^(cpu|memory|ephemeral-storage|pods|storage|hugepages-.*|requests\..*|limits\..*)$/;

/** One reference the output makes to something outside it. */
interface Reference {
  readonly prerequisite: Prerequisite;
  readonly from: string;
}

const groupOf = (apiVersion: unknown): string => {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  const i = s.lastIndexOf('/');
  return i < 0 ? '' : s.slice(0, i);
};
const idOf = (m: any): string => `${m.kind}/${m.metadata?.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata?.name}`;
const isObj = (v: unknown): v is { [k: string]: any } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every external reference in one manifest. */
function referencesOf(m: any): Reference[] {
  const out: Reference[] = [];
  const from = idOf(m);
  const ns: string = m.metadata?.namespace ?? 'default';
  const add = (p: Prerequisite) => out.push({ prerequisite: p, from });
  const group = groupOf(m.apiVersion);
  // Argo CD's own kinds are what deploys the tree: never a prerequisite of it.
  if (!BUILT_IN_GROUPS.has(group) && !(group === 'argoproj.io' && ARGO_CD_KINDS.has(m.kind))) add(Prerequisite.customResource(m.kind, group));
  const walk = (node: any, key: string) => {
    if (Array.isArray(node)) { node.forEach((n) => walk(n, key)); return; }
    if (!isObj(node)) {
      if (typeof node !== 'string' || node === '') return;
      if (key === 'priorityClassName') add(Prerequisite.priorityClass(node));
      else if (key === 'storageClassName') add(Prerequisite.storageClass(node));
      else if (key === 'schedulerName' && node !== 'default-scheduler') add(Prerequisite.scheduler(node));
      else if (key === 'runtimeClassName') add(Prerequisite.runtimeClass(node));
      return;
    }
    if (key === 'secretKeyRef' || key === 'secretRef') { if (typeof node.name === 'string') add(Prerequisite.secret(ns, node.name)); }
    if (key === 'secret' && typeof node.secretName === 'string') add(Prerequisite.secret(ns, node.secretName));
    if (key === 'resources') {
      for (const r of new Set([...Object.keys(isObj(node.limits) ? node.limits : {}), ...Object.keys(isObj(node.requests) ? node.requests : {})])) {
        if (r.includes('/') && !NODE_RESOURCES.test(r)) add(Prerequisite.extendedResource(r));
      }
    }
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(m.spec ?? {}, '');
  // Gateway API routes attach to Gateways.
  if (group === 'gateway.networking.k8s.io' && Array.isArray(m.spec?.parentRefs)) {
    for (const p of m.spec.parentRefs) if ((p.kind ?? 'Gateway') === 'Gateway') add(Prerequisite.gateway(p.namespace ?? ns, p.name));
  }
  // An Application whose source is a Config Management Plugin needs its sidecar.
  if (group === 'argoproj.io' && m.kind === 'Application' && typeof m.spec?.source?.plugin?.name === 'string') {
    add(Prerequisite.configManagementPlugin(m.spec.source.plugin.name));
  }
  // An ApplicationSet's RollingSync strategy only runs with Progressive Syncs enabled.
  if (group === 'argoproj.io' && m.kind === 'ApplicationSet' && m.spec?.strategy?.type === 'RollingSync') add(Prerequisite.argoCdProgressiveSyncs());
  // Argo Rollouts traffic-router plugins.
  const plugins = m.spec?.strategy?.canary?.trafficRouting?.plugins;
  if (m.kind === 'Rollout' && isObj(plugins)) for (const p of Object.keys(plugins)) add(Prerequisite.rolloutsPlugin(p));
  // HPA metrics other than resource metrics come from an aggregated metrics API.
  if (m.kind === 'HorizontalPodAutoscaler') {
    for (const metric of m.spec?.metrics ?? []) {
      if (metric.type === 'Pods' || metric.type === 'Object') add(Prerequisite.metricsApi('custom.metrics.k8s.io', 'Prometheus Adapter'));
      if (metric.type === 'External') add(Prerequisite.metricsApi('external.metrics.k8s.io'));
    }
  }
  return out;
}

/** What an object the output creates provides. */
function provided(m: any): Prerequisite[] {
  const name = m.metadata?.name;
  const group = groupOf(m.apiVersion);
  if (m.kind === 'PriorityClass' && group === 'scheduling.k8s.io') return [Prerequisite.priorityClass(name)];
  if (m.kind === 'StorageClass' && group === 'storage.k8s.io') return [Prerequisite.storageClass(name)];
  if (m.kind === 'Secret' && group === '') return [Prerequisite.secret(m.metadata?.namespace ?? 'default', name)];
  if (m.kind === 'Gateway' && group === 'gateway.networking.k8s.io') return [Prerequisite.gateway(m.metadata?.namespace ?? 'default', name)];
  if (m.kind === 'RuntimeClass' && group === 'node.k8s.io') return [Prerequisite.runtimeClass(name)];
  if (m.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') return [Prerequisite.customResource(m.spec?.names?.kind, m.spec?.group)];
  return [];
}

/** A prerequisite with what references it. */
export interface PrerequisiteUse {
  readonly kind: string;
  readonly name: string;
  readonly note?: string;
  readonly referencedBy: string[];
  readonly declared: boolean;
}

/**
 * Collects the references of the manifests fed to it (folder by folder, without keeping the manifests), then
 * checks them against what the output creates and what is declared.
 */
export class PrerequisiteScan {
  private readonly refs = new Map<string, { p: Prerequisite; from: Set<string> }>();
  private readonly created = new Set<string>();

  /** Adds the references and provided objects of some manifests. */
  public add(manifests: any[]): void {
    for (const m of manifests) {
      if (!isObj(m)) continue;
      for (const p of provided(m)) this.created.add(p._key());
      for (const r of referencesOf(m)) {
        const key = r.prerequisite._key();
        const e = this.refs.get(key) ?? { p: r.prerequisite, from: new Set<string>() };
        e.from.add(r.from);
        this.refs.set(key, e);
      }
    }
  }

  /**
   * The references to objects the output does not create, sorted; `undeclared` lists those `declared` lacks.
   */
  public result(declared: Prerequisite[]): { uses: PrerequisiteUse[]; undeclared: PrerequisiteUse[] } {
    const notes = new Map(declared.map((d) => [d._key(), d._row().note]));
    const uses = [...this.refs.entries()].filter(([k]) => !this.created.has(k)).map(([k, e]) => ({
      ...e.p._row(), note: notes.get(k) ?? e.p._row().note, referencedBy: [...e.from].sort(), declared: notes.has(k),
    })).sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1));
    return { uses, undeclared: uses.filter((u) => !u.declared) };
  }
}

/** The error for undeclared prerequisites, one line each. */
export function undeclaredMessage(environment: string, undeclared: PrerequisiteUse[]): string {
  return `[${environment}] cluster prerequisites: the output references ${undeclared.length} object(s) it neither creates nor declares:\n`
    + undeclared.map((u) => `  ${u.kind} ${JSON.stringify(u.name)} (referenced by ${u.referencedBy.slice(0, 3).join(', ')}${u.referencedBy.length > 3 ? `, +${u.referencedBy.length - 3} more` : ''})`).join('\n')
    + '\nallowed: create it in the tree (e.g. PlatformPriorityClass) or declare it: new ClusterPrerequisites(env, "prerequisites", { declared: [Prerequisite.priorityClass("..."), ...] })';
}

/** The per-environment prerequisites list, as Markdown. */
export function renderPrerequisites(environment: string, uses: PrerequisiteUse[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `# Cluster prerequisites: ${environment}`,
    '',
    'Generated by `cdk8s synth`. Everything the manifests of this environment reference but do not create;',
    'install or create each before Argo CD syncs (see docs/prerequisites.md).',
    '',
    '| kind | name | note | referenced by |',
    '|---|---|---|---|',
    ...uses.map((u) => `| ${u.kind} | \`${esc(u.name)}\` | ${esc(u.note ?? '')} | ${u.referencedBy.length} object(s), e.g. \`${esc(u.referencedBy[0])}\` |`),
    '',
  ].join('\n');
}
