export * from './analysis-template';
export * from './canary-step';
export { TrafficRouting } from './traffic-routing';
export type { GatewayApiPluginConfig, GatewayApiTrafficRoutingOptions, GatewayParentRef, NginxTrafficRoutingOptions } from './traffic-routing';
export * from './workload-ref';
export * from './canary-rollout';
export { CanarySlot, NativeCanary } from './native-canary';
export type { NativeCanaryProps, NativeCanaryRouteOptions, NativeCanaryVersion, ReplicaSplit } from './native-canary';
