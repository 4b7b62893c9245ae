import { ApiObject, Duration, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, Memory } from '../core';
import { fail } from '../core/errors';
import { requireDnsLabel } from '../core/names';
import { workloadSecurity, writableDirs } from '../core/security';
import { k8s } from '../core/k8s';
import { FolderChart } from './folder-chart';
import { requireNamespace } from './validation';
import { checkProps, duration } from '../core/validate';
import { configManagementPluginShape } from './shapes';

/** The env vars (without the ARGOCD_ENV_ prefix) an Application passes to the plugin to pick its folder. */
export const CMP_ENVIRONMENT_VAR = 'GITOPS_ENVIRONMENT';
export const CMP_APPLICATION_VAR = 'GITOPS_APPLICATION';

/**
 * The default init: `npm ci` once per package-lock.json into the sidecar's /tmp (an emptyDir that outlives
 * requests), then a symlink. The cmp-server unpacks every request into a fresh directory (argo-cd v3.5.1
 * cmpserver/plugin/plugin.go, generateManifestGeneric: getTempDirMustCleanup), so a plain `npm ci` would run
 * for every manifest generation: measured here 57 s wall, 36 s CPU for this repository's 23,652 files, more
 * than the default 60 s deadline by itself. `flock` serializes the installs of concurrent requests; the
 * rename makes a finished install visible atomically, so a request killed at its deadline leaves no half tree
 * behind; each use touches its install, and installs unused for a day are deleted (the emptyDir counts against
 * the pod's ephemeral storage; an old revision's lock file is simply installed again). `flock` and `sha256sum` are in every Debian image (util-linux and coreutils are Essential; the
 * default image is `FROM debian:bookworm-slim`, nodejs/docker-node 20/bookworm-slim/Dockerfile).
 */
export const CACHED_NPM_CI = [
  'set -eu',
  'DEPS="/tmp/cmp-deps/$(cat package-lock.json package.json | sha256sum | cut -c1-32)"',
  'mkdir -p /tmp/cmp-deps',
  'flock /tmp/cmp-deps/.lock sh -ec \'',
  '  if [ ! -d "$1" ]; then',
  '    rm -rf "$1.partial" && mkdir "$1.partial" && cp package.json package-lock.json "$1.partial/"',
  '    if [ -f .npmrc ]; then cp .npmrc "$1.partial/"; fi',
  '    (cd "$1.partial" && npm ci --no-audit --no-fund >&2)',
  '    mv "$1.partial" "$1"',
  '  fi',
  '  touch "$1"',
  '  # Installs no request used for a day go (about 250 MB each, on the emptyDir of the sidecar).',
  '  find /tmp/cmp-deps -mindepth 1 -maxdepth 1 -type d -mmin +1440 -exec rm -rf {} +\' sh "$DEPS"',
  'ln -sfn "$DEPS/node_modules" node_modules',
].join('\n');

/** Props of a ConfigManagementPlugin. */
export interface ConfigManagementPluginProps {
  /**
   * Plugin name. Applications refer to it as `<name>-<version>`.
   * @default "cdk8s"
   */
  readonly name?: string;
  /**
   * Plugin version.
   * @default "v1.0"
   */
  readonly version?: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Sidecar image: Node.js, as the synth runs `npm` and `node`. Pin it.
   * @default "docker.io/library/node:20.19.2-bookworm-slim"
   */
  readonly image?: string;
  /**
   * Shell script that installs dependencies in the checked-out repository (run with `sh -c` before every
   * generate, under the same deadline).
   * @default - `npm ci` once per package-lock.json into the sidecar's /tmp, then a symlink (`CACHED_NPM_CI`)
   */
  readonly initCommand?: string;
  /**
   * Command that synthesizes the tree into the directory in `$OUT`.
   * @default 'npm run --silent synth -- --output "$OUT"'
   */
  readonly synthCommand?: string;
  /**
   * CPU request and limit of the sidecar.
   * @default - request 250m, limit 2
   */
  readonly cpuRequest?: Cpu;
  /**
   * CPU limit of the sidecar.
   * @default Cpu.cores(2)
   */
  readonly cpuLimit?: Cpu;
  /**
   * Memory request and limit of the sidecar (the synth holds the whole app in memory).
   * @default Memory.mebibytes(512)
   */
  readonly memoryRequest?: Memory;
  /**
   * Memory limit of the sidecar.
   * @default Memory.gibibytes(2)
   */
  readonly memoryLimit?: Memory;
  /**
   * How long one manifest generation (init, then generate) may take. The deadline that binds is the caller's
   * gRPC deadline to the repo-server, which reaches the sidecar (argo-cd v3.5.1: the controller's
   * `--repo-server-timeout-seconds`, default 60, from `controller.repo.server.timeout.seconds` in
   * `argocd-cmd-params-cm`; the API server's `server.repo.server.timeout.seconds` likewise), so the folder
   * patches `argocd-cmd-params-cm` with both keys, and sets `ARGOCD_EXEC_TIMEOUT` on the sidecar as the CMP
   * docs ask. The first generation after a sidecar start runs `npm ci` (about a minute here) and must fit.
   * @default Duration.minutes(3)
   */
  readonly timeout?: Duration;
}

/**
 * A Config Management Plugin that lets Argo CD run the cdk8s synth itself: the ConfigMap with `plugin.yaml`
 * and a strategic-merge patch of `argocd-repo-server` that adds the plugin sidecar. The patch is a complete,
 * schema-valid Deployment that repeats the upstream selector, so it merges cleanly into the stock install.
 * The generate step synthesizes the whole tree and prints the folder `$ARGOCD_ENV_GITOPS_ENVIRONMENT/
 * $ARGOCD_ENV_GITOPS_APPLICATION`, so an Application selects its folder with two plugin env vars.
 */
export class ConfigManagementPlugin extends Construct {
  /** The plugin environment variable that names the environment. */
  public static readonly ENVIRONMENT_VAR = CMP_ENVIRONMENT_VAR;
  /** The plugin environment variable that names the application. */
  public static readonly APPLICATION_VAR = CMP_APPLICATION_VAR;

  /** `<name>-<version>`, the value of `spec.source.plugin.name` in an Application. */
  public readonly pluginName: string;
  /** The ConfigMap holding plugin.yaml. */
  public readonly configMap: ApiObject;
  /** The repo-server patch (a Deployment). */
  public readonly repoServerPatch: ApiObject;
  /** The `argocd-cmd-params-cm` patch that raises the repo-server call timeouts to `timeout`. */
  public readonly paramsPatch: ApiObject;
  /** The timeout of one manifest generation, in seconds. */
  public readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: ConfigManagementPluginProps = {}) {
    super(scope, id);
    checkProps(this, props, configManagementPluginShape(), { name: 'ConfigManagementPluginProps' });
    const name = requireDnsLabel(this, 'name', props.name ?? 'cdk8s', 40);
    const version = props.version ?? 'v1.0';
    if (!/^v[0-9]+(\.[0-9]+)*$/.test(version)) fail(this, 'version', version, 'a version such as "v1.0"');
    this.pluginName = `${name}-${version}`;
    const namespace = requireNamespace(this, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    const image = props.image ?? 'docker.io/library/node:20.19.2-bookworm-slim';
    if (!/^[a-z0-9.-]+(:[0-9]+)?\/[^\s:@]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/.test(image) || image.endsWith(':latest')) {
      fail(this, 'image', image, 'a pinned image reference "registry/repository:tag" or "...@sha256:<digest>", not :latest');
    }
    const cpuRequest = (props.cpuRequest ?? Cpu.millis(250)).validate(this, 'cpuRequest');
    const cpuLimit = (props.cpuLimit ?? Cpu.cores(2)).validate(this, 'cpuLimit');
    const memoryRequest = (props.memoryRequest ?? Memory.mebibytes(512)).validate(this, 'memoryRequest');
    const memoryLimit = (props.memoryLimit ?? Memory.gibibytes(2)).validate(this, 'memoryLimit');
    const synth = props.synthCommand ?? 'npm run --silent synth -- --output "$OUT"';
    const timeout = props.timeout ?? Duration.minutes(3);
    duration({ wholeSeconds: true, minSeconds: 60 })(this, 'timeout', timeout);
    if (timeout.toSeconds() > 3600) fail(this, 'timeout', `${timeout.toSeconds()} s`, 'at most 1 hour (Duration.hours(1)): every repo-server call of the controller may wait that long');
    this.timeoutSeconds = timeout.toSeconds();
    const script = [
      'set -eu',
      'OUT="$(mktemp -d)"',
      // The sidecar serves every generate request of its lifetime: without this, each one would leave a whole
      // synthesized tree in its /tmp (several MB per Application refresh) until the volume fills.
      'trap \'rm -rf "$OUT"\' EXIT',
      `${synth} >&2`,
      `DIR="$OUT/$ARGOCD_ENV_${CMP_ENVIRONMENT_VAR}/$ARGOCD_ENV_${CMP_APPLICATION_VAR}"`,
      'for f in "$DIR"/*.yaml; do',
      '  [ "$(basename "$f")" = kustomization.yaml ] && continue',
      '  echo "---"; cat "$f"',
      'done',
    ].join('\n');

    const plugin = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ConfigManagementPlugin',
      metadata: { name },
      spec: {
        version,
        init: { command: ['sh', '-c'], args: [props.initCommand ?? CACHED_NPM_CI] },
        generate: { command: ['sh', '-c'], args: [script] },
        discover: { fileName: 'cdk8s.yaml' },
      },
    };
    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: { name: `cmp-${name}`, namespace, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
      data: { 'plugin.yaml': Yaml.stringify(plugin) },
    });

    const security = workloadSecurity(this, 'security', { runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    const dirs = writableDirs([{ name: 'cmp-tmp', mountPath: '/tmp' }]);
    const labels = { 'app.kubernetes.io/name': 'argocd-repo-server' };
    this.repoServerPatch = new k8s.KubeDeployment(this, 'RepoServerPatch', {
      metadata: { name: 'argocd-repo-server', namespace },
      spec: {
        // The upstream selector, repeated unchanged so the patch is also a valid Deployment.
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: security.pod,
            containers: [{
              name: `cmp-${name}`,
              image,
              command: ['/var/run/argocd/argocd-cmp-server'],
              env: [
                { name: 'HOME', value: '/tmp' },
                { name: 'npm_config_cache', value: '/tmp/.npm' },
                // argo-cd v3.5.1 docs/operator-manual/config-management-plugins.md: "Each CMP command will also
                // independently timeout on the ARGOCD_EXEC_TIMEOUT set for the CMP sidecar" (default 90s,
                // util/exec/exec.go). The v3.5.1 cmp-server runs init and generate with the request's context only
                // (cmpserver/plugin/plugin.go runCommand: exec.CommandContext), so this is for the versions that do.
                { name: 'ARGOCD_EXEC_TIMEOUT', value: `${this.timeoutSeconds}s` },
              ],
              securityContext: security.container,
              resources: {
                requests: { cpu: cpuRequest.toK8s(), memory: memoryRequest.toK8s() },
                limits: { cpu: cpuLimit.toK8s(), memory: memoryLimit.toK8s() },
              },
              volumeMounts: [
                { name: 'var-files', mountPath: '/var/run/argocd' },
                { name: 'plugins', mountPath: '/home/argocd/cmp-server/plugins' },
                { name: `cmp-${name}`, mountPath: '/home/argocd/cmp-server/config/plugin.yaml', subPath: 'plugin.yaml' },
                ...dirs.mounts,
              ],
            }],
            volumes: [
              // var-files and plugins exist upstream as emptyDirs; repeated here so the patch stands alone.
              { name: 'var-files', emptyDir: {} },
              { name: 'plugins', emptyDir: {} },
              { name: `cmp-${name}`, configMap: { name: `cmp-${name}` } },
              ...dirs.volumes,
            ],
          },
        },
      },
    });
    FolderChart.find(this)?.addPatch(this.repoServerPatch);

    // The callers' deadlines (argo-cd v3.5.1 manifests/install.yaml: ARGOCD_APPLICATION_CONTROLLER_REPO_SERVER_TIMEOUT_SECONDS
    // and ARGOCD_SERVER_REPO_SERVER_TIMEOUT_SECONDS from these keys; cmd/argocd-application-controller: default 60;
    // reposerver/apiclient/clientset.go: a unary client timeout interceptor), read at start: restart the
    // application controller and the API server after the first apply.
    this.paramsPatch = new k8s.KubeConfigMap(this, 'ParamsPatch', {
      metadata: { name: 'argocd-cmd-params-cm', namespace, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
      data: {
        'controller.repo.server.timeout.seconds': String(this.timeoutSeconds),
        'server.repo.server.timeout.seconds': String(this.timeoutSeconds),
      },
    });
    FolderChart.find(this)?.addPatch(this.paramsPatch);
  }
}
