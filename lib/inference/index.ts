export * from './autoscaling';
export * from './options';
export * from './gpu-inference-service';
export * from './prometheus-adapter-rules';
