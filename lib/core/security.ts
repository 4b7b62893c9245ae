import { IConstruct } from 'constructs';
import { fail, requireInteger } from './errors';
import { k8s } from './k8s';

/** A Pod Security Standards level (namespace labels and workload defaults). */
export class PodSecurityLevel {
  /** `restricted`: the hardened profile (non-root, no privilege escalation, all capabilities dropped, seccomp). */
  public static readonly RESTRICTED = new PodSecurityLevel('restricted');
  /** `baseline`: prevents known privilege escalations (no host namespaces, no privileged containers). */
  public static readonly BASELINE = new PodSecurityLevel('baseline');
  /** `privileged`: unrestricted. */
  public static readonly PRIVILEGED = new PodSecurityLevel('privileged');

  /** Parses a level name, throwing a clear error for anything else. */
  public static of(scope: IConstruct, prop: string, value: string): PodSecurityLevel {
    const level = [PodSecurityLevel.RESTRICTED, PodSecurityLevel.BASELINE, PodSecurityLevel.PRIVILEGED].find((l) => l.value === value);
    if (!level) fail(scope, prop, value, 'one of "restricted", "baseline", "privileged"');
    return level;
  }

  // The level name stays private: TenantNamespace renders it into the pod-security.kubernetes.io labels through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The level name as the `pod-security.kubernetes.io/*` labels write it.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/**
 * Security settings for a workload's pods. The defaults pass Pod Security `restricted`; leaving it takes
 * an explicit `level`.
 */
export interface WorkloadSecurityOptions {
  /**
   * The Pod Security level the pod is built for. Anything but RESTRICTED is an explicit opt-out: the pod
   * then no longer forces runAsNonRoot, and the tenant namespace must allow that level.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly level?: PodSecurityLevel;
  /**
   * UID the containers run as. Must not be 0 under `restricted`.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * GID the containers run as.
   * @default 1000
   */
  readonly runAsGroup?: number;
  /**
   * fsGroup, so mounted volumes (model caches) are writable by the UID.
   * @default 1000
   */
  readonly fsGroup?: number;
  /**
   * Mount the root filesystem read-only. Writable paths come from emptyDir volumes.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/** The pod and container security contexts for a workload (what `PodSecurityDefaults.forWorkload` returns). */
export interface WorkloadSecurityContexts {
  /** The pod security context. */
  readonly pod: k8s.PodSecurityContext;
  /** The container security context. */
  readonly container: k8s.SecurityContext;
}

/** Builds pod and container security contexts that pass `restricted` unless the user opted out. */
export function workloadSecurity(scope: IConstruct, prop: string, options: WorkloadSecurityOptions = {}): WorkloadSecurityContexts {
  const level = options.level ?? PodSecurityLevel.RESTRICTED;
  const restricted = level === PodSecurityLevel.RESTRICTED;
  const runAsUser = requireInteger(scope, `${prop}.runAsUser`, options.runAsUser ?? 1000, restricted ? 1 : 0);
  const runAsGroup = requireInteger(scope, `${prop}.runAsGroup`, options.runAsGroup ?? 1000, 0);
  const fsGroup = requireInteger(scope, `${prop}.fsGroup`, options.fsGroup ?? 1000, 0);
  return {
    pod: {
      runAsNonRoot: runAsUser !== 0 ? true : undefined,
      runAsUser,
      runAsGroup,
      fsGroup,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    container: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
      runAsNonRoot: runAsUser !== 0 ? true : undefined,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** A writable emptyDir for a read-only-root container: /tmp, caches, /dev/shm. */
export interface WritableDir {
  /** Volume name. */
  readonly name: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /**
   * Size limit, as a Kubernetes quantity string already validated by the caller.
   * @default - no limit
   */
  readonly sizeLimit?: k8s.Quantity;
  /**
   * Back the directory with RAM (tmpfs). Counts against the container memory limit.
   * @default false
   */
  readonly inMemory?: boolean;
}

/** The volumes and mounts for a set of writable emptyDirs. */
export function writableDirs(dirs: WritableDir[]): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  return {
    volumes: dirs.map((d) => ({ name: d.name, emptyDir: { medium: d.inMemory ? 'Memory' : undefined, sizeLimit: d.sizeLimit } })),
    mounts: dirs.map((d) => ({ name: d.name, mountPath: d.mountPath })),
  };
}

/** The volumes and mounts for a set of writable emptyDirs. */
export interface WritableDirMounts {
  /** One emptyDir volume per directory. */
  readonly volumes: k8s.Volume[];
  /** One mount per directory. */
  readonly mounts: k8s.VolumeMount[];
}

/** Pod Security defaults for workloads: `restricted` security contexts and writable emptyDirs. */
export class PodSecurityDefaults {
  /** Builds pod and container security contexts that pass `restricted` unless the user opted out. */
  public static forWorkload(scope: IConstruct, prop: string, options: WorkloadSecurityOptions = {}): WorkloadSecurityContexts {
    return workloadSecurity(scope, prop, options);
  }

  /** The volumes and mounts for a set of writable emptyDirs (/tmp, caches, /dev/shm). */
  public static writableDirs(dirs: WritableDir[]): WritableDirMounts {
    return writableDirs(dirs);
  }

  private constructor() {}
}
