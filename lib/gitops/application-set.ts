import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ApplicationSet as CrdApplicationSet } from '../../imports/argocdappset-argoproj.io';
import { fail, requireInteger } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain } from '../core/names';
import { SYNC_WAVE_ANNOTATION } from '../core/sync-wave';
import { ApplicationSyncOptions, syncPolicyToJson } from './application';
import { compareStrings } from './canonical-order';
import { IgnoreDifference } from '../core/ignore-differences';
import { ignoreDifferenceToJson } from './ignore-differences';
import { RESOURCES_FINALIZER } from './project';
import { IN_CLUSTER_SERVER, requireNamespace, requireRepoPath, requireRepoUrl, requireRevision, requireServerUrl } from './validation';
import { checkProps } from '../core/validate';
import { applicationSetShape } from './shapes';

/** One Application an ApplicationSet generates. */
export interface ApplicationSetElement {
  /** Application name (DNS label). */
  readonly name: string;
  /** Repository path of its manifests. */
  readonly path: string;
  /**
   * AppProject name: a DNS-1123 subdomain; in an Environment, `default` or one of the environment's
   * AppProjects.
   */
  readonly project: string;
  /**
   * Destination namespace.
   * @default - none ("")
   */
  readonly namespace?: string;
  /**
   * Sync wave annotation of the generated Application.
   * @default 0
   */
  readonly syncWave?: number;
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
}

/**
 * An ApplicationSet with a list generator and a Go template: the alternative to an app-of-apps folder of
 * child Applications. Each element becomes one Application with the same sync policy.
 */
export class ApplicationSet extends Construct {
  /** The ApplicationSet object. */
  public readonly apiObject: ApiObject;
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
    // Canonical order (the entries' JSON): the order they were added in carries no meaning.
    const ignore = () => this.ignoreList.map(ignoreDifferenceToJson)
      .map((j) => ({ j, key: JSON.stringify(j) })).sort((a, b) => compareStrings(a.key, b.key))
      .filter((e, i, all) => i === 0 || all[i - 1].key !== e.key).map((e) => e.j);
    const basePolicy = syncPolicyToJson(this, props, false);
    const withRespect = syncPolicyToJson(this, props, true);
    const elements = () => {
      const list = this.elementList;
      if (list.length === 0) fail(this, 'elements', [], 'at least one Application');
      const names = new Set<string>();
      const checked = list.map((e, i) => {
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
        return {
          name: e.name, path: e.path, project: e.project, namespace: e.namespace ?? '',
          syncWave: String(requireInteger(this, `elements[${i}].syncWave`, e.syncWave ?? 0, -1000, 1000)),
        };
      });
      // Elements in name order: the list generator's order carries no meaning, construct order must not show.
      return checked.sort((a, b) => compareStrings(a.name, b.name));
    };

    this.apiObject = new CrdApplicationSet(this, 'Resource', {
      metadata: { name, namespace: argocdNamespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: Lazy.any({ produce: elements }) } }],
        template: {
          metadata: {
            name: '{{.name}}',
            namespace: argocdNamespace,
            finalizers: [RESOURCES_FINALIZER],
            annotations: { [SYNC_WAVE_ANNOTATION]: '{{.syncWave}}' },
          },
          spec: {
            project: '{{.project}}',
            source: { repoUrl: props.repoUrl, targetRevision, path: '{{.path}}' },
            destination: { server, namespace: '{{.namespace}}' },
            syncPolicy: Lazy.any({ produce: () => (ignore().length > 0 ? withRespect : basePolicy) }),
            ignoreDifferences: Lazy.any({ produce: () => { const d = ignore(); return d.length > 0 ? d : undefined; } }),
          },
        },
      },
    });
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
