import { IConstruct } from 'constructs';
import { k8s } from '../core/k8s';
import { applyGpuPlacement, GpuPlacement, GpuRequest, resolveGpuRequest } from './gpu';
import { addWarning, requirePinnedImage } from './image';
import {
  buildModelServerPod, HTTP_PORT_NAME, METRICS_PORT_NAME, ModelServerOptions, ModelServerPod, ModelServerPodProps,
  pickModelServerOptions,
} from './model-server-pod';
import { ModelServerProbeOptions, ModelServerProbes, modelServerProbes } from './probes';

/** Building blocks for GPU model-server workloads: the pod template builder and its helpers. */
export class ModelServer {
  /** The name of the model server's HTTP port. */
  public static readonly HTTP_PORT_NAME = HTTP_PORT_NAME;
  /** The name of the model server's metrics port. */
  public static readonly METRICS_PORT_NAME = METRICS_PORT_NAME;

  /** Builds the model-server pod template every GPU workload uses; errors name `prop` under `scope`. */
  public static buildPod(scope: IConstruct, prop: string, props: ModelServerPodProps): ModelServerPod {
    return buildModelServerPod(scope, prop, props);
  }

  /** Copies exactly the `ModelServerOptions` fields out of a workload's props. */
  public static pickOptions(props: ModelServerOptions): ModelServerOptions {
    return pickModelServerOptions(props);
  }

  /** The startup, readiness and liveness probes of a model server. */
  public static probes(scope: IConstruct, prop: string, options: ModelServerProbeOptions): ModelServerProbes {
    return modelServerProbes(scope, prop, options);
  }

  /** Validates a GPU request and resolves its resource name, count and node placement. */
  public static resolveGpuRequest(scope: IConstruct, prop: string, request: GpuRequest): GpuPlacement {
    return resolveGpuRequest(scope, prop, request);
  }

  /** Adds the GPU node affinity and tolerations to a pod spec (returns a new spec). */
  public static applyGpuPlacement(spec: k8s.PodSpec, gpu?: GpuPlacement): k8s.PodSpec {
    return applyGpuPlacement(spec, gpu);
  }

  /** Refuses an image that is not pinned (no tag, or `latest`); with `allowLatest` it warns instead. */
  public static requirePinnedImage(scope: IConstruct, prop: string, image: string, allowLatest: boolean = false): string {
    return requirePinnedImage(scope, prop, image, allowLatest);
  }

  /** Records a warning on a construct (metadata type `warning`) and prints it once. */
  public static addWarning(scope: IConstruct, message: string): void {
    addWarning(scope, message);
  }

  private constructor() {}
}
