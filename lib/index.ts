export * from './core';
export * from './tenancy';
export * from './serving';
export * from './inference';
export * from './workloads';
export * from './delivery';
export * from './gitops';
