export * from './engine';
export * from './gpu';
export * from './image';
export * from './probes';
export * from './model-server-pod';
