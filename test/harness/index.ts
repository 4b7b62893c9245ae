/**
 * The tests' validation harness is the package's validator (`lib/validation`, shipped as
 * `cdk8s-gpu-platform/validation`): this file only re-exports it, so tests keep importing `../harness`.
 */
export * from '../../lib/validation';
