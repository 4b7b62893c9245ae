import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../../imports/httproute-gateway.networking.k8s.io';
import { RolloutSpecStrategyCanaryTrafficRouting } from '../../imports/rollouts-argoproj.io';
import { addRule, fail, formatViolation } from '../core/errors';
import { checkArg, object } from '../core/validate';
import { requireDnsSubdomain } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { findApiObjects } from './internal';

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
   * Hostnames the route matches (`llm.example.com`, `*.example.com`). Required when a parentRef is a
   * Gateway of another namespace (a shared Gateway), where a route without hostnames would take every
   * hostname of the listener from the other tenants.
   * @default - none: every hostname of the listener; only for a Gateway of the route's own namespace or with `catchAllHostnames`
   */
  readonly hostnames?: string[];
  /**
   * Explicitly take every hostname of a shared Gateway's listener (no `hostnames`).
   * @default false
   */
  readonly catchAllHostnames?: boolean;
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
    checkArg('TrafficRouting.nginx', 'options', options, object('an object of NginxTrafficRoutingOptions'));
    return new TrafficRouting('nginx', options);
  }
  /**
   * Gateway API through the Argo Rollouts Gateway API plugin: an HTTPRoute with stable and canary
   * backendRefs is emitted and the plugin rewrites their weights. The plugin must be installed in the
   * controller (`argo-rollouts-config` ConfigMap).
   */
  public static gatewayApi(options: GatewayApiTrafficRoutingOptions): TrafficRouting {
    checkArg('TrafficRouting.gatewayApi', 'options', options, object('an object of GatewayApiTrafficRoutingOptions'));
    return new TrafficRouting('gatewayApi', undefined, options);
  }

  private constructor(
    /** `none`, `nginx` or `gatewayApi`. */
    private readonly kind: string,
    private readonly nginxOptions?: NginxTrafficRoutingOptions,
    private readonly gatewayApiOptions?: GatewayApiTrafficRoutingOptions,
  ) {}

  /**
   * True when a router sets exact weights (anything but `none`).
   * @internal
   */
  public get _routed(): boolean {
    return this.kind !== 'none';
  }

  /**
   * Validates the options against the rollout, creates what the router needs (the HTTPRoute) and registers
   * its app-wide rules; returns the Rollout's `trafficRouting`.
   * @internal
   */
  public _bind(ctx: TrafficRoutingContext): BoundTrafficRouting {
    const scope = ctx.scope;
    if (this.kind === 'nginx') {
      const o = this.nginxOptions!;
      requireDnsSubdomain(scope, 'trafficRouting.stableIngress', o.stableIngress);
      addRule(scope, () => checkStableIngress(scope, ctx.namespace, o.stableIngress, ctx.stableServiceName));
      return {
        trafficRouting: {
          nginx: { stableIngress: o.stableIngress, annotationPrefix: o.annotationPrefix, additionalIngressAnnotations: o.additionalIngressAnnotations },
        },
      };
    }
    if (this.kind !== 'gatewayApi') return {};
    const o = this.gatewayApiOptions!;
    const routeName = requireDnsSubdomain(scope, 'trafficRouting.httpRouteName', o.httpRouteName ?? ctx.rolloutName);
    if (!Array.isArray(o.parentRefs) || o.parentRefs.length === 0) {
      fail(scope, 'trafficRouting.parentRefs', o.parentRefs, 'at least one Gateway');
    }
    o.parentRefs.forEach((p, i) => requireDnsSubdomain(scope, `trafficRouting.parentRefs[${i}].name`, p.name));
    const pathPrefix = o.pathPrefix ?? '/';
    if (!pathPrefix.startsWith('/')) fail(scope, 'trafficRouting.pathPrefix', pathPrefix, 'a path starting with "/"');
    const hostnames = requireRouteHostnames(scope, 'trafficRouting.', ctx.namespace, o.parentRefs, o.hostnames, o.catchAllHostnames);
    const pluginConfig: GatewayApiPluginConfig = { httpRoute: routeName, namespace: ctx.namespace };
    const httpRoute = new HttpRoute(scope, 'HttpRoute', {
      metadata: { name: routeName, namespace: ctx.namespace, labels: ctx.labels },
      spec: {
        parentRefs: o.parentRefs.map((p) => ({ name: p.name, namespace: p.namespace, sectionName: p.sectionName })),
        hostnames,
        rules: [{
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: pathPrefix } }],
          // The plugin rewrites these weights during a rollout; Git holds the resting state.
          backendRefs: [
            { name: ctx.stableServiceName, port: ctx.port, weight: 100 },
            { name: ctx.canaryServiceName, port: ctx.port, weight: 0 },
          ],
        }],
      },
    });
    setSyncWave(httpRoute, SyncWave.ROLLOUT);
    addRule(scope, () => checkRouteConflicts(scope, 'trafficRouting.httpRouteName', httpRoute));
    return { trafficRouting: { plugins: { [GATEWAY_API_PLUGIN]: { ...pluginConfig } } }, httpRoute, gatewayApiPluginConfig: pluginConfig };
  }
}

/**
 * What a traffic router needs from the rollout it is bound to.
 * @internal
 */
export interface TrafficRoutingContext {
  /** The rollout: scope of the HTTPRoute and of messages. */
  readonly scope: Construct;
  readonly rolloutName: string;
  readonly namespace: string;
  /** Labels of the rollout's objects. */
  readonly labels: { [key: string]: string };
  readonly stableServiceName: string;
  readonly canaryServiceName: string;
  /** The Services' port. */
  readonly port: number;
}

/**
 * What a bound traffic router gives the rollout.
 * @internal
 */
export interface BoundTrafficRouting {
  /** The Rollout's `spec.strategy.canary.trafficRouting`, undefined without a router. */
  readonly trafficRouting?: RolloutSpecStrategyCanaryTrafficRouting;
  /** The HTTPRoute, with Gateway API. */
  readonly httpRoute?: HttpRoute;
  /** The Gateway API plugin config, with Gateway API. */
  readonly gatewayApiPluginConfig?: GatewayApiPluginConfig;
}

/** An nginx stable Ingress defined in this app must route to the stable Service (Argo requires it). */
function checkStableIngress(scope: IConstruct, namespace: string, name: string, stableServiceName: string): string[] {
  const out: string[] = [];
  for (const ing of findApiObjects(scope, 'networking.k8s.io/v1', 'Ingress')) {
    if (ing.name !== name || (ing.metadata.namespace ?? namespace) !== namespace) continue;
    const backends = (ing.toJson()?.spec?.rules ?? []).flatMap((r: any) => r?.http?.paths ?? []).map((p: any) => p?.backend?.service?.name);
    if (!backends.includes(stableServiceName)) {
      out.push(formatViolation(scope, 'trafficRouting.stableIngress', name,
        `an Ingress whose rules route to the stable Service "${stableServiceName}" (it routes to ${JSON.stringify(backends)})`));
    }
  }
  return out;
}

/** Gateway API hostname: a DNS name, optionally with a leading `*.` (HTTPRoute CRD `spec.hostnames` pattern). */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks an HTTPRoute's hostnames against its parents: a route attached to a Gateway of another namespace
 * (shared by tenants) must name its hostnames, or opt in to taking all of them with `catchAllHostnames`.
 * Returns the hostnames to emit (undefined for none).
 */
export function requireRouteHostnames(
  scope: IConstruct, prefix: string, routeNamespace: string, parentRefs: GatewayParentRef[],
  hostnames: string[] | undefined, catchAll: boolean | undefined,
): string[] | undefined {
  if (hostnames !== undefined) {
    if (!Array.isArray(hostnames) || hostnames.length === 0) {
      fail(scope, `${prefix}hostnames`, hostnames, 'a non-empty list of hostnames, or leave it out');
    }
    hostnames.forEach((h, i) => {
      if (typeof h !== 'string' || h.length > 253 || !HOSTNAME.test(h)) {
        fail(scope, `${prefix}hostnames[${i}]`, h, 'a lowercase DNS name such as "llm.example.com" or "*.example.com" (no IP, port or scheme)');
      }
    });
    if (new Set(hostnames).size !== hostnames.length) fail(scope, `${prefix}hostnames`, hostnames, 'each hostname once');
    if (catchAll) fail(scope, `${prefix}catchAllHostnames`, true, 'true only without hostnames');
    return [...hostnames];
  }
  const shared = parentRefs.find((p) => (p.namespace ?? routeNamespace) !== routeNamespace);
  if (shared && !catchAll) {
    fail(scope, `${prefix}hostnames`, undefined,
      `the hostnames this route serves: it attaches to Gateway ${shared.namespace}/${shared.name}, shared with other namespaces, where a route without hostnames takes every hostname of the listener (set catchAllHostnames: true if that is what you want)`);
  }
  return undefined;
}

/** One (listener, hostname, path) a route claims. */
interface RouteClaim {
  readonly gateway: string;
  readonly sectionName?: string;
  readonly port?: number;
  readonly hostname: string;
  readonly path: string;
}

/** What an HTTPRoute object claims; rules matching headers, query params or a method claim no whole path. */
function routeClaims(route: ApiObject): RouteClaim[] {
  const json = route.toJson() ?? {};
  const ns = json.metadata?.namespace ?? '';
  const spec = json.spec ?? {};
  const hosts: string[] = Array.isArray(spec.hostnames) && spec.hostnames.length > 0 ? spec.hostnames : ['*'];
  const paths: string[] = [];
  for (const rule of spec.rules ?? [{}]) {
    // A rule without matches matches PathPrefix "/" (Gateway API default).
    for (const m of rule?.matches ?? [{}]) {
      if (m?.headers?.length || m?.queryParams?.length || m?.method) continue;
      paths.push(`${m?.path?.type ?? 'PathPrefix'} ${m?.path?.value ?? '/'}`);
    }
  }
  const out: RouteClaim[] = [];
  for (const p of spec.parentRefs ?? []) {
    if ((p.kind ?? 'Gateway') !== 'Gateway' || (p.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io') continue;
    for (const hostname of hosts) {
      for (const path of paths) {
        out.push({ gateway: `${p.namespace ?? ns}/${p.name}`, sectionName: p.sectionName, port: p.port, hostname, path });
      }
    }
  }
  return out;
}

/** True when two parentRefs of one Gateway can land on the same listener (an unset section or port means all). */
function sameListener(a: RouteClaim, b: RouteClaim): boolean {
  return a.gateway === b.gateway
    && (a.sectionName === undefined || b.sectionName === undefined || a.sectionName === b.sectionName)
    && (a.port === undefined || b.port === undefined || a.port === b.port);
}

/**
 * App-wide (one Environment is one App): no other HTTPRoute of the app claims the same hostname and path on
 * the same Gateway listener as `route`. Gateway API resolves such a tie by the oldest route, so the loser's
 * traffic silently goes to the other tenant's service. A route without hostnames claims `*`.
 */
export function checkRouteConflicts(scope: IConstruct, prop: string, route: ApiObject): string[] {
  const mine = routeClaims(route);
  const out: string[] = [];
  const routes = scope.node.root.node.findAll().filter((c): c is ApiObject =>
    c instanceof ApiObject && c !== route && c.kind === 'HTTPRoute' && c.apiVersion.startsWith('gateway.networking.k8s.io/'));
  for (const other of routes) {
    const clash = routeClaims(other).find((o) => mine.some((m) => sameListener(m, o) && m.hostname === o.hostname && m.path === o.path));
    if (clash) {
      const host = clash.hostname === '*' ? 'every hostname (no hostnames)' : `hostname ${clash.hostname}`;
      out.push(formatViolation(scope, prop, `${route.metadata.namespace}/${route.name}`,
        `a route no other HTTPRoute claims on the same listener: ${other.metadata.namespace}/${other.name} (${other.node.path}) also claims ${host}, ${clash.path} on Gateway ${clash.gateway}${clash.sectionName ? ` listener ${clash.sectionName}` : ''}; give them different hostnames or paths`));
    }
  }
  return out;
}
