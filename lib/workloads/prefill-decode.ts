import { Autoscaling } from '../inference/autoscaling';
import { Cpu, Memory } from '../core/quantity';
import { ITenant } from '../core/tenant';
import { ServingEngine } from '../serving/engine';
import { GpuRequest } from '../serving/gpu';
import { ModelCacheMount, ModelServerOptions, pickModelServerOptions } from '../serving/model-server-pod';
import { GangSchedulingOptions } from './gang-scheduling';
import { RoleProps, RoleWorkload } from './role';
import type { RbgApiVersion, RbgMode, RoleBasedGroupProps } from './role-based-group';

/** One engine role (prefill or decode) of the prefill/decode preset. */
export interface PrefillDecodeRoleOptions {
  /**
   * Role instances.
   * @default 1
   */
  readonly replicas?: number;
  /** GPUs per pod. */
  readonly gpu: GpuRequest;
  /**
   * Pods per instance; more than 1 makes the role a LeaderWorkerSet (multi-node tensor parallel).
   * @default 1
   */
  readonly nodes?: number;
  /**
   * CPU per pod of this role, overriding the group's `cpu`.
   * @default - the group's `cpu`
   */
  readonly cpu?: Cpu;
  /**
   * Memory per pod of this role, overriding the group's `memory`.
   * @default - the group's `memory`
   */
  readonly memory?: Memory;
  /**
   * Extra engine args for this role, appended after the group's `extraArgs`.
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * Autoscaling. The preset's router lists instances statically, so scaled-out instances need a router with
   * service discovery.
   * @default - fixed replicas
   */
  readonly autoscaling?: Autoscaling;
}

/**
 * Props of {@link RoleBasedGroup.prefillDecode}. The engine pods' settings (image, model, cpu, memory, shmSize,
 * extraArgs, env, hfTokenSecret, security, drain timings, ...) come from {@link ModelServerOptions} and apply to
 * both prefill and decode; `prefill` / `decode` override cpu and memory and add args per role.
 */
export interface PrefillDecodeProps extends ModelServerOptions {
  /** The group name. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * The tenant.
   * @default - none
   */
  readonly tenant?: ITenant;
  /** The engine: `ServingEngine.sglang()` or `ServingEngine.vllm()`. */
  readonly engine: ServingEngine;
  /**
   * The router image, pinned: `lmsysorg/sglang-router` for SGLang (`python3 -m sglang_router.launch_router`),
   * the vLLM router (`vllm-router`, github.com/vllm-project/router) for vLLM.
   */
  readonly routerImage: string;
  /**
   * The model cache volume of the prefill and decode pods; `HF_HOME` points at it.
   * @default - an emptyDir (downloaded again on every start)
   */
  readonly modelCache?: ModelCacheMount;
  /**
   * Forbid downloads (`HF_HUB_OFFLINE=1`): the model must already be in the cache.
   * @default false
   */
  readonly offline?: boolean;
  /**
   * Service account of the prefill and decode pods (its token is not mounted).
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;
  /** The prefill role. */
  readonly prefill: PrefillDecodeRoleOptions;
  /** The decode role. */
  readonly decode: PrefillDecodeRoleOptions;
  /**
   * Router replicas.
   * @default 1
   */
  readonly routerReplicas?: number;
  /**
   * The router's port.
   * @default 8000
   */
  readonly routerPort?: number;
  /**
   * KV-cache transfer backend: SGLang `--disaggregation-transfer-backend` (`mooncake`, `nixl`), or the vLLM
   * `kv_connector` (`NixlConnector`, ...).
   * @default "mooncake" for SGLang, "NixlConnector" for vLLM
   */
  readonly transferBackend?: string;
  /**
   * Gang scheduling of the whole group.
   * @default - none
   */
  readonly gangScheduling?: GangSchedulingOptions;
  /**
   * API version (controller mode).
   * @default RbgApiVersion.V1ALPHA1
   */
  readonly apiVersion?: RbgApiVersion;
  /**
   * Controller or native mode.
   * @default RbgMode.CONTROLLER
   */
  readonly mode?: RbgMode;
  /**
   * `app.kubernetes.io/part-of`.
   * @default - not set
   */
  readonly partOf?: string;
}

/** SGLang's default disaggregation bootstrap port (prefill side). */
export const SGLANG_BOOTSTRAP_PORT = 8998;
/** The router's Prometheus port (sglang-router `--prometheus-port`). */
export const ROUTER_METRICS_PORT = 29000;

/**
 * The in-namespace address of instance `i` of a role: a StatefulSet pod under the controller's headless
 * Service `s-<group>-<role>`, or an LWS leader pod under the LWS Service `<group>-<role>`.
 */
function instanceUrl(group: string, role: string, lws: boolean, i: number, port: number): string {
  const workload = `${group}-${role}`;
  return `http://${workload}-${i}.${lws ? workload : `s-${workload}`}:${port}`;
}

/** Builds the RoleBasedGroup props of the prefill/decode preset. */
export function prefillDecodeGroupProps(props: PrefillDecodeProps): RoleBasedGroupProps {
  const sglang = props.engine.name === 'sglang';
  const engine = props.engine;
  const routerPort = props.routerPort ?? 8000;
  const p = { replicas: props.prefill.replicas ?? 1, nodes: props.prefill.nodes ?? 1 };
  const d = { replicas: props.decode.replicas ?? 1, nodes: props.decode.nodes ?? 1 };
  const backend = props.transferBackend ?? (sglang ? 'mooncake' : 'NixlConnector');

  const engineArgs = (mode: 'prefill' | 'decode'): string[] => sglang
    ? ['--disaggregation-mode', mode, '--disaggregation-transfer-backend', backend,
      ...(mode === 'prefill' ? ['--disaggregation-bootstrap-port', String(SGLANG_BOOTSTRAP_PORT)] : [])]
    // vLLM: both sides run the same connector; the router's two-stage request picks prefill, then decode.
    : ['--kv-transfer-config', JSON.stringify({ kv_connector: backend, kv_role: 'kv_both' })];

  const engineRole = (name: 'prefill' | 'decode', o: PrefillDecodeRoleOptions, nodes: number): RoleProps => ({
    name,
    replicas: o.replicas ?? 1,
    workload: nodes > 1 ? RoleWorkload.LEADER_WORKER_SET : RoleWorkload.STATEFUL_SET,
    leaderWorkerSet: nodes > 1 ? { size: nodes } : undefined,
    server: {
      // The shared ModelServerOptions pass through as given; the role overrides and the preset's args on top.
      ...pickModelServerOptions(props),
      engine,
      labels: {},
      gpu: o.gpu,
      cpu: o.cpu ?? props.cpu,
      memory: o.memory ?? props.memory,
      extraArgs: [...engineArgs(name), ...(props.extraArgs ?? []), ...(o.extraArgs ?? [])],
      modelCache: props.modelCache,
      offline: props.offline,
      serviceAccountName: props.serviceAccountName,
    },
    servicePorts: [
      { name: 'http', port: engine.port },
      ...(sglang && name === 'prefill' ? [{ name: 'bootstrap', port: SGLANG_BOOTSTRAP_PORT }] : []),
    ],
    autoscaling: o.autoscaling,
  });

  const prefillUrls = Array.from({ length: p.replicas }, (_, i) => instanceUrl(props.name, 'prefill', p.nodes > 1, i, engine.port));
  const decodeUrls = Array.from({ length: d.replicas }, (_, i) => instanceUrl(props.name, 'decode', d.nodes > 1, i, engine.port));
  const routerArgs = sglang
    ? [
      '--pd-disaggregation',
      ...prefillUrls.flatMap((u) => ['--prefill', u, String(SGLANG_BOOTSTRAP_PORT)]),
      ...decodeUrls.flatMap((u) => ['--decode', u]),
      '--host', '0.0.0.0', '--port', String(routerPort),
      '--prometheus-host', '0.0.0.0', '--prometheus-port', String(ROUTER_METRICS_PORT),
    ]
    : [
      '--vllm-pd-disaggregation',
      ...prefillUrls.flatMap((u) => ['--prefill', u]),
      ...decodeUrls.flatMap((u) => ['--decode', u]),
      '--host', '0.0.0.0', '--port', String(routerPort),
      '--prometheus-host', '0.0.0.0', '--prometheus-port', String(ROUTER_METRICS_PORT),
    ];
  const routerEngine = ServingEngine.generic({
    name: sglang ? 'sglang-router' : 'vllm-router',
    port: routerPort,
    command: sglang ? ['python3', '-m', 'sglang_router.launch_router'] : ['vllm-router'],
    args: routerArgs,
    healthPath: '/health',
    metricsPort: ROUTER_METRICS_PORT,
  });

  const router: RoleProps = {
    name: 'router',
    replicas: props.routerReplicas ?? 1,
    workload: RoleWorkload.DEPLOYMENT,
    // The router lists prefill and decode instances, so it starts once they are Ready.
    dependencies: ['prefill', 'decode'],
    server: {
      image: props.routerImage,
      model: props.model,
      engine: routerEngine,
      labels: {},
      cpu: Cpu.cores(2),
      memory: Memory.gibibytes(4),
      shmSize: Memory.mebibytes(64),
      // The router loads no model and needs no token: only the image pinning rule and security carry over.
      allowLatestImage: props.allowLatestImage,
      security: props.security,
    },
  };

  return {
    name: props.name,
    namespace: props.namespace,
    tenant: props.tenant,
    partOf: props.partOf,
    apiVersion: props.apiVersion,
    mode: props.mode,
    gangScheduling: props.gangScheduling,
    roles: [router, engineRole('prefill', props.prefill, p.nodes), engineRole('decode', props.decode, d.nodes)],
    router: { role: 'router' },
  };
}
