/**
 * Typed per-environment workload settings of the platform example: what dev, staging and prod change
 * (image tags, replicas, GPUs per pod), in code, so no environment is a copy of another's YAML.
 */
export interface ExampleWorkloadSettings {
  /** Tag of the vLLM image (`vllm/vllm-openai:<tag>`) every vLLM service runs. */
  readonly vllmImageTag: string;
  /** GPUs per pod of `llama-8b` (ml-team). */
  readonly llamaGpus: number;
  /** Fewest replicas of `llama-8b` (its HPA's minReplicas). */
  readonly llamaMinReplicas: number;
  /** Most replicas of `llama-8b` (its HPA's maxReplicas). */
  readonly llamaMaxReplicas: number;
  /** GPUs per pod of the chat service `qwen-32b` (llm-serving). */
  readonly chatGpus: number;
  /** Fewest replicas of `qwen-32b`. */
  readonly chatMinReplicas: number;
  /** Most replicas of `qwen-32b`; its canary Rollout scales within the same bound. */
  readonly chatMaxReplicas: number;
  /** Prefill replicas of the prefill/decode RoleBasedGroups. */
  readonly rbgPrefillReplicas: number;
  /** Decode instances (2-node LeaderWorkerSets) of the prefill/decode RoleBasedGroups. */
  readonly rbgDecodeReplicas: number;
  /** Pods of the web tenant's natively canaried `storefront` service. */
  readonly storefrontReplicas: number;
  /** Percent of `storefront` pods on the canary version (a weight the replica count expresses exactly). */
  readonly storefrontCanaryWeight: number;
}

/** prod: the full platform. Also the builders' default, so tests calling them without settings get prod. */
export const PROD_WORKLOADS: ExampleWorkloadSettings = {
  vllmImageTag: 'v0.18.0',
  llamaGpus: 2,
  llamaMinReplicas: 1,
  llamaMaxReplicas: 2,
  chatGpus: 2,
  chatMinReplicas: 2,
  chatMaxReplicas: 4,
  rbgPrefillReplicas: 2,
  rbgDecodeReplicas: 2,
  storefrontReplicas: 4,
  storefrontCanaryWeight: 25,
};

/** staging: prod's shape on the next vLLM release candidate. */
export const STAGING_WORKLOADS: ExampleWorkloadSettings = {
  ...PROD_WORKLOADS,
  vllmImageTag: 'v0.19.0rc1',
};

/**
 * dev: the release candidate on as little hardware as runs it: one single-GPU llama-8b replica (an 8B model
 * fits one 80 GB GPU), a chat service that scales 1-2, one prefill and one decode instance, two storefront pods.
 */
export const DEV_WORKLOADS: ExampleWorkloadSettings = {
  vllmImageTag: 'v0.19.0rc1',
  llamaGpus: 1,
  llamaMinReplicas: 1,
  llamaMaxReplicas: 1,
  chatGpus: 2,
  chatMinReplicas: 1,
  chatMaxReplicas: 2,
  rbgPrefillReplicas: 1,
  rbgDecodeReplicas: 1,
  storefrontReplicas: 2,
  storefrontCanaryWeight: 50,
};
