import { IConstruct } from 'constructs';
import { requireInteger } from '../core/errors';
import { GpuResource } from '../core/gpu';
import { k8s } from '../core/k8s';
import { requireDnsSubdomain, requireLabelValue } from '../core/names';
import { countQuantity, requireGpuCount } from '../core/quantity';

/** GPU Feature Discovery node labels. */
export class GpuNodeLabels {
  /** The GPU model, for example `NVIDIA-H100-80GB-HBM3`. */
  public static readonly PRODUCT = 'nvidia.com/gpu.product';
  /** GPU memory in MiB (an integer, so `Gt` works). */
  public static readonly MEMORY = 'nvidia.com/gpu.memory';
  /** The taint key GPU node pools commonly carry. */
  public static readonly TAINT_KEY = 'nvidia.com/gpu';
  private constructor() {}
}

/** The GPUs one pod asks for. */
export interface GpuRequest {
  /**
   * The GPU resource: whole GPUs, a MIG profile or time-sliced GPUs.
   * @default GpuResource.NVIDIA_GPU
   */
  readonly resource?: GpuResource;
  /** GPUs per pod, a whole number >= 1. Limits equal requests. */
  readonly count: number;
  /**
   * Required GPU product (node label `nvidia.com/gpu.product`), for example `NVIDIA-H100-80GB-HBM3`.
   * @default - any product
   */
  readonly product?: string;
  /**
   * Minimum GPU memory in MiB (node label `nvidia.com/gpu.memory`, operator `Gt`).
   * @default - no minimum
   */
  readonly minMemoryMiB?: number;
  /**
   * Tolerate the `nvidia.com/gpu` taint (operator Exists, effect NoSchedule) that GPU pools carry.
   * @default true
   */
  readonly tolerateGpuTaint?: boolean;
  /**
   * `runtimeClassName`, for example `nvidia` when the node's default runtime is not the NVIDIA one.
   * @default - the node's default runtime
   */
  readonly runtimeClassName?: string;
}

/** What a GPU request turns into on a pod: resources, node affinity, tolerations, runtime class. */
export interface GpuPlacement {
  /** The resource name and kind. */
  readonly resource: GpuResource;
  /** GPUs per pod. */
  readonly count: number;
  /** Extended resource entries for both `requests` and `limits`. */
  readonly resources: { [key: string]: k8s.Quantity };
  /** Required node selector terms' expressions (product, memory), empty when none. */
  readonly nodeSelectorExpressions: k8s.NodeSelectorRequirement[];
  /** Tolerations to add. */
  readonly tolerations: k8s.Toleration[];
  /** runtimeClassName, when set. */
  readonly runtimeClassName?: string;
}

/** Validates a GPU request and turns it into resources, node affinity, tolerations and runtime class. */
export function resolveGpuRequest(scope: IConstruct, prop: string, request: GpuRequest): GpuPlacement {
  const resource = (request.resource ?? GpuResource.NVIDIA_GPU).validate(scope, `${prop}.resource`);
  const count = requireGpuCount(scope, `${prop}.count`, request.count, 1);
  const expressions: k8s.NodeSelectorRequirement[] = [];
  if (request.product !== undefined) {
    requireLabelValue(scope, `${prop}.product`, request.product);
    expressions.push({ key: GpuNodeLabels.PRODUCT, operator: 'In', values: [request.product] });
  }
  if (request.minMemoryMiB !== undefined) {
    requireInteger(scope, `${prop}.minMemoryMiB`, request.minMemoryMiB, 1);
    // Gt is strict; "at least N" is "greater than N-1".
    expressions.push({ key: GpuNodeLabels.MEMORY, operator: 'Gt', values: [String(request.minMemoryMiB - 1)] });
  }
  if (request.runtimeClassName !== undefined) requireDnsSubdomain(scope, `${prop}.runtimeClassName`, request.runtimeClassName);
  return {
    resource,
    count,
    resources: { [resource.resourceName]: countQuantity(count) },
    nodeSelectorExpressions: expressions,
    tolerations: (request.tolerateGpuTaint ?? true)
      ? [{ key: GpuNodeLabels.TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }]
      : [],
    runtimeClassName: request.runtimeClassName,
  };
}

/** Adds the GPU node affinity and tolerations to a pod spec (returns a new spec). */
export function applyGpuPlacement(spec: k8s.PodSpec, gpu: GpuPlacement | undefined): k8s.PodSpec {
  if (!gpu) return spec;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  let affinity = spec.affinity;
  if (gpu.nodeSelectorExpressions.length > 0) {
    // Terms are ORed, expressions ANDed: add the GPU expressions to every existing term.
    const terms = required?.nodeSelectorTerms?.length
      ? required.nodeSelectorTerms.map((t) => ({ ...t, matchExpressions: [...(t.matchExpressions ?? []), ...gpu.nodeSelectorExpressions] }))
      : [{ matchExpressions: gpu.nodeSelectorExpressions }];
    affinity = {
      ...spec.affinity,
      nodeAffinity: { ...spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
    };
  }
  const tolerations = [...(spec.tolerations ?? []), ...gpu.tolerations];
  return {
    ...spec,
    affinity,
    tolerations: tolerations.length > 0 ? tolerations : undefined,
    runtimeClassName: gpu.runtimeClassName ?? spec.runtimeClassName,
  };
}
