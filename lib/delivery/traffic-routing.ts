/** The Argo Rollouts Gateway API traffic-router plugin name (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/**
 * The Gateway API plugin's configuration under `trafficRouting.plugins["argoproj-labs/gatewayAPI"]`.
 * The Rollout CRD leaves plugin config untyped, so this is our type for it.
 */
export interface GatewayApiPluginConfig {
  /** The HTTPRoute whose backendRef weights the plugin rewrites. */
  readonly httpRoute: string;
  /** The HTTPRoute's namespace. */
  readonly namespace: string;
}

/** A Gateway (listener) an HTTPRoute attaches to. */
export interface GatewayParentRef {
  /** The Gateway name. */
  readonly name: string;
  /**
   * The Gateway namespace.
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /**
   * The listener name on the Gateway.
   * @default - every listener that allows the route
   */
  readonly sectionName?: string;
}

/** Options of `TrafficRouting.gatewayApi`. */
export interface GatewayApiTrafficRoutingOptions {
  /** The Gateways the emitted HTTPRoute attaches to (at least one). */
  readonly parentRefs: GatewayParentRef[];
  /**
   * The HTTPRoute name.
   * @default - the Rollout name
   */
  readonly httpRouteName?: string;
  /**
   * Hostnames the route matches.
   * @default - every hostname of the listener
   */
  readonly hostnames?: string[];
  /**
   * The path prefix the route matches.
   * @default '/'
   */
  readonly pathPrefix?: string;
}

/** Options of `TrafficRouting.nginx`. */
export interface NginxTrafficRoutingOptions {
  /**
   * The existing Ingress (class nginx) that routes to the stable Service. The controller clones it into a
   * canary Ingress with `canary-weight` annotations.
   */
  readonly stableIngress: string;
  /**
   * Annotation prefix of the ingress controller.
   * @default 'nginx.ingress.kubernetes.io'
   */
  readonly annotationPrefix?: string;
  /**
   * Extra annotations for the generated canary Ingress (for example `canary-by-header`).
   * @default - none
   */
  readonly additionalIngressAnnotations?: { [key: string]: string };
}

/** How canary traffic is split. */
export class TrafficRouting {
  /** The Argo Rollouts Gateway API traffic router plugin name. */
  public static readonly GATEWAY_API_PLUGIN = GATEWAY_API_PLUGIN;

  /**
   * No traffic router: the Services send traffic to all pods, so the weight is approximated by the ratio of
   * canary to total pods (see the quantization table in the docs). `setCanaryScale` is not available.
   */
  public static none(): TrafficRouting {
    return new TrafficRouting('none');
  }
  /** ingress-nginx canary annotations (ingress-nginx is retired upstream; prefer Gateway API). */
  public static nginx(options: NginxTrafficRoutingOptions): TrafficRouting {
    return new TrafficRouting('nginx', options);
  }
  /**
   * Gateway API through the Argo Rollouts Gateway API plugin: an HTTPRoute with stable and canary
   * backendRefs is emitted and the plugin rewrites their weights. The plugin must be installed in the
   * controller (`argo-rollouts-config` ConfigMap).
   */
  public static gatewayApi(options: GatewayApiTrafficRoutingOptions): TrafficRouting {
    return new TrafficRouting('gatewayApi', undefined, options);
  }

  private constructor(
    /** `none`, `nginx` or `gatewayApi`. */
    public readonly kind: string,
    /** The nginx options. */
    public readonly nginxOptions?: NginxTrafficRoutingOptions,
    /** The Gateway API options. */
    public readonly gatewayApiOptions?: GatewayApiTrafficRoutingOptions,
  ) {}

  /** True when a router sets exact weights (anything but `none`). */
  public get routed(): boolean {
    return this.kind !== 'none';
  }
}
