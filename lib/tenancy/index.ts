export * from './roles';
export * from './subject';
export * from './taint-effect';
export * from './tenant-namespace';
