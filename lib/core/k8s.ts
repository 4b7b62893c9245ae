// The only file in lib/ that names the cdk8s-plus version: moving to a newer cdk8s-plus-XX is a change here.
// Only its typed L1 API is loaded; the L2 index costs ~30 ms of start-up on every synth and no construct needs it.
export * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
