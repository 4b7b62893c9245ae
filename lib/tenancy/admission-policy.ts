import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * Typed shapes of `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy and its Binding (GA in
 * Kubernetes 1.30). The 1.27 typed API of cdk8s-plus-27 has neither, so they are emitted as plain
 * ApiObjects through these interfaces. Field names and required fields follow kubernetes/kubernetes
 * api/openapi-spec/v3/apis__admissionregistration.k8s.io__v1_openapi.json (io.k8s.api.admissionregistration.v1.*);
 * the tests validate the output against that schema.
 */
export interface VapNamedRuleWithOperations {
  readonly apiGroups: string[];
  readonly apiVersions: string[];
  readonly operations: string[];
  readonly resources: string[];
  readonly scope?: string;
}

export interface VapLabelSelector {
  readonly matchLabels?: { [key: string]: string };
}

export interface VapMatchResources {
  readonly resourceRules?: VapNamedRuleWithOperations[];
  readonly namespaceSelector?: VapLabelSelector;
  readonly matchPolicy?: string;
}

export interface VapVariable {
  readonly name: string;
  readonly expression: string;
}

export interface VapValidation {
  readonly expression: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
}

export interface VapSpec {
  readonly failurePolicy: string;
  readonly matchConstraints: VapMatchResources;
  readonly variables?: VapVariable[];
  readonly validations: VapValidation[];
}

export interface VapBindingSpec {
  readonly policyName: string;
  readonly validationActions: string[];
  readonly matchResources?: VapMatchResources;
}

export interface VapMetadata {
  readonly name: string;
  readonly labels?: { [key: string]: string };
}

export const VAP_API_VERSION = 'admissionregistration.k8s.io/v1';

/** A ValidatingAdmissionPolicy (cluster-scoped). */
export function validatingAdmissionPolicy(scope: Construct, id: string, metadata: VapMetadata, spec: VapSpec): ApiObject {
  return new ApiObject(scope, id, { apiVersion: VAP_API_VERSION, kind: 'ValidatingAdmissionPolicy', metadata, spec });
}

/** A ValidatingAdmissionPolicyBinding (cluster-scoped). */
export function validatingAdmissionPolicyBinding(scope: Construct, id: string, metadata: VapMetadata, spec: VapBindingSpec): ApiObject {
  return new ApiObject(scope, id, { apiVersion: VAP_API_VERSION, kind: 'ValidatingAdmissionPolicyBinding', metadata, spec });
}

/** A CEL string literal (names and prefixes here are DNS-ish, but quote safely anyway). */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function celList(items: string[]): string {
  return `[${items.map(celString).join(', ')}]`;
}

/** What the pod policy enforces; resolved and validated by TenantNamespace. */
export interface PodPolicyInput {
  readonly allowedSecrets: string[];
  readonly allowedServiceAccounts: string[];
  readonly allowedRegistries?: string[];
  readonly maxGpusPerPod?: number;
  readonly gpuResources: string[];
  readonly nodeSelector?: { key: string; value: string };
  readonly tolerationKeys?: string[];
}

/** The container lists of a pod; ephemeral containers have their own type, so each list is checked on its own. */
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

function eachContainer(pred: (c: string) => string): string {
  return CONTAINER_LISTS.map((l) => l === 'containers'
    ? `object.spec.containers.all(c, ${pred('c')})`
    : `(!has(object.spec.${l}) || object.spec.${l}.all(c, ${pred('c')}))`).join(' && ');
}

/** The pod policy's variables and validations (exported for the tests, which evaluate them with a CEL interpreter). */
export function podPolicy(p: PodPolicyInput): { variables: VapVariable[]; validations: VapValidation[] } {
  const variables: VapVariable[] = [
    { name: 'allowedSecrets', expression: celList(p.allowedSecrets) },
    { name: 'allowedServiceAccounts', expression: celList(p.allowedServiceAccounts) },
  ];
  const validations: VapValidation[] = [];
  const secretOk = (name: string) => `${name} in variables.allowedSecrets`;
  validations.push({
    expression: '!has(object.spec.volumes) || object.spec.volumes.all(v, '
      + `(!has(v.secret) || (has(v.secret.secretName) && ${secretOk('v.secret.secretName')})) && `
      + `(!has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.secret) || (has(s.secret.name) && ${secretOk('s.secret.name')}))))`,
    message: `pods of this namespace may mount only the Secrets ${JSON.stringify(p.allowedSecrets)} (volumes and projected volumes)`,
    reason: 'Forbidden',
  });
  validations.push({
    expression: eachContainer((c) => `(!has(${c}.env) || ${c}.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef) || ${secretOk('e.valueFrom.secretKeyRef.name')}))`
      + ` && (!has(${c}.envFrom) || ${c}.envFrom.all(f, !has(f.secretRef) || ${secretOk('f.secretRef.name')}))`),
    message: `containers of this namespace may read only the Secrets ${JSON.stringify(p.allowedSecrets)} (env and envFrom)`,
    reason: 'Forbidden',
  });
  validations.push({
    // The ServiceAccount admission plugin (a mutating step, before validation) fills in `default` when unset.
    expression: "(has(object.spec.serviceAccountName) ? object.spec.serviceAccountName : 'default') in variables.allowedServiceAccounts",
    messageExpression: `'ServiceAccount ' + (has(object.spec.serviceAccountName) ? object.spec.serviceAccountName : 'default') + ' is not one pods of this namespace may run as: ${p.allowedServiceAccounts.join(', ')}'`,
    reason: 'Forbidden',
  });
  if (p.allowedRegistries) {
    variables.push({ name: 'allowedRegistries', expression: celList(p.allowedRegistries) });
    validations.push({
      expression: eachContainer((c) => `variables.allowedRegistries.exists(r, ${c}.image.startsWith(r))`),
      message: `images must come from ${p.allowedRegistries.join(', ')}`,
      reason: 'Forbidden',
    });
  }
  if (p.maxGpusPerPod !== undefined) {
    const gpus = (c: string, r: string) => `(has(${c}.resources) && has(${c}.resources.limits) && ${celString(r)} in ${c}.resources.limits ? int(string(${c}.resources.limits[${celString(r)}])) : 0)`;
    for (const r of p.gpuResources) {
      // A pod's effective request is the larger of its containers' sum and any one init container.
      validations.push({
        expression: `object.spec.containers.map(c, ${gpus('c', r)}).sum() <= ${p.maxGpusPerPod}`
          + ` && (!has(object.spec.initContainers) || object.spec.initContainers.all(c, ${gpus('c', r)} <= ${p.maxGpusPerPod}))`,
        message: `a pod of this namespace may use at most ${p.maxGpusPerPod} ${r}`,
        reason: 'Forbidden',
      });
    }
  }
  if (p.nodeSelector) {
    const { key, value } = p.nodeSelector;
    validations.push({
      expression: `has(object.spec.nodeSelector) && ${celString(key)} in object.spec.nodeSelector && object.spec.nodeSelector[${celString(key)}] == ${celString(value)}`,
      message: `pods of this namespace must select the tenant's node pool (nodeSelector ${key}: ${value})`,
      reason: 'Forbidden',
    });
  }
  if (p.tolerationKeys) {
    variables.push({ name: 'tolerationKeys', expression: celList(p.tolerationKeys) });
    validations.push({
      // An empty key with Exists tolerates every taint; node.kubernetes.io/* are the lifecycle taints the
      // DefaultTolerationSeconds plugin adds to every pod.
      expression: '!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != \'\' && '
        + "(t.key in variables.tolerationKeys || t.key.startsWith('node.kubernetes.io/')))",
      message: `pods of this namespace may tolerate only ${p.tolerationKeys.join(', ')} and node.kubernetes.io/* taints`,
      reason: 'Forbidden',
    });
  }
  return { variables, validations };
}

/** The PVC policy: no binding a PersistentVolume by name. */
export function volumePolicy(): VapValidation[] {
  return [{
    expression: "!has(object.spec.volumeName) || object.spec.volumeName == ''",
    message: 'PersistentVolumeClaims of this namespace may not name a PersistentVolume (spec.volumeName); use a StorageClass',
    reason: 'Forbidden',
  }];
}
