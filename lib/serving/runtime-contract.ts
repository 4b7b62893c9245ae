import { Storage } from '../core/quantity';

/**
 * What an engine image needs from its pod to start and run as a non-root UID under Pod Security
 * `restricted` with a read-only root filesystem. Each preset's contract cites the upstream source it was
 * read from; `buildModelServerPod` renders it (env, emptyDirs with size limits, ephemeral-storage).
 */
export interface EngineRuntimeContract {
  /** The image's own user (the Dockerfile's USER, root when there is none), for docs and messages. */
  readonly imageUser: string;
  /**
   * Why the image cannot run as a non-root UID at all, when it cannot (for example its Python lives under
   * /root, mode 0700). Undefined when setting the contract's env and writable dirs is enough.
   */
  readonly nonRootBlocker?: string;
  /** Writable directories (besides /dev/shm and the model cache), each an emptyDir with this size limit. */
  readonly dirs: EngineWritableDir[];
  /** Environment the image needs as a non-root UID without a passwd entry (cache locations, user name). */
  readonly env: ContractEnv[];
  /** Whether the engine downloads and loads a model (the HF cache, token and offline mode apply). */
  readonly loadsModel: boolean;
  /** Whether the image has `/bin/sh` (Ubuntu-based images), so a pod can run a shell check before the engine. */
  readonly shell: boolean;
  /** How the engine reacts to SIGTERM, for docs. */
  readonly shutdown: string;
  /** Upstream sources the contract was read from: `repo file @ version`. */
  readonly sources: string[];
}

/** One writable directory of a contract. */
export interface EngineWritableDir {
  /** Volume name. */
  readonly name: string;
  /** Mount path. */
  readonly mountPath: string;
  /** emptyDir sizeLimit; the container's ephemeral-storage request counts it. */
  readonly sizeLimit: Storage;
}

/** A literal env var of a contract. */
export interface ContractEnv {
  readonly name: string;
  readonly value: string;
}

/** The writable home directory (read-only root filesystem). */
export const HOME_DIR = '/home/serving';
/** The user name `getpass.getuser()` returns (USER / LOGNAME), for a UID that has no passwd entry. */
export const USER_NAME = 'serving';
/** Room for container logs on top of the emptyDirs in the ephemeral-storage request. */
export const LOG_EPHEMERAL_STORAGE = Storage.gibibytes(1);

/**
 * The env every Python engine gets. CPython's `getpass.getuser()` reads LOGNAME, USER, LNAME, USERNAME before
 * falling back to `pwd.getpwuid()`, which raises KeyError for a UID without a passwd entry (python/cpython
 * Lib/getpass.py, 3.10-3.12). PyTorch calls it for its inductor cache unless TORCHINDUCTOR_CACHE_DIR is set
 * (pytorch/pytorch torch/_inductor/runtime/cache_dir_utils.py `default_cache_dir`). XDG_CACHE_HOME roots the
 * vLLM cache (vllm-project/vllm vllm/envs.py `get_default_cache_root`), the HF hub and flashinfer's JIT cache;
 * Triton caches under `~/.triton` (Path.home()), hence HOME.
 */
function pythonEnv(): ContractEnv[] {
  return [
    { name: 'HOME', value: HOME_DIR },
    { name: 'USER', value: USER_NAME },
    { name: 'LOGNAME', value: USER_NAME },
    { name: 'XDG_CACHE_HOME', value: `${HOME_DIR}/.cache` },
    { name: 'TORCHINDUCTOR_CACHE_DIR', value: `${HOME_DIR}/.cache/torchinductor` },
    { name: 'TRITON_CACHE_DIR', value: `${HOME_DIR}/.triton/cache` },
  ];
}

function dirs(tmp: Storage, home: Storage): EngineWritableDir[] {
  return [
    { name: 'tmp', mountPath: '/tmp', sizeLimit: tmp },
    { name: 'home', mountPath: HOME_DIR, sizeLimit: home },
  ];
}

/**
 * vLLM (`vllm/vllm-openai`). The vllm-openai stage has no USER (root) and `ENTRYPOINT ["vllm", "serve"]`
 * (vllm-project/vllm docker/Dockerfile, read at dead20ba; unchanged through v0.18). Writes: ~/.cache/vllm
 * (torch.compile cache, `VLLM_CACHE_ROOT` from XDG_CACHE_HOME, vllm/envs.py), Triton and flashinfer JIT
 * caches under HOME (a few GiB after CUDA-graph capture and compilation), /tmp (Ray's session dir
 * /tmp/ray in multi-node mode). Serves /health and /metrics on the API port (vllm/entrypoints/openai/api_server.py).
 */
export const VLLM_CONTRACT: EngineRuntimeContract = {
  imageUser: 'root (no USER in the vllm-openai stage)',
  dirs: dirs(Storage.gibibytes(8), Storage.gibibytes(16)),
  env: pythonEnv(),
  loadsModel: true,
  shell: true,
  shutdown: 'SIGTERM stops the server; vLLM >= 0.18 drains in-flight requests for --shutdown-timeout seconds first',
  sources: [
    'vllm-project/vllm docker/Dockerfile (vllm-openai stage) @ dead20ba',
    'vllm-project/vllm vllm/envs.py get_default_cache_root',
    'pytorch/pytorch torch/_inductor/runtime/cache_dir_utils.py',
    'python/cpython Lib/getpass.py getuser',
  ],
};

/**
 * SGLang (`lmsysorg/sglang`). No USER (root), WORKDIR /sgl-workspace/sglang, system Python 3.12 under
 * /usr (readable by any UID), mooncake-transfer-engine and nixl installed (sgl-project/sglang
 * docker/Dockerfile, SGL_VERSION 0.5.5 at 004740a9; the v0.5.3 image has the same layout). Writes: flashinfer
 * and Triton JIT caches, the torch inductor cache, outlines/xgrammar caches under HOME, /tmp.
 */
export const SGLANG_CONTRACT: EngineRuntimeContract = {
  imageUser: 'root (no USER in docker/Dockerfile)',
  dirs: dirs(Storage.gibibytes(8), Storage.gibibytes(16)),
  env: [...pythonEnv(), { name: 'FLASHINFER_WORKSPACE_BASE', value: HOME_DIR }],
  loadsModel: true,
  shell: true,
  shutdown: 'SIGTERM stops the server; in-flight requests are aborted, so preStop drains the endpoints first',
  sources: [
    'sgl-project/sglang docker/Dockerfile @ 004740a9 (SGL_VERSION 0.5.5)',
    'pytorch/pytorch torch/_inductor/runtime/cache_dir_utils.py',
    'python/cpython Lib/getpass.py getuser',
  ],
};

/**
 * TGI (`ghcr.io/huggingface/text-generation-inference`). No USER (root); `ENV HF_HOME=/data PORT=80`;
 * entrypoint /tgi-entrypoint.sh (`ldconfig`, activates /usr/src/.venv, execs the launcher). The venv's Python
 * is installed by `uv python install` as root into /root/.local/share/uv/python and the image's
 * LD_LIBRARY_PATH points there (huggingface/text-generation-inference Dockerfile @ v3.3.7); /root is 0700 in
 * the Ubuntu base image, so a non-root UID cannot execute the shards' Python. The launcher listens on
 * `--port` (env PORT), serves /health and /metrics there and Prometheus on `--prometheus-port` 9000, shards
 * talk over /tmp/text-generation-server-<rank> sockets, and SIGTERM gives shards
 * `--graceful-termination-timeout` (90 s) (launcher/src/main.rs @ v3.3.7).
 */
export const TGI_CONTRACT: EngineRuntimeContract = {
  imageUser: 'root (no USER in the Dockerfile)',
  nonRootBlocker: 'the image installs its Python under /root/.local/share/uv/python (mode 0700 in the Ubuntu base), '
    + 'so the shards cannot start as a non-root UID (huggingface/text-generation-inference Dockerfile @ v3.3.7)',
  dirs: dirs(Storage.gibibytes(4), Storage.gibibytes(8)),
  env: pythonEnv(),
  loadsModel: true,
  shell: true,
  shutdown: 'SIGTERM: the launcher stops the router, then gives each shard --graceful-termination-timeout (default 90 s)',
  sources: [
    'huggingface/text-generation-inference Dockerfile @ v3.3.7',
    'huggingface/text-generation-inference tgi-entrypoint.sh @ v3.3.7',
    'huggingface/text-generation-inference launcher/src/main.rs @ v3.3.7',
    'huggingface/text-generation-inference router/src/server.rs @ v3.3.7',
  ],
};

/**
 * The SGLang router (`lmsysorg/sglang-router`): Rust, launched by `python3 -m sglang_router.launch_router` from a
 * venv in /opt/venv with Python under /opt/uv/python (readable by any UID); no USER (sgl-project/sglang
 * docker/Dockerfile.router @ 157f6443). Loads no model; metrics on its own Prometheus port.
 */
export const SGLANG_ROUTER_CONTRACT: EngineRuntimeContract = {
  imageUser: 'root (no USER in docker/Dockerfile.router)',
  dirs: dirs(Storage.parse('256Mi'), Storage.parse('256Mi')),
  env: [{ name: 'HOME', value: HOME_DIR }, { name: 'USER', value: USER_NAME }, { name: 'LOGNAME', value: USER_NAME }],
  loadsModel: false,
  shell: false,
  shutdown: 'SIGTERM stops the router; clients retry against the other replicas',
  sources: ['sgl-project/sglang docker/Dockerfile.router @ 157f6443'],
};

/** Any other server: HOME, USER and LOGNAME set, /tmp and HOME writable; nothing else is known. */
export function genericContract(loadsModel: boolean): EngineRuntimeContract {
  return {
    imageUser: 'unknown',
    dirs: dirs(Storage.gibibytes(2), Storage.gibibytes(4)),
    env: pythonEnv(),
    loadsModel,
    shell: false,
    shutdown: 'unknown: the grace period covers preStopDelay + shutdownTimeout',
    sources: [],
  };
}
