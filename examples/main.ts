import { Environment, FileLayout, GitOpsApp } from '../lib/gitops';
import { buildEnvironment, EXAMPLE_ENVIRONMENTS } from './platform';

/** The GitOps repository the tree is committed to. */
export const EXAMPLE_REPO_URL = 'https://github.com/example/gpu-platform-gitops.git';

/** Options for tests. */
export interface ExampleOptions {
  /**
   * Construct id of the scope the workload builders build in. It is part of every workload's construct
   * path and of no object name or selector: the selector-stability test renames it.
   * @default "platform"
   */
  readonly scopeId?: string;
  /**
   * Serializer threads of the GitOpsApp (tests compare the tree written with and without workers).
   * @default - GitOpsApp's default
   */
  readonly serializerThreads?: number;
  /**
   * File layout of the tree.
   * @default FileLayout.FILE_PER_APPLICATION
   */
  readonly fileLayout?: FileLayout;
}

/**
 * Builds the example app: dev, staging and prod, each with its tenants, GPU inference services, a
 * prefill/decode RoleBasedGroup, canaries, Prometheus Adapter rules, Argo CD projects and Applications, plus
 * the Config Management Plugin folder. Exported so tests synthesize exactly what `npm run synth` writes.
 */
export function buildExamples(outdir?: string, options: ExampleOptions = {}): GitOpsApp {
  const app = new GitOpsApp({
    repoUrl: EXAMPLE_REPO_URL,
    outdir,
    serializerThreads: options.serializerThreads,
    // One manifests.yaml per Application: ~80 files instead of ~360 for the three environments, and on slow
    // disks each created file costs about a millisecond (cdk8s synth deletes and rewrites the whole tree).
    fileLayout: options.fileLayout ?? FileLayout.FILE_PER_APPLICATION,
  });
  // argocd-cmp/: the plugin sidecar; dev's Applications use it as their source (Argo CD runs the synth). The
  // generate step runs the app as cdk8s.yaml's `app:` does, without `npm run synth`'s validation plugin (the app
  // validates and simulates the tree itself): 2.7-3.0 s CPU instead of 4.1-4.4 s here (docs/gitops.md).
  const plugin = app.addConfigManagementPlugin({ synthCommand: 'CDK8S_OUTDIR="$OUT" node --require ./scripts/compile-cache.js scripts/app.js' });
  for (const settings of EXAMPLE_ENVIRONMENTS) {
    const env = new Environment(app, settings.name, {
      targetRevision: settings.targetRevision,
      useApplicationSet: settings.useApplicationSet,
      pluginSource: settings.useConfigManagementPlugin ? { plugin } : undefined,
    });
    buildEnvironment(env, settings, options.scopeId);
  }
  return app;
}

if (require.main === module) {
  buildExamples().synth();
}
