/** Which schemas the validator judges against, named with their versions (shown in every report). */
import { crdIndex } from './crd';
import { kubernetesSource } from './schema';

export interface CrdSource {
  /** Folder of the CRDs, such as `argo-cd`. */
  readonly project: string;
  /** Upstream release tag, or commit. */
  readonly version: string;
  readonly repository?: string;
  /** `group/version/Kind` of every served version. */
  readonly kinds: string[];
}

export interface SchemaSources {
  readonly kubernetes: { readonly version: string; readonly source: string };
  readonly crds: CrdSource[];
}

/** The Kubernetes schemas' version and each CRD source with its release and the kinds it serves. */
export function schemaSources(): SchemaSources {
  const idx = crdIndex();
  return {
    kubernetes: kubernetesSource(),
    crds: (idx?.sources ?? []).map((s) => ({
      ...s,
      kinds: idx!.entries.filter((e) => e.project === s.project || s.project.endsWith(`/${e.project}`)).map((e) => `${e.group}/${e.version}/${e.kind}`),
    })),
  };
}
