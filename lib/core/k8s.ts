// The only place that names the cdk8s-plus version. Moving to a newer cdk8s-plus-XX is a change here.
export * as kplus from 'cdk8s-plus-27';
export { k8s } from 'cdk8s-plus-27';
