import { IConstruct } from 'constructs';
import { fail, requirePort } from '../core/errors';
import { checkArg, object } from '../core/validate';
import { imageTag } from './image';
import {
  EngineRuntimeContract, genericContract, SGLANG_CONTRACT, SGLANG_ROUTER_CONTRACT, TGI_CONTRACT, VLLM_CONTRACT,
} from './runtime-contract';

/** The env vars the LeaderWorkerSet controller injects into every pod of a group. */
export class LwsEnv {
  /** DNS name of the group's leader pod. */
  public static readonly LEADER_ADDRESS = 'LWS_LEADER_ADDRESS';
  /** Number of pods in the group, leader included. */
  public static readonly GROUP_SIZE = 'LWS_GROUP_SIZE';
  /** Index of this pod in its group (0 = leader). */
  public static readonly WORKER_INDEX = 'LWS_WORKER_INDEX';

  /** `$(NAME)`: the kubelet expands it in command and args. */
  public static ref(name: string): string {
    return `$(${name})`;
  }

  private constructor() {}
}

/** The role of a pod in a multi-node (LeaderWorkerSet) group. */
export class MultiNodeRole {
  /** Worker index 0: serves the API. */
  public static readonly LEADER = new MultiNodeRole('leader');
  /** Every other pod: joins the leader, serves nothing. */
  public static readonly WORKER = new MultiNodeRole('worker');

  // Compared by identity; the name stays private.
  private constructor(private readonly value: string) {}

  /**
   * The value of the role label GpuInferenceService puts on the group's pods (`leader` or `worker`).
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/**
 * What the engine needs to build its serve command (ModelServer.buildPod fills it from the pod's props).
 * @internal
 */
export interface ServeOptions {
  /** The model id (Hugging Face repo id) or a local path. */
  readonly model: string;
  /** The port the server listens on. */
  readonly port: number;
  /** GPUs per pod (tensor parallel size). */
  readonly tensorParallelSize: number;
  /**
   * Nodes per model instance (pipeline parallel size for vLLM, `--nnodes` for SGLang).
   * @default 1
   */
  readonly pipelineParallelSize?: number;
  /**
   * Engine drain time after SIGTERM, in seconds, passed to engines that take it.
   * @default - not passed
   */
  readonly shutdownTimeoutSeconds?: number;
  /**
   * Extra args appended after the engine's own.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * The container image, so a preset can tell which engine version it builds args for (vLLM passes
   * `--shutdown-timeout` only to images it knows take it).
   * @default - unknown version
   */
  readonly image?: string;
}

/** vLLM's multi-node Ray helper in the image (examples/online_serving/multi-node-serving.sh, COPYed to /vllm-workspace). */
export const VLLM_RAY_SCRIPT = '/vllm-workspace/examples/online_serving/multi-node-serving.sh';

/** The first vLLM release whose `vllm serve` takes `--shutdown-timeout` (checked against the v0.18.0 CLI reference). */
export const VLLM_SHUTDOWN_TIMEOUT_SINCE = '0.18';

/**
 * The `major.minor` version in an image tag such as `v0.18.0`, `0.18.1-cu130` or `v0.18.0@sha256:...`;
 * undefined for tags that carry no version (`latest`, `nightly`, a digest only).
 */
export function imageVersion(image: string | undefined): [number, number] | undefined {
  const tag = image === undefined ? undefined : imageTag(image);
  const m = tag === undefined ? null : /^v?(\d+)\.(\d+)(?:[.+-].*)?$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** True when the image tag names vLLM >= 0.18, whose `vllm serve` accepts `--shutdown-timeout`. */
export function vllmTakesShutdownTimeout(image: string | undefined): boolean {
  const v = imageVersion(image);
  const [major, minor] = VLLM_SHUTDOWN_TIMEOUT_SINCE.split('.').map(Number);
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

/**
 * A container entrypoint: `command` and `args`.
 * @internal
 */
export interface EngineCommand {
  readonly command: string[];
  readonly args: string[];
}

/** Options of the vLLM preset. */
export interface VllmOptions {
  /**
   * Pass `--shutdown-timeout <seconds>` so the engine drains in-flight requests for the configured shutdown
   * timeout instead of aborting them on SIGTERM. Only vLLM >= 0.18 takes the flag; older images exit with
   * "unrecognized arguments", so by default it is passed only when the image tag names vLLM >= 0.18
   * (`v0.18.0`, `0.19.1-cu130`). Set `true` for an image whose tag carries no version (a digest, a custom
   * build) but runs vLLM >= 0.18.
   * @default - on when the image tag is vLLM >= 0.18, off otherwise (with a warning)
   */
  readonly shutdownTimeoutFlag?: boolean;
  /**
   * Multi-node mode: `true` starts a Ray cluster across the group (leader `ray start --head`, workers join
   * `$(LWS_LEADER_ADDRESS)`), `false` uses vLLM's native multi-node mode (`--nnodes/--node-rank/--master-addr`,
   * workers `--headless`, vLLM >= 0.11).
   * @default true
   */
  readonly multiNodeRay?: boolean;
}

/** Props of a generic engine (any OpenAI-compatible server). */
export interface GenericEngineProps {
  /** A short engine name, used in labels and messages. */
  readonly name: string;
  /** The serving port. */
  readonly port: number;
  /**
   * The container command. Leave empty to use the image's entrypoint.
   * @default - the image entrypoint
   */
  readonly command?: string[];
  /**
   * The args. `{model}`, `{port}` and `{tensorParallelSize}` are replaced by the values.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Liveness and startup probe path.
   * @default '/health'
   */
  readonly healthPath?: string;
  /**
   * Readiness probe path.
   * @default - the health path
   */
  readonly readinessPath?: string;
  /**
   * Prometheus metrics path.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Port that serves metrics.
   * @default - the serving port
   */
  readonly metricsPort?: number;
  /**
   * Queue-length metric name (Prometheus), used as the default autoscaling metric.
   * @default - none
   */
  readonly queueLengthMetric?: string;
  /**
   * Whether the server loads the model itself. When true, `command` or `args` must pass it (`{model}`), so
   * the workload's `model` is never silently dropped; set false for a server that loads none (a router,
   * a proxy): it then gets no model cache, token or offline env.
   * @default true
   */
  readonly loadsModel?: boolean;
}

/** Options of the TGI preset. */
export interface TgiOptions {
  /**
   * The image is a rebuild that runs as a non-root UID. The stock TGI image keeps its Python under /root
   * (mode 0700), so by default a TGI pod must run as UID 0 (security: level BASELINE, runAsUser 0).
   * @default false
   */
  readonly nonRootImage?: boolean;
}

interface EngineSpec {
  /** The factory that made it; a generic engine's `name` is the user's and says nothing about its flags. */
  readonly preset: 'vllm' | 'sglang' | 'tgi' | 'generic' | 'sglang-router';
  readonly name: string;
  readonly port: number;
  readonly healthPath: string;
  readonly readinessPath: string;
  readonly metricsPath: string;
  readonly metricsPort?: number;
  readonly queueLengthMetric?: string;
  readonly kvCacheUsageMetric?: string;
  readonly runningRequestsMetric?: string;
  readonly supportsMultiNode: boolean;
  readonly serve: (o: ServeOptions) => EngineCommand;
  readonly multiNode?: (o: ServeOptions, role: MultiNodeRole) => EngineCommand;
  /** A warning about what the serve command leaves out for this image, if anything. */
  readonly imageNote?: (o: ServeOptions) => string | undefined;
  /** What the image needs from the pod (user, writable dirs, env, shutdown), with its sources. */
  readonly runtime: EngineRuntimeContract;
  /** Whether the serve command passes the model (false only for a generic engine that forgets it). */
  readonly passesModel: boolean;
}

const shellQuote = (s: string): string => (/^[A-Za-z0-9_./:=@%+,$()-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);

/**
 * A model-server engine preset: its port, probe paths, metrics path and metric names, and how to build
 * its serve command for one pod or for a multi-node (LeaderWorkerSet) group.
 *
 * Pass it to a workload (`engine`) or to `ModelServer.buildPod`, which build the command, probes, ports and
 * runtime settings from it. Its public members are the engine's facts, read-only, for objects you wire
 * yourself: a NetworkPolicy or Service (`port`, `metricsPort`), probes (`ModelServer.probes` with `healthPath`
 * and `readinessPath`), a scrape config (`metricsPath`), alerts or dashboards (the metric names). How it builds
 * the serve command, checks a generic engine and warns about an image is internal to the library.
 */
export class ServingEngine {
  /**
   * vLLM's OpenAI-compatible server (`vllm serve`), port 8000, `/health`, metrics on `/metrics`.
   * Queue metric `vllm:num_requests_waiting`, KV cache `vllm:kv_cache_usage_perc`.
   */
  public static vllm(options: VllmOptions = {}): ServingEngine {
    checkArg('ServingEngine.vllm', 'options', options, object('an object of VllmOptions'));
    const flag = options.shutdownTimeoutFlag;
    const useFlag = (o: ServeOptions): boolean => flag ?? vllmTakesShutdownTimeout(o.image);
    const ray = options.multiNodeRay ?? true;
    const common = (o: ServeOptions): string[] => [
      o.model,
      '--port', String(o.port),
      '--tensor-parallel-size', String(o.tensorParallelSize),
      ...((o.pipelineParallelSize ?? 1) > 1 ? ['--pipeline-parallel-size', String(o.pipelineParallelSize)] : []),
      ...(useFlag(o) && o.shutdownTimeoutSeconds !== undefined ? ['--shutdown-timeout', String(o.shutdownTimeoutSeconds)] : []),
    ];
    return new ServingEngine({
      preset: 'vllm',
      name: 'vllm',
      port: 8000,
      healthPath: '/health',
      readinessPath: '/health',
      metricsPath: '/metrics',
      queueLengthMetric: 'vllm:num_requests_waiting',
      runningRequestsMetric: 'vllm:num_requests_running',
      kvCacheUsageMetric: 'vllm:kv_cache_usage_perc',
      supportsMultiNode: true,
      runtime: VLLM_CONTRACT,
      passesModel: true,
      imageNote: (o) => (o.shutdownTimeoutSeconds && !useFlag(o) && flag === undefined
        ? `--shutdown-timeout is not passed: the image tag does not name vLLM >= ${VLLM_SHUTDOWN_TIMEOUT_SINCE}, so SIGTERM aborts in-flight requests `
          + '(set ServingEngine.vllm({ shutdownTimeoutFlag: true }) if the image runs vLLM >= 0.18)'
        : undefined),
      serve: (o) => ({ command: ['vllm', 'serve'], args: [...common(o), ...(o.extraArgs ?? [])] }),
      multiNode: (o, role) => {
        if (!ray) {
          const args = [
            ...common(o),
            '--nnodes', LwsEnv.ref(LwsEnv.GROUP_SIZE),
            '--node-rank', LwsEnv.ref(LwsEnv.WORKER_INDEX),
            '--master-addr', LwsEnv.ref(LwsEnv.LEADER_ADDRESS),
            ...(role === MultiNodeRole.WORKER ? ['--headless'] : []),
            ...(o.extraArgs ?? []),
          ];
          return { command: ['vllm', 'serve'], args };
        }
        // Ray: the leader waits until every node of the group joined, then serves; workers join and block.
        // Run through bash: the Dockerfile COPYs examples/ without setting the script's executable bit.
        const script = `bash ${VLLM_RAY_SCRIPT}`;
        if (role === MultiNodeRole.WORKER) {
          return { command: ['/bin/bash', '-c'], args: [`${script} worker --ray_address=${LwsEnv.ref(LwsEnv.LEADER_ADDRESS)}`] };
        }
        const serve = ['vllm', 'serve', ...common(o), '--distributed-executor-backend', 'ray', ...(o.extraArgs ?? [])].map(shellQuote).join(' ');
        return {
          command: ['/bin/bash', '-c'],
          args: [`${script} leader --ray_cluster_size=${LwsEnv.ref(LwsEnv.GROUP_SIZE)} && exec ${serve}`],
        };
      },
    });
  }

  /**
   * SGLang (`python3 -m sglang.launch_server`), port 30000, `/health`, metrics on `/metrics`
   * (`--enable-metrics`). Multi-node shards tensor parallelism across the group (`--tp` = GPUs per pod ×
   * nodes) with `--dist-init-addr $(LWS_LEADER_ADDRESS):20000 --nnodes --node-rank`.
   */
  public static sglang(): ServingEngine {
    const base = (o: ServeOptions, tp: number): string[] => [
      '--model-path', o.model,
      '--host', '0.0.0.0',
      '--port', String(o.port),
      '--tp', String(tp),
      '--enable-metrics',
    ];
    return new ServingEngine({
      preset: 'sglang',
      name: 'sglang',
      port: 30000,
      healthPath: '/health',
      readinessPath: '/health',
      metricsPath: '/metrics',
      queueLengthMetric: 'sglang:num_queue_reqs',
      runningRequestsMetric: 'sglang:num_running_reqs',
      kvCacheUsageMetric: 'sglang:token_usage',
      supportsMultiNode: true,
      runtime: SGLANG_CONTRACT,
      passesModel: true,
      serve: (o) => ({ command: ['python3', '-m', 'sglang.launch_server'], args: [...base(o, o.tensorParallelSize), ...(o.extraArgs ?? [])] }),
      multiNode: (o) => ({
        command: ['python3', '-m', 'sglang.launch_server'],
        args: [
          ...base(o, o.tensorParallelSize * (o.pipelineParallelSize ?? 1)),
          '--dist-init-addr', `${LwsEnv.ref(LwsEnv.LEADER_ADDRESS)}:20000`,
          '--nnodes', LwsEnv.ref(LwsEnv.GROUP_SIZE),
          '--node-rank', LwsEnv.ref(LwsEnv.WORKER_INDEX),
          ...(o.extraArgs ?? []),
        ],
      }),
    });
  }

  /**
   * Hugging Face Text Generation Inference (the image's `/tgi-entrypoint.sh`, which runs
   * `text-generation-launcher`), listening on 8080 (the image's default 80 needs root), `/health`, metrics on
   * `/metrics` of the same port. Single node only. The stock image runs only as UID 0 (see `TgiOptions`).
   */
  public static tgi(options: TgiOptions = {}): ServingEngine {
    checkArg('ServingEngine.tgi', 'options', options, object('an object of TgiOptions'));
    return new ServingEngine({
      preset: 'tgi',
      name: 'tgi',
      port: 8080,
      healthPath: '/health',
      readinessPath: '/health',
      metricsPath: '/metrics',
      queueLengthMetric: 'tgi_queue_size',
      runningRequestsMetric: 'tgi_batch_current_size',
      supportsMultiNode: false,
      runtime: options.nonRootImage ? { ...TGI_CONTRACT, nonRootBlocker: undefined } : TGI_CONTRACT,
      passesModel: true,
      serve: (o) => ({
        // The entrypoint activates the venv and execs the launcher with these args (tgi-entrypoint.sh @ v3.3.7).
        command: [],
        args: [
          '--model-id', o.model,
          '--num-shard', String(o.tensorParallelSize),
          '--hostname', '0.0.0.0',
          '--port', String(o.port),
          ...(o.shutdownTimeoutSeconds !== undefined ? ['--graceful-termination-timeout', String(o.shutdownTimeoutSeconds)] : []),
          ...(o.extraArgs ?? []),
        ],
      }),
    });
  }

  /** Any other server. Args may use `{model}`, `{port}` and `{tensorParallelSize}`. Single node only. */
  public static generic(props: GenericEngineProps): ServingEngine {
    checkArg('ServingEngine.generic', 'props', props, object('an object of GenericEngineProps'));
    const fill = (a: string, o: ServeOptions): string => a
      .split('{model}').join(o.model)
      .split('{port}').join(String(o.port))
      .split('{tensorParallelSize}').join(String(o.tensorParallelSize));
    const loadsModel = props.loadsModel ?? true;
    return new ServingEngine({
      preset: 'generic',
      name: props.name,
      port: props.port,
      healthPath: props.healthPath ?? '/health',
      readinessPath: props.readinessPath ?? props.healthPath ?? '/health',
      metricsPath: props.metricsPath ?? '/metrics',
      metricsPort: props.metricsPort,
      queueLengthMetric: props.queueLengthMetric,
      supportsMultiNode: false,
      runtime: genericContract(loadsModel),
      passesModel: !loadsModel || [...(props.command ?? []), ...(props.args ?? [])].some((a) => a.includes('{model}')),
      serve: (o) => ({ command: [...(props.command ?? [])], args: [...(props.args ?? []).map((a) => fill(a, o)), ...(o.extraArgs ?? [])] }),
    });
  }

  /**
   * The SGLang router (`python3 -m sglang_router.launch_router`, image `lmsysorg/sglang-router`), CPU only,
   * loading no model; `/health` on the serving port, metrics on `metricsPort` (`--prometheus-port`).
   * @internal
   */
  public static _sglangRouter(port: number, metricsPort: number, args: string[]): ServingEngine {
    return new ServingEngine({
      preset: 'sglang-router',
      name: 'sglang-router',
      port,
      healthPath: '/health',
      readinessPath: '/health',
      metricsPath: '/metrics',
      metricsPort,
      supportsMultiNode: false,
      runtime: SGLANG_ROUTER_CONTRACT,
      passesModel: true,
      serve: () => ({ command: ['python3', '-m', 'sglang_router.launch_router'], args: [...args] }),
    });
  }

  /** Engine name: `vllm`, `sglang`, `tgi` or the generic name (a generic engine may take any name, so it says nothing about the server's flags). */
  public readonly name: string;
  /** The port the server listens on. */
  public readonly port: number;
  /** Startup and liveness probe path. */
  public readonly healthPath: string;
  /** Readiness probe path. */
  public readonly readinessPath: string;
  /** Prometheus metrics path. */
  public readonly metricsPath: string;
  /** The port serving metrics (the serving port unless the engine has a separate one). */
  public readonly metricsPort: number;
  /** Queue length gauge (requests waiting), the usual autoscaling signal. Undefined when unknown. */
  public readonly queueLengthMetric?: string;
  /** Running requests gauge. Undefined when unknown. */
  public readonly runningRequestsMetric?: string;
  /** KV cache usage gauge (0-1). Undefined when unknown. */
  public readonly kvCacheUsageMetric?: string;
  /** Whether the engine can span several pods (LeaderWorkerSet), that is take `nodesPerReplica` above 1. */
  public readonly supportsMultiNode: boolean;

  private constructor(private readonly spec: EngineSpec) {
    this.name = spec.name;
    this.port = spec.port;
    this.healthPath = spec.healthPath;
    this.readinessPath = spec.readinessPath;
    this.metricsPath = spec.metricsPath;
    this.metricsPort = spec.metricsPort ?? spec.port;
    this.queueLengthMetric = spec.queueLengthMetric;
    this.runningRequestsMetric = spec.runningRequestsMetric;
    this.kvCacheUsageMetric = spec.kvCacheUsageMetric;
    this.supportsMultiNode = spec.supportsMultiNode;
  }

  /**
   * Which preset made the engine (`generic` for `ServingEngine.generic`, whatever its name), for constructs
   * that build preset-specific args (prefill/decode disaggregation).
   * @internal
   */
  public get _preset(): string {
    return this.spec.preset;
  }

  /**
   * True when metrics are served on their own port (`ModelServerPod.metricsPortName` tells users which one).
   * @internal
   */
  public get _separateMetricsPort(): boolean {
    return this.metricsPort !== this.port;
  }

  /**
   * Throws unless the engine's own settings are sound (generic engines take them from the user).
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): this {
    requirePort(scope, `${prop}.port`, this.port);
    requirePort(scope, `${prop}.metricsPort`, this.metricsPort);
    for (const [k, v] of [['healthPath', this.healthPath], ['readinessPath', this.readinessPath], ['metricsPath', this.metricsPath]]) {
      if (!v.startsWith('/')) fail(scope, `${prop}.${k}`, v, 'an absolute HTTP path starting with "/"');
    }
    return this;
  }

  /**
   * What the serve command leaves out for these options (for example vLLM's `--shutdown-timeout` on an
   * image whose version is unknown or older than 0.18), as a warning text; undefined when nothing.
   * @internal
   */
  public _imageNote(options: ServeOptions): string | undefined {
    return this.spec.imageNote?.(options);
  }

  /**
   * The engine's runtime contract: image user, writable dirs with size limits, env, shutdown, sources.
   * @internal
   */
  public _runtime(): EngineRuntimeContract {
    return this.spec.runtime;
  }

  /**
   * Whether the serve command passes the model (a generic engine whose args forget `{model}` does not).
   * @internal
   */
  public _passesModel(): boolean {
    return this.spec.passesModel;
  }

  /**
   * The command and args for a single-pod server.
   * @internal
   */
  public _serveCommand(options: ServeOptions): EngineCommand {
    return this.spec.serve(options);
  }

  /**
   * The command and args for one role of a multi-node group. Throws for engines without multi-node support.
   * @internal
   */
  public _multiNodeCommand(scope: IConstruct, prop: string, options: ServeOptions, role: MultiNodeRole): EngineCommand {
    if (!this.spec.multiNode) {
      fail(scope, prop, this.name, 'an engine with multi-node support: ServingEngine.vllm() or ServingEngine.sglang()');
    }
    return this.spec.multiNode(options, role);
  }
}
