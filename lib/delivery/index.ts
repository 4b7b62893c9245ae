export * from './analysis-template';
export * from './canary-step';
export * from './traffic-routing';
export * from './workload-ref';
export * from './rollout-autoscaling';
export * from './canary-rollout';
export * from './native-canary';
