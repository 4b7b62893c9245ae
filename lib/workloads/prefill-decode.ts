import { Construct, IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { checkArg, object } from '../core/validate';
import { PodSecurityLevel } from '../core/security';
import * as pm from '../../imports/podmonitor-monitoring.coreos.com';
import { k8s } from '../core/k8s';
import { Labels, standardLabels } from '../core/labels';
import { requireLabels } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { Autoscaling } from '../inference/autoscaling';
import { Cpu, Memory } from '../core/quantity';
import { ITenant } from '../core/tenant';
import { ServingEngine } from '../serving/engine';
import { GpuRequest } from '../serving/gpu';
import { ExtendedResource, ModelCacheMount, ModelServerOptions, pickModelServerOptions } from '../serving/model-server-pod';
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
 * Props of `RoleBasedGroup.prefillDecode`. The engine pods' settings (image, model, cpu, memory, shmSize,
 * extraArgs, env, hfTokenSecret, security, drain timings, ...) come from {@link ModelServerOptions} and apply to
 * both prefill and decode; `prefill` / `decode` override cpu and memory and add args per role.
 */
export interface PrefillDecodeProps extends ModelServerOptions {
  /** The group name. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
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
   * How prefill hands the KV cache to decode. NIXL (the default) runs over TCP when the nodes have no RDMA
   * and uses RDMA when they do; Mooncake (SGLang only) needs RDMA: an RDMA device resource, `IPC_LOCK`
   * and so an explicit Pod Security `privileged` opt-in (`security.level` and the tenant's `podSecurity`).
   * @default KvTransfer.nixl()
   */
  readonly kvTransfer?: KvTransfer;
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
  /**
   * Prometheus Operator PodMonitors for the group: the engines' `/metrics` on their `http` port and the
   * router's on its `metrics` port (29000). The tenant's NetworkPolicy must admit Prometheus on both ports.
   * @default - no monitors
   */
  readonly podMonitor?: PrefillDecodeMonitorOptions;
}

/** The PodMonitors of a prefill/decode group. */
export interface PrefillDecodeMonitorOptions {
  /**
   * Labels on the PodMonitors (the Prometheus CR selects monitors by them, e.g. `release: prometheus`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** RDMA settings of a KV-cache transfer backend. */
export interface RdmaOptions {
  /**
   * The extended resource the RDMA device plugin advertises, one per pod (for example `rdma/hca` of the
   * k8s-rdma-shared-dev-plugin, or `rdma/rdma_shared_device_a` of the NVIDIA Network Operator). The device
   * plugin mounts the InfiniBand devices (/dev/infiniband) into the pod.
   */
  readonly resourceName: string;
  /**
   * InfiniBand device(s) for SGLang's `--disaggregation-ib-device` (for example `mlx5_0`, or `mlx5_0,mlx5_1`).
   * @default - the transfer engine picks
   */
  readonly ibDevice?: string;
}

/** Options of NIXL KV-cache transfer. */
export interface NixlOptions {
  /**
   * Give the pods an RDMA device and IPC_LOCK so UCX uses RDMA instead of TCP. Needs the explicit Pod Security
   * `privileged` opt-in (IPC_LOCK is not in `baseline`).
   * @default - no RDMA: UCX over TCP
   */
  readonly rdma?: RdmaOptions;
}

/**
 * The KV-cache transfer backend of a prefill/decode group, with what each needs from the pods.
 *
 * Pinned SGLang (v0.5.x): `--disaggregation-transfer-backend` is `mooncake` or `nixl` (plus `ascend` for NPUs and
 * `fake` for tests). Its Mooncake engine initializes the transfer engine with the protocol hard-coded to
 * `"rdma"` (sgl-project/sglang python/sglang/srt/disaggregation/mooncake/transfer_engine.py `initialize`), so it
 * cannot run without RDMA devices, and registering GPU memory with the NIC needs IPC_LOCK (the RBG SGLang PD
 * example requests `rdma/hca`; SGLang's LWS PD examples add IPC_LOCK). Its NIXL connector creates a default
 * `nixl_agent` (UCX backend; python/sglang/srt/disaggregation/nixl/conn.py), and UCX falls back to TCP when no
 * RDMA device is present; the lmsysorg/sglang image ships `nixl` (docker/Dockerfile). vLLM: `NixlConnector`
 * through `--kv-transfer-config`.
 */
export class KvTransfer {
  /** NIXL (UCX): TCP without RDMA devices, RDMA with `rdma`. Works under Pod Security `restricted` without RDMA. */
  public static nixl(options: NixlOptions = {}): KvTransfer {
    checkArg('KvTransfer.nixl', 'options', options, object('an object of NixlOptions'));
    return new KvTransfer('nixl', 'NixlConnector', options.rdma);
  }

  /** Mooncake (SGLang only): RDMA required, so an RDMA device resource, IPC_LOCK and the `privileged` opt-in. */
  public static mooncake(rdma: RdmaOptions): KvTransfer {
    checkArg('KvTransfer.mooncake', 'rdma', rdma, object('an object of RdmaOptions (the RDMA device resource)'));
    return new KvTransfer('mooncake', undefined, rdma);
  }

  private constructor(
    private readonly sglangBackend: string,
    private readonly vllmConnector: string | undefined,
    private readonly rdma: RdmaOptions | undefined,
  ) {}

  /**
   * Validates the choice for an engine and returns its args and pod requirements.
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string, sglang: boolean): ResolvedKvTransfer {
    if (!sglang && this.vllmConnector === undefined) {
      fail(scope, prop, `KvTransfer.${this.sglangBackend}()`, 'KvTransfer.nixl() with vLLM (NixlConnector); Mooncake is offered for SGLang only');
    }
    if (this.rdma !== undefined) {
      const r = this.rdma;
      if (typeof r.resourceName !== 'string' || !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(r.resourceName) || !r.resourceName.includes('/')) {
        fail(scope, `${prop}.rdma.resourceName`, r.resourceName, 'an extended resource name such as "rdma/hca" (domain/name)');
      }
      if (r.ibDevice !== undefined && !/^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$/.test(r.ibDevice)) {
        fail(scope, `${prop}.rdma.ibDevice`, r.ibDevice, 'InfiniBand device names such as "mlx5_0" or "mlx5_0,mlx5_1"');
      }
    }
    const args = (mode: 'prefill' | 'decode'): string[] => sglang
      ? ['--disaggregation-mode', mode, '--disaggregation-transfer-backend', this.sglangBackend,
        ...(mode === 'prefill' ? ['--disaggregation-bootstrap-port', String(SGLANG_BOOTSTRAP_PORT)] : []),
        ...(this.rdma?.ibDevice ? ['--disaggregation-ib-device', this.rdma.ibDevice] : [])]
      // vLLM: both sides run the same connector; the router's two-stage request picks prefill, then decode.
      : ['--kv-transfer-config', JSON.stringify({ kv_connector: this.vllmConnector, kv_role: 'kv_both' })];
    return {
      name: this.sglangBackend,
      args,
      capabilities: this.rdma ? ['IPC_LOCK'] : [],
      resources: this.rdma ? [{ name: this.rdma.resourceName, count: 1 }] : [],
    };
  }
}

/** A validated KV transfer choice. */
export interface ResolvedKvTransfer {
  readonly name: string;
  readonly args: (mode: 'prefill' | 'decode') => string[];
  readonly capabilities: string[];
  readonly resources: ExtendedResource[];
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

/**
 * The group's PodMonitors: engines (prefill, decode) on `http`, the router on `metrics`. Selected by the
 * construct's own labels (instance + component), never the controller's.
 */
export function addPrefillDecodeMonitors(scope: Construct, name: string, namespace: string, metricsPath: string, options: PrefillDecodeMonitorOptions): pm.PodMonitor[] {
  requireLabels(scope, 'podMonitor.labels', options.labels);
  const monitor = (id: string, suffix: string, components: string[], port: string, path: string): pm.PodMonitor => {
    const m = new pm.PodMonitor(scope, id, {
      metadata: { name: `${name}-${suffix}`, namespace, labels: { ...standardLabels({ name, instance: name }), ...options.labels } },
      spec: {
        selector: { matchLabels: { [Labels.INSTANCE]: name }, matchExpressions: [{ key: Labels.COMPONENT, operator: 'In', values: components }] },
        namespaceSelector: { matchNames: [namespace] },
        podMetricsEndpoints: [{ port, path }],
      },
    });
    setSyncWave(m, SyncWave.CONFIG);
    return m;
  };
  return [
    monitor('EnginePodMonitor', 'engines', ['prefill', 'decode'], 'http', metricsPath),
    monitor('RouterPodMonitor', 'router', ['router'], 'metrics', '/metrics'),
  ];
}

/**
 * RDMA needs IPC_LOCK, which Pod Security `restricted` and `baseline` forbid: the workload must say
 * `security.level` PRIVILEGED, and a TenantNamespace tenant must enforce `privileged` too, or the API server
 * refuses the pods. Both are checked here, with the fix in the message.
 */
function requirePrivilegedOptIn(scope: IConstruct, props: PrefillDecodeProps, kv: ResolvedKvTransfer): void {
  const how = 'an explicit opt-in: security: { level: PodSecurityLevel.PRIVILEGED } on the group and podSecurity: { enforce: PodSecurityLevel.PRIVILEGED } on its TenantNamespace';
  if ((props.security?.level ?? PodSecurityLevel.RESTRICTED) !== PodSecurityLevel.PRIVILEGED) {
    fail(scope, 'security.level', (props.security?.level ?? PodSecurityLevel.RESTRICTED)._render(),
      `"privileged" for KV transfer over RDMA (${kv.name} needs ${kv.capabilities.join(', ')}, which restricted and baseline forbid): ${how}`);
  }
  const tenantLevel = (props.tenant as { podSecurityLevel?: PodSecurityLevel } | undefined)?.podSecurityLevel;
  if (tenantLevel !== undefined && tenantLevel !== PodSecurityLevel.PRIVILEGED) {
    fail(scope, 'tenant', `${props.tenant!.tenantName} (Pod Security enforce "${tenantLevel._render()}")`,
      `a tenant whose namespace enforces "privileged" for KV transfer over RDMA (${kv.capabilities.join(', ')}): ${how}`);
  }
}

/** Builds the RoleBasedGroup props of the prefill/decode preset; errors name `scope`. */
export function prefillDecodeGroupProps(props: PrefillDecodeProps, scope: IConstruct): RoleBasedGroupProps {
  const sglang = props.engine._preset === 'sglang';
  const engine = props.engine;
  const routerPort = props.routerPort ?? 8000;
  const p = { replicas: props.prefill.replicas ?? 1, nodes: props.prefill.nodes ?? 1 };
  const d = { replicas: props.decode.replicas ?? 1, nodes: props.decode.nodes ?? 1 };
  const kv = (props.kvTransfer ?? KvTransfer.nixl())._resolve(scope, 'kvTransfer', sglang);
  if (kv.capabilities.length > 0) requirePrivilegedOptIn(scope, props, kv);
  const engineArgs = kv.args;

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
      addCapabilities: kv.capabilities.length > 0 ? kv.capabilities : undefined,
      extraResources: kv.resources.length > 0 ? kv.resources : undefined,
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
  // The router loads no model: it gets no model cache, token or download dir.
  const routerEngine = sglang
    ? ServingEngine._sglangRouter(routerPort, ROUTER_METRICS_PORT, routerArgs)
    : ServingEngine.generic({
      name: 'vllm-router', port: routerPort, command: ['vllm-router'], args: routerArgs, healthPath: '/health',
      metricsPort: ROUTER_METRICS_PORT, loadsModel: false,
    });

  const router: RoleProps = {
    name: 'router',
    replicas: props.routerReplicas ?? 1,
    workload: RoleWorkload.DEPLOYMENT,
    // The router lists prefill and decode instances, so it starts once they are Ready.
    dependencies: ['prefill', 'decode'],
    // CPU only: it does not take room on the tenant's GPU pool.
    tenantPlacement: false,
    // The Service port for clients, and the metrics port so monitors and policies can name it.
    servicePorts: [
      { name: 'http', port: routerPort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
      { name: 'metrics', port: ROUTER_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
    ],
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
