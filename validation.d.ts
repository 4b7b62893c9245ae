export * from './build/lib/validation';
