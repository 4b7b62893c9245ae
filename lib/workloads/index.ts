export * from './leader-worker-set';
export * from './pod-group';
export * from './gang-scheduling';
export * from './role';
export * from './prefill-decode';
export * from './role-based-group';
