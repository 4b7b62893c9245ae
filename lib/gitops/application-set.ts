import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ApplicationSet as CrdApplicationSet } from '../../imports/argocdappset-argoproj.io';
import { fail, requireInteger } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain } from '../core/names';
import { SYNC_WAVE_ANNOTATION } from '../core/sync-wave';
import { ApplicationPluginSource, ApplicationSyncOptions, pluginSourceToJson, syncPolicyToJson } from './application';
import { RetryPolicy, SyncOption } from './sync-options';
import { compareStrings } from './canonical-order';
import { IgnoreDifference } from '../core/ignore-differences';
import { ignoreDifferenceToJson } from './ignore-differences';
import { RESOURCES_FINALIZER } from './project';
import { IN_CLUSTER_SERVER, requireNamespace, requireRepoPath, requireRepoUrl, requireRevision, requireServerUrl } from './validation';
import { checkProps, pathScope } from '../core/validate';
import { applicationSetShape } from './shapes';

/** One Application an ApplicationSet generates. */
export interface ApplicationSetElement {
  /** Application name (DNS label). */
  readonly name: string;
  /** Repository path of its manifests. */
  readonly path: string;
  /** AppProject name. */
  readonly project: string;
  /**
   * Destination namespace.
   * @default - none ("")
   */
  readonly namespace?: string;
  /**
   * Sync wave of the generated Application: its `argocd.argoproj.io/sync-wave` annotation and, with
   * `rollingSync`, its RollingSync step.
   * @default 0
   */
  readonly syncWave?: number;
  /**
   * Sync options of this Application (the element carries its own sync policy, applied by `templatePatch`).
   * @default - the ApplicationSet's syncOptions
   */
  readonly syncOptions?: SyncOption[];
  /**
   * Automated sync of this Application.
   * @default - the ApplicationSet's automated
   */
  readonly automated?: boolean;
  /**
   * Prune of this Application.
   * @default - the ApplicationSet's prune
   */
  readonly prune?: boolean;
  /**
   * Self-heal of this Application.
   * @default - the ApplicationSet's selfHeal
   */
  readonly selfHeal?: boolean;
  /**
   * Retry policy of this Application.
   * @default - the ApplicationSet's retry
   */
  readonly retry?: RetryPolicy;
  /**
   * ignoreDifferences of this Application, on top of the ApplicationSet's (`RespectIgnoreDifferences=true` is
   * added to its sync options when it has any).
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
  /**
   * Generate this Application's manifests with a Config Management Plugin: `path` is then the folder the plugin
   * runs in (see `ApplicationProps.plugin`).
   * @default - plain manifests from `path`
   */
  readonly plugin?: ApplicationPluginSource;
}

/** Props of an ApplicationSet. */
export interface ApplicationSetProps extends ApplicationSyncOptions {
  /** `metadata.name`. */
  readonly name: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /** Git repository holding the synthesized manifests. */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit.
   * @default "HEAD"
   */
  readonly targetRevision?: string;
  /**
   * Destination cluster API server.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * The generated Applications (a list generator). More can be added with `addElement`; the list must not be
   * empty at synth, and element names must be unique.
   * @default - none yet
   */
  readonly elements?: ApplicationSetElement[];
  /**
   * ignoreDifferences for every generated Application. Entries name their kind (and usually their object), so
   * an entry that belongs to another Application matches nothing.
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
  /**
   * Sync the generated Applications in sync-wave order with the Progressive Syncs `RollingSync` strategy: one
   * step per wave (label `gpu-platform.dev/sync-wave` on each Application), each step starting once every
   * Application of the previous one is Healthy and Synced (argo-cd v3.5.1
   * applicationset/progressivesync/progressive_sync.go). Needs `applicationsetcontroller.enable.progressive.syncs:
   * "true"` in `argocd-cmd-params-cm` (`Prerequisite.argoCdProgressiveSyncs()`). The controller then turns
   * automated sync off on the generated Applications and syncs them itself, with their prune flag, sync options
   * and retry: self-heal no longer applies.
   * @default false (all Applications at once, unordered)
   */
  readonly rollingSync?: boolean;
}

/** The label that carries an Application's sync wave for the RollingSync steps. */
export const SYNC_WAVE_LABEL = 'gpu-platform.dev/sync-wave';

/** A sync wave as a label value (`-10` is not one: label values start with a letter or digit). */
export function syncWaveLabelValue(wave: number): string {
  return wave < 0 ? `minus-${-wave}` : String(wave);
}

/**
 * The ApplicationSet's templatePatch: each element's own sync policy and ignoreDifferences, which Argo CD
 * renders with the element's parameters and applies to the generated Application as a strategic-merge patch
 * (argo-cd v3.5.1 applicationset/controllers/template/template.go renderTemplatePatch, patch.go
 * applyTemplatePatch: `strategicpatch.StrategicMergePatch`, needs goTemplate). Both fields have no patch
 * strategy in the Application type, so the patch replaces them whole; `toJson` is sprig's (applicationset/utils/utils.go).
 */
export const TEMPLATE_PATCH = '{"spec":{"ignoreDifferences":{{ toJson .ignoreDifferences }},"syncPolicy":{{ toJson .syncPolicy }}}}';

/**
 * The templatePatch when an element has a plugin source: `spec.source` merges (a map), so the element's
 * `source` (`{plugin}`, or `{}` for an element without one: nothing to merge) joins the template's repoURL,
 * targetRevision and path.
 */
export const TEMPLATE_PATCH_WITH_PLUGIN = '{"spec":{"ignoreDifferences":{{ toJson .ignoreDifferences }},"source":{{ toJson .source }},"syncPolicy":{{ toJson .syncPolicy }}}}';

/**
 * An ApplicationSet with a list generator and a Go template: the alternative to an app-of-apps folder of
 * child Applications. Each element becomes one Application; its sync policy and ignoreDifferences (the
 * ApplicationSet's, overridden per element) travel in the element and reach the Application by `templatePatch`.
 * With `rollingSync` the Applications sync in wave order.
 */
export class ApplicationSet extends Construct {
  /** The ApplicationSet object. */
  public readonly apiObject: ApiObject;
  /** True when the Applications sync in wave order (RollingSync). */
  public readonly rollingSync: boolean;
  private elementList: ApplicationSetElement[];
  private ignoreList: IgnoreDifference[];
  private knownProjects?: () => string[];

  constructor(scope: Construct, id: string, props: ApplicationSetProps) {
    super(scope, id);
    checkProps(this, props, applicationSetShape(), { name: 'ApplicationSetProps' });
    const name = requireDnsLabel(this, 'name', props.name);
    const argocdNamespace = requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    requireRepoUrl(this, 'repoUrl', props.repoUrl);
    const targetRevision = requireRevision(this, 'targetRevision', props.targetRevision ?? 'HEAD');
    const server = requireServerUrl(this, 'destinationServer', props.destinationServer ?? IN_CLUSTER_SERVER);
    this.elementList = [...(props.elements ?? [])];
    this.ignoreList = [...(props.ignoreDifferences ?? [])];
    this.rollingSync = props.rollingSync ?? false;
    // Canonical order (the entries' JSON): the order they were added in carries no meaning.
    const canonical = (entries: IgnoreDifference[]) => entries.map(ignoreDifferenceToJson)
      .map((j) => ({ j, key: JSON.stringify(j) })).sort((a, b) => compareStrings(a.key, b.key))
      .filter((e, i, all) => i === 0 || all[i - 1].key !== e.key).map((e) => e.j);
    const checked = () => {
      const list = this.elementList;
      if (list.length === 0) fail(this, 'elements', [], 'at least one Application');
      const names = new Set<string>();
      const out = list.map((e, i) => {
        requireDnsLabel(this, `elements[${i}].name`, e.name);
        if (names.has(e.name)) fail(this, `elements[${i}].name`, e.name, 'unique Application names');
        names.add(e.name);
        requireRepoPath(this, `elements[${i}].path`, e.path);
        // AppProject names are object names (DNS-1123 subdomains, as Environment.addTenantProject makes them).
        requireDnsSubdomain(this, `elements[${i}].project`, e.project);
        if (this.knownProjects && e.project !== 'default' && !this.knownProjects().includes(e.project)) {
          fail(this, `elements[${i}].project`, `${e.project} (Application "${e.name}")`,
            `"default" or an AppProject of the environment: ${JSON.stringify(this.knownProjects())}`);
        }
        if (e.namespace !== undefined) requireNamespace(this, `elements[${i}].namespace`, e.namespace);
        const wave = requireInteger(this, `elements[${i}].syncWave`, e.syncWave ?? 0, -1000, 1000);
        const ignoreDifferences = canonical([...this.ignoreList, ...(e.ignoreDifferences ?? [])]);
        const scope = pathScope(`${this.node.path}/elements[${i}]`);
        const syncPolicy = syncPolicyToJson(scope, {
          syncOptions: e.syncOptions ?? props.syncOptions,
          automated: e.automated ?? props.automated,
          prune: e.prune ?? props.prune,
          selfHeal: e.selfHeal ?? props.selfHeal,
          retry: e.retry ?? props.retry,
        }, ignoreDifferences.length > 0);
        const plugin = pluginSourceToJson(pathScope(`${this.node.path}/elements[${i}]`), e.plugin);
        return {
          wave,
          plugin: plugin !== undefined,
          params: {
            name: e.name, path: e.path, project: e.project, namespace: e.namespace ?? '', syncWave: String(wave),
            ...(this.rollingSync ? { syncWaveLabel: syncWaveLabelValue(wave) } : {}),
            ignoreDifferences, syncPolicy: JSON.parse(JSON.stringify(syncPolicy)),
            source: plugin !== undefined ? { plugin: JSON.parse(JSON.stringify(plugin)) } : {},
          },
        };
      });
      // Elements in name order: the list generator's order carries no meaning, construct order must not show.
      return out.sort((a, b) => compareStrings(a.params.name, b.params.name));
    };
    // One step per wave, in order: every element matches exactly one step (an unmatched one is never synced).
    const steps = () => [...new Set(checked().map((e) => e.wave))].sort((a, b) => a - b).map((w) => ({
      matchExpressions: [{ key: SYNC_WAVE_LABEL, operator: 'In', values: [syncWaveLabelValue(w)] }],
    }));

    this.apiObject = new CrdApplicationSet(this, 'Resource', {
      metadata: { name, namespace: argocdNamespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        // With a plugin source anywhere, every element has `source` (missingkey=error); otherwise none has.
        generators: [{ list: { elements: Lazy.any({ produce: () => {
          const all = checked();
          const withSource = all.some((e) => e.plugin);
          return all.map(({ params: { source, ...rest } }) => (withSource ? { ...rest, source } : rest));
        } }) } }],
        strategy: this.rollingSync ? { type: 'RollingSync', rollingSync: { steps: Lazy.any({ produce: steps }) } } : undefined,
        template: {
          metadata: {
            name: '{{.name}}',
            namespace: argocdNamespace,
            finalizers: [RESOURCES_FINALIZER],
            annotations: { [SYNC_WAVE_ANNOTATION]: '{{.syncWave}}' },
            labels: this.rollingSync ? { [SYNC_WAVE_LABEL]: '{{.syncWaveLabel}}' } : undefined,
          },
          spec: {
            project: '{{.project}}',
            source: { repoUrl: props.repoUrl, targetRevision, path: '{{.path}}' },
            destination: { server, namespace: '{{.namespace}}' },
          },
        },
        templatePatch: Lazy.any({ produce: () => (checked().some((e) => e.plugin) ? TEMPLATE_PATCH_WITH_PLUGIN : TEMPLATE_PATCH) }),
      },
    });
    // Checked at construction too, so bad sync options fail where they are given.
    syncPolicyToJson(this, props, false);
  }

  /** Adds a generated Application. */
  public addElement(element: ApplicationSetElement): void {
    this.elementList.push(element);
  }

  /** Replaces the generated Applications (used by Environment at synth, so it can run more than once). */
  public replaceElements(elements: ApplicationSetElement[]): void {
    this.elementList = [...elements];
  }

  /**
   * @internal
   * Restricts element projects to "default" and these AppProject names (checked at synth). Environment sets
   * it to the projects it defines, so an element cannot name a project that does not exist there.
   */
  public _restrictProjects(names: () => string[]): void {
    this.knownProjects = names;
  }

  /** Replaces the ignoreDifferences of the template. */
  public replaceIgnoreDifferences(entries: IgnoreDifference[]): void {
    this.ignoreList = [...entries];
  }
}
