export * from './errors';
export * from './names';
export * from './quantity';
export * from './gpu';
export * from './labels';
export * from './security';
export * from './sync-wave';
export * from './tenant';
