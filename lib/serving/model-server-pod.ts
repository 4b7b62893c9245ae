import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail, requireInteger } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsLabel, requireDnsSubdomain, requireLabels, requireQualifiedName } from '../core/names';
import { Cpu, Memory, Storage } from '../core/quantity';
import { PodSecurityLevel, workloadSecurity, WorkloadSecurityOptions, writableDirs, WritableDir } from '../core/security';
import { applyPlacement, NodePlacement } from '../core/tenant';
import { MultiNodeRole, ServingEngine } from './engine';
import { applyGpuPlacement, GpuPlacement, GpuRequest, resolveGpuRequest } from './gpu';
import { addWarning, requirePinnedImage } from './image';
import { modelServerProbes } from './probes';
import { LOG_EPHEMERAL_STORAGE } from './runtime-contract';

export { HOME_DIR } from './runtime-contract';

/** A key of a Secret (the HF token). Only a reference: the token itself never appears in the manifests. */
export interface SecretKeyReference {
  /** The Secret's name, in the workload's namespace. */
  readonly name: string;
  /**
   * The key inside the Secret.
   * @default 'token'
   */
  readonly key?: string;
}

/** Where the model cache is mounted. */
export interface ModelCacheMount {
  /**
   * The PVC to mount. Leave it out when the workload supplies the volume itself (a StatefulSet's
   * volumeClaimTemplate named `volumeName`).
   * @default - no pod volume is added, only the mount
   */
  readonly claimName?: string;
  /**
   * Volume name.
   * @default 'model-cache'
   */
  readonly volumeName?: string;
  /**
   * Mount path; `HF_HOME` points here.
   * @default '/models'
   */
  readonly mountPath?: string;
  /**
   * Mount read-only (a cache filled beforehand).
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Multi-node (LeaderWorkerSet) settings for one pod template. */
export interface MultiNodeOptions {
  /** Leader or worker. */
  readonly role: MultiNodeRole;
  /** Pods per group (pipeline parallel size), at least 2. */
  readonly nodes: number;
}

/** A name/value environment variable. */
export interface EnvVariable {
  readonly name: string;
  readonly value: string;
}

/**
 * The model-server settings every GPU workload exposes with the same meaning (GpuInferenceService,
 * model-server pods built with `buildModelServerPod`). Workload props extend this interface so each field
 * is declared and documented once.
 */
export interface ModelServerOptions {
  /** Container image, pinned to a tag or digest. */
  readonly image: string;
  /**
   * Allow an unpinned (`latest` or untagged) image, with a warning.
   * @default false
   */
  readonly allowLatestImage?: boolean;
  /** The model id (Hugging Face repo id) or path. */
  readonly model: string;
  /**
   * Tensor parallel size. Must equal the GPUs per pod.
   * @default - the GPUs per pod (1 without GPUs)
   */
  readonly tensorParallelSize?: number;
  /**
   * CPU per pod, request = limit.
   * @default Cpu.cores(4)
   */
  readonly cpu?: Cpu;
  /**
   * Memory per pod, request = limit. /dev/shm counts against it.
   * @default Memory.gibibytes(32)
   */
  readonly memory?: Memory;
  /**
   * Size of /dev/shm (a Memory emptyDir). NCCL needs far more than the container default of 64Mi once
   * tensor parallel size > 1.
   * @default Memory.gibibytes(8)
   */
  readonly shmSize?: Memory;
  /**
   * Size limit of the emptyDir the model downloads into when there is no model cache volume (the container's
   * ephemeral-storage request counts it). Ignored with a model cache and for engines that load no model.
   * @default Storage.gibibytes(64)
   */
  readonly emptyDirModelCacheSize?: Storage;
  /**
   * The longest model load (download + weights + warm-up), 30 seconds to 24 hours; the startup probe covers it.
   * @default Duration.minutes(30)
   */
  readonly maxModelLoadTime?: Duration;
  /**
   * Extra engine args.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * Extra environment variables (name/value, or any k8s EnvVar with valueFrom). A literal value for
   * HF_TOKEN is refused: use `hfTokenSecret`.
   * @default - none
   */
  readonly env?: k8s.EnvVar[];
  /**
   * The Hugging Face token, as `HF_TOKEN` from a Secret key.
   * @default - no token (public models)
   */
  readonly hfTokenSecret?: SecretKeyReference;
  /**
   * Security settings; the defaults pass Pod Security `restricted`.
   * @default - restricted, UID/GID/fsGroup 1000, read-only root filesystem
   */
  readonly security?: WorkloadSecurityOptions;
  /**
   * Delay in preStop before SIGTERM, so endpoints and load balancers stop sending requests first.
   * @default Duration.seconds(15)
   */
  readonly preStopDelay?: Duration;
  /**
   * Time the engine gets after SIGTERM to finish in-flight requests: vLLM >= 0.18 gets it as
   * `--shutdown-timeout` (see `VllmOptions.shutdownTimeoutFlag`); the grace period covers it for every engine.
   * @default Duration.seconds(45)
   */
  readonly shutdownTimeout?: Duration;
  /**
   * terminationGracePeriodSeconds. Must be at least preStopDelay + shutdownTimeout + 5 s.
   * @default - preStopDelay + shutdownTimeout + 5 s
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * priorityClassName, so inference can preempt batch work.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * schedulerName (Volcano, a Kueue-managed scheduler, ...).
   * @default - the default scheduler
   */
  readonly schedulerName?: string;
}

// Every ModelServerOptions field, listed once: the mapped type makes a missing or unknown key a type error,
// so pickModelServerOptions can never silently drop a field added to the interface.
const MODEL_SERVER_OPTION_KEYS: { readonly [K in keyof ModelServerOptions]-?: true } = {
  image: true,
  allowLatestImage: true,
  model: true,
  tensorParallelSize: true,
  cpu: true,
  memory: true,
  shmSize: true,
  emptyDirModelCacheSize: true,
  maxModelLoadTime: true,
  extraArgs: true,
  env: true,
  hfTokenSecret: true,
  security: true,
  preStopDelay: true,
  shutdownTimeout: true,
  terminationGracePeriod: true,
  priorityClassName: true,
  schedulerName: true,
};

/**
 * Copies exactly the {@link ModelServerOptions} fields out of a workload's props (which extend it), for
 * passing them on to `buildModelServerPod`; the workload's other props never leak into the pod props.
 */
export function pickModelServerOptions(props: ModelServerOptions): ModelServerOptions {
  const picked: { [key: string]: unknown } = {};
  for (const key of Object.keys(MODEL_SERVER_OPTION_KEYS) as (keyof ModelServerOptions)[]) picked[key] = props[key];
  return picked as unknown as ModelServerOptions;
}

/** Everything a model-server pod needs: the shared {@link ModelServerOptions} plus the pod's own wiring. */
export interface ModelServerPodProps extends ModelServerOptions {
  /** The engine preset. */
  readonly engine: ServingEngine;
  /** Pod labels; must include the selector labels. */
  readonly labels: { [key: string]: string };
  /**
   * Pod annotations.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * GPUs per pod.
   * @default - no GPU (CPU-only pod, e.g. a router)
   */
  readonly gpu?: GpuRequest;
  /**
   * The model cache volume; `HF_HOME` points at it.
   * @default - an emptyDir under the home directory (downloaded again on every start)
   */
  readonly modelCache?: ModelCacheMount;
  /**
   * Forbid downloads (`HF_HUB_OFFLINE=1`): the model must already be in the cache.
   * @default false
   */
  readonly offline?: boolean;
  /**
   * Service account name. Its token is not mounted.
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;
  /**
   * Node placement (a tenant's pool).
   * @default - none
   */
  readonly placement?: NodePlacement;
  /**
   * Container name.
   * @default 'server'
   */
  readonly containerName?: string;
  /**
   * Image pull policy.
   * @default 'IfNotPresent' (engine images are many GiB)
   */
  readonly imagePullPolicy?: string;
  /**
   * Multi-node role (LeaderWorkerSet). Workers get no HTTP port or probes.
   * @default - single pod
   */
  readonly multiNode?: MultiNodeOptions;
  /**
   * Linux capabilities to add (for example `IPC_LOCK` for RDMA KV-cache transfer). Anything but
   * NET_BIND_SERVICE needs `security.level` BASELINE (for the baseline set) or PRIVILEGED.
   * @default - none
   */
  readonly addCapabilities?: string[];
  /**
   * Extra extended resources per pod, request = limit (for example an RDMA device `rdma/hca: 1`).
   * @default - none
   */
  readonly extraResources?: ExtendedResource[];
}

/** An extended resource request (request = limit). */
export interface ExtendedResource {
  /** The resource name, for example `rdma/hca`. */
  readonly name: string;
  /** The count, a whole number >= 1. */
  readonly count: number;
}

/** Capabilities Pod Security `baseline` allows to add (`restricted` only NET_BIND_SERVICE). */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/** The built pod template and what callers need to wire Services, policies and quota checks. */
export interface ModelServerPod {
  /** The pod template (labels, annotations, spec). */
  readonly template: k8s.PodTemplateSpec;
  /** The engine container (also inside `template`). */
  readonly container: k8s.Container;
  /** The serving port number (container port named `http`). */
  readonly port: number;
  /** The metrics port number. */
  readonly metricsPort: number;
  /** The container port name serving metrics: `metrics` when separate, else `http`. */
  readonly metricsPortName: string;
  /** The resolved GPU request, undefined for CPU-only pods. */
  readonly gpu?: GpuPlacement;
  /** GPUs per pod (0 without GPUs). */
  readonly gpuCount: number;
  /** CPU request = limit. */
  readonly cpu: Cpu;
  /** Memory request = limit. */
  readonly memory: Memory;
  /** /dev/shm size. */
  readonly shmSize: Memory;
  /** ephemeral-storage request = limit: the size-limited emptyDirs plus room for logs. */
  readonly ephemeralStorage: Storage;
  /** The tensor parallel size (= GPUs per pod). */
  readonly tensorParallelSize: number;
  /** The longest model load, in seconds. */
  readonly maxModelLoadSeconds: number;
  /** terminationGracePeriodSeconds. */
  readonly terminationGracePeriodSeconds: number;
}

/** The named port of the serving endpoint. */
export const HTTP_PORT_NAME = 'http';
/** The named port of a separate metrics endpoint. */
export const METRICS_PORT_NAME = 'metrics';
/** Margin added to preStop + shutdown so the kubelet never SIGKILLs a draining engine. */
export const DRAIN_MARGIN_SECONDS = 5;

/** The init container that proves the model cache is writable by the pod's UID (see docs/prerequisites.md). */
export const CACHE_CHECK_SCRIPT = 'f="$DIR/.write-test-$(hostname)"; if touch "$f" 2>/dev/null && rm -f "$f"; then exit 0; fi; '
  + 'echo "model cache $DIR is not writable by uid $(id -u) gid $(id -g) (groups $(id -G)): the storage class must honour fsGroup '
  + 'for ReadWriteMany volumes (CSIDriver fsGroupPolicy File) or export the volume writable for this uid/gid; see docs/prerequisites.md" >&2; exit 1';
const CHECK_RESOURCES: { [key: string]: k8s.Quantity } = {
  'cpu': k8s.Quantity.fromString('100m'), 'memory': k8s.Quantity.fromString('64Mi'), 'ephemeral-storage': k8s.Quantity.fromString('64Mi'),
};

/** Where the model downloads to when there is no model cache volume (`HF_HOME`). */
export const DOWNLOAD_DIR = '/var/cache/models';

/**
 * Tolerations without repeats: identical entries once, and an `Equal` toleration dropped when an `Exists`
 * one for the same key and effect already covers it (the GPU request's and the tenant pool's often overlap).
 */
export function dedupeTolerations(tolerations: k8s.Toleration[] | undefined): k8s.Toleration[] | undefined {
  if (!tolerations || tolerations.length === 0) return undefined;
  const out: k8s.Toleration[] = [];
  const seen = new Set<string>();
  const covered = (t: k8s.Toleration) => tolerations.some((o) => o !== t && o.operator === 'Exists' && o.key === t.key
    && (o.effect === undefined || o.effect === t.effect) && t.operator !== 'Exists');
  for (const t of tolerations) {
    const key = JSON.stringify([t.key, t.operator, t.value, t.effect, t.tolerationSeconds]);
    if (seen.has(key) || covered(t)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

const at = (prop: string, name: string): string => (prop ? `${prop}.${name}` : name);
const TOKEN_VARS = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACEHUB_API_TOKEN'];

function seconds(scope: IConstruct, prop: string, d: Duration | undefined, dflt: number, min: number): number {
  const s = d === undefined ? dflt : d.toSeconds();
  if (!Number.isInteger(s) || s < min) fail(scope, prop, `${s}s`, `a whole number of seconds >= ${min}`);
  return s;
}

/**
 * Builds a model-server pod template shared by every GPU workload: engine command, GPU resources and
 * placement, probes, /dev/shm, writable /tmp and home, model cache, HF token, restricted security, and a
 * graceful drain. Throws on bad input with the construct path and prop.
 */
export function buildModelServerPod(scope: IConstruct, prop: string, props: ModelServerPodProps): ModelServerPod {
  const engine = props.engine._validate(scope, at(prop, 'engine'));
  const runtime = engine._runtime();
  const image = requirePinnedImage(scope, at(prop, 'image'), props.image, props.allowLatestImage ?? false);
  if (runtime.loadsModel && (typeof props.model !== 'string' || props.model.trim() === '')) {
    fail(scope, at(prop, 'model'), props.model, 'a model id such as "meta-llama/Llama-3.1-8B-Instruct" or a path');
  }
  if (!engine._passesModel()) {
    fail(scope, at(prop, 'engine'), `ServingEngine.generic({ name: "${engine.name}" }) whose command and args never use {model}`,
      'args that pass the model, for example args: ["--model", "{model}"] (the model would be silently dropped), or loadsModel: false for a server that loads no model');
  }
  requireLabels(scope, at(prop, 'labels'), props.labels);
  if (Object.keys(props.labels ?? {}).length === 0) fail(scope, at(prop, 'labels'), props.labels, 'at least the selector labels');

  // GPUs and tensor parallelism.
  const gpu = props.gpu ? resolveGpuRequest(scope, at(prop, 'gpu'), props.gpu) : undefined;
  const gpuCount = gpu?.count ?? 0;
  const tp = props.tensorParallelSize ?? Math.max(gpuCount, 1);
  requireInteger(scope, at(prop, 'tensorParallelSize'), tp, 1);
  if (tp !== Math.max(gpuCount, 1)) {
    fail(scope, at(prop, 'tensorParallelSize'), tp, `the GPUs per pod (gpu.count = ${gpuCount}): each tensor-parallel rank needs its own GPU`);
  }
  const multiNode = props.multiNode;
  if (multiNode) requireInteger(scope, at(prop, 'multiNode.nodes'), multiNode.nodes, 2);

  // Memory: /dev/shm (and any other in-memory dir) is charged to the memory limit, so it must fit.
  const cpu = (props.cpu ?? Cpu.cores(4)).validate(scope, at(prop, 'cpu'));
  const memory = (props.memory ?? Memory.gibibytes(32)).validate(scope, at(prop, 'memory'));
  const shmSize = (props.shmSize ?? Memory.gibibytes(8)).validate(scope, at(prop, 'shmSize'));
  if (cpu.amount <= 0) fail(scope, at(prop, 'cpu'), cpu.text, 'a CPU quantity > 0');
  if (memory.bytes <= 0) fail(scope, at(prop, 'memory'), memory.text, 'a memory quantity > 0');
  // Every path the engine writes is a size-limited emptyDir (the contract's, plus the model download dir);
  // the container requests their sum as ephemeral-storage so the scheduler places it on a node with room.
  const cache = props.modelCache;
  const downloadSize = (props.emptyDirModelCacheSize ?? Storage.gibibytes(64)).validate(scope, at(prop, 'emptyDirModelCacheSize'));
  const diskDirs = [
    ...runtime.dirs,
    ...(runtime.loadsModel && !cache ? [{ name: 'model-download', mountPath: DOWNLOAD_DIR, sizeLimit: downloadSize }] : []),
  ];
  const dirs: WritableDir[] = [
    ...diskDirs.map((d) => ({ name: d.name, mountPath: d.mountPath, sizeLimit: d.sizeLimit.toK8s() })),
    { name: 'dshm', mountPath: '/dev/shm', inMemory: true, sizeLimit: shmSize.toK8s() },
  ];
  const ephemeralMiB = Math.ceil((diskDirs.reduce((a, d) => a + d.sizeLimit.bytes, 0) + LOG_EPHEMERAL_STORAGE.bytes) / 2 ** 20);
  const ephemeralStorage = Storage.parse(`${ephemeralMiB}Mi`);
  const inMemoryBytes = shmSize.bytes;
  if (inMemoryBytes >= memory.bytes) {
    fail(scope, at(prop, 'shmSize'), shmSize.text,
      `less than the memory limit (${memory.text}): /dev/shm is RAM charged to the container, the engine needs the rest`);
  }

  // Drain: preStop sleep, then SIGTERM and the engine's shutdown timeout, all inside the grace period.
  const preStop = seconds(scope, at(prop, 'preStopDelay'), props.preStopDelay, 15, 0);
  const shutdown = seconds(scope, at(prop, 'shutdownTimeout'), props.shutdownTimeout, 45, 0);
  const needed = preStop + shutdown + DRAIN_MARGIN_SECONDS;
  const grace = seconds(scope, at(prop, 'terminationGracePeriod'), props.terminationGracePeriod, needed, 0);
  if (grace < needed) {
    fail(scope, at(prop, 'terminationGracePeriod'), `${grace}s`,
      `at least preStopDelay + shutdownTimeout + ${DRAIN_MARGIN_SECONDS}s = ${preStop}s + ${shutdown}s + ${DRAIN_MARGIN_SECONDS}s = ${needed}s, or the kubelet kills in-flight requests`);
  }

  if (props.priorityClassName !== undefined) requireDnsSubdomain(scope, at(prop, 'priorityClassName'), props.priorityClassName);
  if (props.schedulerName !== undefined) requireDnsSubdomain(scope, at(prop, 'schedulerName'), props.schedulerName);
  if (props.serviceAccountName !== undefined) requireDnsSubdomain(scope, at(prop, 'serviceAccountName'), props.serviceAccountName);
  const containerName = requireDnsLabel(scope, at(prop, 'containerName'), props.containerName ?? 'server');

  // Environment: the contract's (HOME, USER/LOGNAME for getpass, cache dirs), HF cache, token from a Secret only.
  for (const e of props.env ?? []) {
    if (TOKEN_VARS.includes(e.name) && e.value !== undefined) {
      fail(scope, at(prop, `env[${e.name}]`), '<literal token>', 'a Secret reference: set hfTokenSecret instead of a literal token');
    }
  }
  const cacheVolume = cache?.volumeName ?? 'model-cache';
  const cachePath = cache?.mountPath ?? '/models';
  if (cache) {
    requireDnsLabel(scope, at(prop, 'modelCache.volumeName'), cacheVolume);
    if (!cachePath.startsWith('/')) fail(scope, at(prop, 'modelCache.mountPath'), cachePath, 'an absolute path');
    if (cache.claimName !== undefined) requireDnsSubdomain(scope, at(prop, 'modelCache.claimName'), cache.claimName);
  }
  const env: k8s.EnvVar[] = [
    ...runtime.env.map((e) => ({ name: e.name, value: e.value })),
    ...(runtime.loadsModel ? [{ name: 'HF_HOME', value: cache ? cachePath : DOWNLOAD_DIR }] : []),
    ...(props.offline && runtime.loadsModel ? [{ name: 'HF_HUB_OFFLINE', value: '1' }] : []),
    ...(props.hfTokenSecret ? [{
      name: 'HF_TOKEN',
      valueFrom: { secretKeyRef: { name: requireDnsSubdomain(scope, at(prop, 'hfTokenSecret.name'), props.hfTokenSecret.name), key: props.hfTokenSecret.key ?? 'token' } },
    }] : []),
    ...(props.env ?? []),
  ];

  // Command.
  const serve = {
    model: props.model,
    port: engine.port,
    tensorParallelSize: tp,
    pipelineParallelSize: multiNode?.nodes,
    shutdownTimeoutSeconds: shutdown,
    extraArgs: props.extraArgs,
    image,
  };
  const cmd = multiNode ? engine._multiNodeCommand(scope, at(prop, 'engine'), serve, multiNode.role) : engine._serveCommand(serve);
  const isWorker = multiNode?.role === MultiNodeRole.WORKER;
  // Once per workload: a multi-node group's workers share the leader's image.
  const note = isWorker ? undefined : engine._imageNote(serve);
  if (note !== undefined) addWarning(scope, `${at(prop, 'image')}: ${note}`);

  const security = workloadSecurity(scope, at(prop, 'security'), props.security);
  const level = props.security?.level ?? PodSecurityLevel.RESTRICTED;
  if (runtime.nonRootBlocker && security.pod.runAsUser !== 0) {
    fail(scope, at(prop, 'security.runAsUser'), security.pod.runAsUser,
      `0 with security.level PodSecurityLevel.BASELINE (and a tenant namespace that enforces baseline): ${runtime.nonRootBlocker}; `
      + `or ServingEngine.${engine.name}({ nonRootImage: true }) for an image rebuilt to run as non-root`);
  }
  const addCaps = props.addCapabilities ?? [];
  addCaps.forEach((cap, i) => {
    const allowed = level === PodSecurityLevel.PRIVILEGED || cap === 'NET_BIND_SERVICE'
      || (level === PodSecurityLevel.BASELINE && BASELINE_CAPABILITIES.includes(cap));
    if (!allowed) {
      fail(scope, at(prop, `addCapabilities[${i}]`), cap,
        `a capability Pod Security "${level._render()}" allows (${level === PodSecurityLevel.BASELINE ? BASELINE_CAPABILITIES.join(', ') : 'NET_BIND_SERVICE'}); `
        + `${cap} needs an explicit opt-in: security: { level: PodSecurityLevel.PRIVILEGED } on the workload and podSecurity: { enforce: PodSecurityLevel.PRIVILEGED } on its TenantNamespace`);
    }
  });
  const containerSecurity: k8s.SecurityContext = addCaps.length === 0 ? security.container
    : { ...security.container, capabilities: { ...security.container.capabilities, add: [...addCaps] } };
  const extra: { [key: string]: k8s.Quantity } = {};
  (props.extraResources ?? []).forEach((r, i) => {
    requireQualifiedName(scope, at(prop, `extraResources[${i}].name`), r.name);
    requireInteger(scope, at(prop, `extraResources[${i}].count`), r.count, 1);
    extra[r.name] = k8s.Quantity.fromNumber(r.count);
  });
  const wd = writableDirs(dirs);
  const probes = modelServerProbes(scope, prop, {
    port: HTTP_PORT_NAME,
    healthPath: engine.healthPath,
    readinessPath: engine.readinessPath,
    maxModelLoadTime: props.maxModelLoadTime,
  });
  const maxModelLoadSeconds = probes.startupProbe.failureThreshold! * probes.startupProbe.periodSeconds!;
  const limits: { [key: string]: k8s.Quantity } = {
    'cpu': cpu.toK8s(), 'memory': memory.toK8s(), 'ephemeral-storage': ephemeralStorage.toK8s(), ...(gpu?.resources ?? {}), ...extra,
  };
  const ports: k8s.ContainerPort[] = isWorker ? [] : [
    { name: HTTP_PORT_NAME, containerPort: engine.port, protocol: 'TCP' },
    ...(engine._separateMetricsPort ? [{ name: METRICS_PORT_NAME, containerPort: engine.metricsPort, protocol: 'TCP' }] : []),
  ];
  const container: k8s.Container = {
    name: containerName,
    image,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    command: cmd.command.length > 0 ? cmd.command : undefined,
    args: cmd.args.length > 0 ? cmd.args : undefined,
    ports: ports.length > 0 ? ports : undefined,
    env,
    resources: { requests: limits, limits },
    securityContext: containerSecurity,
    volumeMounts: [
      ...wd.mounts,
      ...(cache ? [{ name: cacheVolume, mountPath: cachePath, readOnly: cache.readOnly ? true : undefined }] : []),
    ],
    startupProbe: isWorker ? undefined : probes.startupProbe,
    readinessProbe: isWorker ? undefined : probes.readinessProbe,
    livenessProbe: isWorker ? undefined : probes.livenessProbe,
    lifecycle: preStop > 0 ? { preStop: { exec: { command: ['sleep', String(preStop)] } } } : undefined,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  // A shared (RWX) cache is only writable by the UID when the volume honours fsGroup or is exported for it;
  // under the default CSIDriver fsGroupPolicy ReadWriteOnceWithFSType the kubelet skips fsGroup for RWX
  // volumes. Fail the pod at start with the reason instead of a download error deep in the engine.
  const cacheCheck: k8s.Container[] = cache && !cache.readOnly && runtime.shell ? [{
    name: 'check-model-cache',
    image,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    // `$$(` so the kubelet, which expands `$(VAR)` in commands, hands the shell a literal `$(`.
    command: ['sh', '-c', CACHE_CHECK_SCRIPT.split('$DIR').join(cachePath).split('$(').join('$$(')],
    resources: { requests: CHECK_RESOURCES, limits: CHECK_RESOURCES },
    securityContext: security.container,
    volumeMounts: [{ name: cacheVolume, mountPath: cachePath }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  }] : [];
  let spec: k8s.PodSpec = {
    initContainers: cacheCheck.length > 0 ? cacheCheck : undefined,
    containers: [container],
    volumes: [
      ...wd.volumes,
      ...(cache?.claimName ? [{ name: cacheVolume, persistentVolumeClaim: { claimName: cache.claimName, readOnly: cache.readOnly ? true : undefined } }] : []),
    ],
    securityContext: security.pod,
    automountServiceAccountToken: false,
    // Service links would inject e.g. VLLM_PORT=tcp://... for a Service named "vllm", which vLLM misreads.
    enableServiceLinks: false,
    serviceAccountName: props.serviceAccountName,
    terminationGracePeriodSeconds: grace,
    priorityClassName: props.priorityClassName,
    schedulerName: props.schedulerName,
  };
  spec = applyGpuPlacement(spec, gpu);
  spec = applyPlacement(spec, props.placement);
  spec = { ...spec, tolerations: dedupeTolerations(spec.tolerations) };

  return {
    template: { metadata: { labels: { ...props.labels }, annotations: props.annotations }, spec },
    container,
    port: engine.port,
    metricsPort: engine.metricsPort,
    metricsPortName: engine._separateMetricsPort ? METRICS_PORT_NAME : HTTP_PORT_NAME,
    gpu,
    gpuCount,
    cpu,
    memory,
    shmSize,
    ephemeralStorage,
    tensorParallelSize: tp,
    maxModelLoadSeconds,
    terminationGracePeriodSeconds: grace,
  };
}
