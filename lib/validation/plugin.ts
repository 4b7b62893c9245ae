/**
 * The cdk8s validation plugin. cdk8s-cli 2.207 (node_modules/cdk8s-cli/lib/plugins/_manager.js, `PluginManager.load`)
 * requires the `package` named in cdk8s.yaml `validations:` (a path starting with `./` is required from the
 * working directory; a package name is npm-installed into the plugins directory), takes the export named by
 * `class`, and calls `new clazz(properties ?? {})`. After synthesis, `validateApp` (lib/util.js) calls
 * `await plugin.validate(context)` with a `ValidationContext` (lib/plugins/validation.js): `context.manifests`
 * are the synthesized YAML files, `context.report.addViolation({ ruleName, recommendation, fix,
 * violatingResources: [{ resourceName, locations, manifestPath }] })` records findings, and
 * `context.report.submit('success' | 'failure', metadata)` must be called; on 'failure' `cdk8s synth` prints the
 * report and exits with code 2. The interfaces below are structural copies, so the package does not depend on
 * cdk8s-cli.
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-gpu-platform/validation
 *     version: 0.1.0
 *     class: GpuPlatformValidation
 *     properties: { strict: false, crds: [], skip: [] }
 * ```
 */
import * as path from 'path';
import { defaultCheckMemoFile, saveCheckMemo, useCheckMemo } from './check-memo';
import { useCrdDirs } from './crd';
import { checkDocuments, ClusterMode, ClusterReport, Finding, groupClusters, loadDocuments, toReport } from './report';
import { ruleInfo } from './rules';
import { prepareValidators, rememberValidators } from './warm';

/** What cdk8s-cli passes to `validate` (a subset of its ValidationContext). */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string; recommendation: string; fix: string;
      violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: { [key: string]: string }): void;
  };
  readonly logger?: { log(message: string): void };
}

/** `properties` of the plugin in cdk8s.yaml. */
export interface GpuPlatformValidationProps {
  /** Warnings fail the synth too. @default false */
  readonly strict?: boolean;
  /** Rule ids not to run. @default none */
  readonly skip?: string[];
  /** Extra CRD folders (relative to the working directory), on top of the bundled CRDs. @default none */
  readonly crds?: string[];
  /** How manifests split into clusters: `auto` (one per top-level output folder, if all are in folders), `single`, `folders`. @default 'auto' */
  readonly clusters?: ClusterMode;
}

export class GpuPlatformValidation {
  /**
   * Loads what a validation needs before the manifests exist (the CRD index, the compiled validators the last
   * run used), so `validate` then only checks. `npm run synth` (scripts/synth.js) calls it while the app runs;
   * cdk8s-cli itself never does, and nothing depends on it.
   */
  public static prepare(props: GpuPlatformValidationProps = {}): void {
    if (props.crds?.length) useCrdDirs(props.crds.map((d) => path.resolve(d)));
    prepareValidators();
  }

  private readonly props: GpuPlatformValidationProps;

  public constructor(props: GpuPlatformValidationProps = {}) {
    this.props = props;
  }

  public async validate(context: PluginContext): Promise<void> {
    if (this.props.crds?.length) useCrdDirs(this.props.crds.map((d) => path.resolve(d)));
    const files = [...context.manifests];
    const problems: Finding[] = [];
    const docs = loadDocuments(files, problems);
    const root = commonDir(files);
    const clusters: ClusterReport[] = [];
    // Objects that passed the schema checks last time are not checked again (lib/validation/check-memo.ts); only
    // with the shipped schemas, so never with extra CRD folders.
    useCheckMemo(this.props.crds?.length ? undefined : defaultCheckMemoFile());
    try {
      for (const [name, group] of groupClusters(root, docs, this.props.clusters)) {
        clusters.push({ name, files: new Set(group.map((d) => d.file)).size, objects: group.length, findings: checkDocuments(group, { skip: this.props.skip }) });
      }
      saveCheckMemo();
    } finally {
      useCheckMemo(undefined);
    }
    if (problems.length) clusters.push({ name: root, files: 0, objects: 0, findings: problems });
    const report = toReport(clusters);
    const open = clusters.flatMap((c) => c.findings).filter((f) => f.suppressed === undefined);
    // One violation per rule (and per fix, for Pod Security's controls), listing every object and location.
    const groups = new Map<string, Finding[]>();
    for (const f of open) {
      const key = `${f.rule}\u0000${f.fix}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const findings of groups.values()) {
      const first = findings[0];
      const resources = new Map<string, { resourceName: string; locations: string[]; manifestPath: string }>();
      for (const f of findings) {
        const key = `${f.file}|${f.object}`;
        const r = resources.get(key) ?? { resourceName: f.object.split('/').pop()!, locations: [], manifestPath: f.file ?? '' };
        r.locations.push(`${f.object}: ${f.message}`);
        resources.set(key, r);
      }
      const info = ruleInfo(first.rule);
      context.report.addViolation({
        ruleName: `${first.rule} (${first.severity})`, recommendation: info.description, fix: first.fix,
        violatingResources: [...resources.values()],
      });
    }
    rememberValidators();
    const s = report.summary;
    const failed = s.errors > 0 || (this.props.strict === true && s.warnings > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      objects: String(s.objects), clusters: String(s.clusters), errors: String(s.errors), warnings: String(s.warnings), suppressed: String(s.suppressed),
      kubernetes: `${report.schemas.kubernetes.version} (${report.schemas.kubernetes.source})`,
      crds: report.schemas.crds.map((c) => `${c.project} ${c.version}`).join('\n'),
    });
  }
}

/** The deepest folder holding every file (the synth output folder). */
function commonDir(files: string[]): string {
  if (files.length === 0) return '.';
  let dir = path.dirname(path.resolve(files[0]));
  for (const f of files) {
    while (!path.resolve(f).startsWith(dir + path.sep)) dir = path.dirname(dir);
  }
  return path.relative(process.cwd(), dir) || '.';
}
