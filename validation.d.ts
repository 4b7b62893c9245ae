export * from './build/package/lib/validation';
