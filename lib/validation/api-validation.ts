/**
 * What the API server's Go validation rejects but the OpenAPI schemas do not express:
 * - `metadata`: object names, namespaces, label keys/values and annotation keys (also in pod templates);
 * - `pod-spec`: container names, volume mounts referencing declared volumes, requests <= limits, and extended
 *   resources (GPUs) as whole numbers with requests equal to limits.
 */
import { findPodSpecs, isObject, objectId, Violation } from './types';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RBAC = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

const isLabel = (v: string) => typeof v === 'string' && v.length <= 63 && DNS_LABEL.test(v);
const isSubdomain = (v: string) => typeof v === 'string' && v.length <= 253 && DNS_SUBDOMAIN.test(v);

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2 || (parts.length === 2 && !isSubdomain(parts[0]))) return false;
  const name = parts[parts.length - 1];
  return name.length <= 63 && NAME_PART.test(name);
}

function nameProblem(kind: string, name: string): string | undefined {
  if (kind === 'Namespace') return isLabel(name) ? undefined : 'a DNS-1123 label (at most 63 characters)';
  if (kind === 'Service') return name.length <= 63 && DNS_1035.test(name) ? undefined : 'a DNS-1035 label (at most 63 characters, starting with a letter)';
  if (RBAC.has(kind)) return name !== '.' && name !== '..' && !/[/%]/.test(name) ? undefined : 'a path segment name (no "/" or "%")';
  return isSubdomain(name) ? undefined : 'a DNS-1123 subdomain (at most 253 characters)';
}

function checkLabelsAndAnnotations(meta: any, at: string, fail: (m: string) => void): void {
  for (const [k, v] of Object.entries<any>(isObject(meta.labels) ? meta.labels : {})) {
    if (!isQualifiedName(k)) fail(`${at}.labels: key ${JSON.stringify(k)} is not a qualified name`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) fail(`${at}.labels[${JSON.stringify(k)}]: value ${JSON.stringify(v)} is not a valid label value`);
  }
  for (const [k, v] of Object.entries<any>(isObject(meta.annotations) ? meta.annotations : {})) {
    if (!isQualifiedName(k.toLowerCase())) fail(`${at}.annotations: key ${JSON.stringify(k)} is not a qualified name`);
    if (typeof v !== 'string') fail(`${at}.annotations[${JSON.stringify(k)}]: value must be a string`);
  }
}

/** `metadata`: names, namespaces, labels and annotations, on the object and on its pod templates. */
export function checkMetadata(m: any): Violation[] {
  const out: Violation[] = [];
  const fail = (message: string) => out.push({ rule: 'metadata', object: objectId(m), message });
  const meta = isObject(m.metadata) ? m.metadata : {};
  if (typeof meta.name === 'string' && meta.name !== '') {
    const problem = nameProblem(m.kind, meta.name);
    if (problem) fail(`metadata.name: ${JSON.stringify(meta.name)} is not ${problem}`);
  }
  if (meta.namespace !== undefined && !isLabel(meta.namespace)) fail(`metadata.namespace: ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
  checkLabelsAndAnnotations(meta, 'metadata', fail);
  for (const pod of findPodSpecs(m)) {
    const templateAt = pod.path.replace(/\.spec$/, '.metadata');
    if (templateAt !== pod.path && templateAt !== 'metadata') checkLabelsAndAnnotations({ labels: pod.labels, annotations: pod.annotations }, templateAt, fail);
  }
  return out;
}

function claimTemplateNames(node: any): string[] {
  if (Array.isArray(node)) return node.flatMap(claimTemplateNames);
  if (!isObject(node)) return [];
  const own = Array.isArray(node.volumeClaimTemplates) ? node.volumeClaimTemplates.map((t: any) => t?.metadata?.name) : [];
  return [...own, ...Object.values(node).flatMap(claimTemplateNames)];
}

const EXTENDED = (r: string) => r.includes('/') && !r.includes('kubernetes.io/');

/** `pod-spec`: what the API server rejects in a pod spec beyond the schema. */
export function checkPodSpecs(m: any): Violation[] {
  const out: Violation[] = [];
  for (const pod of findPodSpecs(m)) {
    const fail = (message: string) => out.push({ rule: 'pod-spec', object: objectId(m), message: `${pod.path}.${message}` });
    // A StatefulSet's (or LWS's) volumeClaimTemplates supply volumes the pod spec does not list.
    const volumes = new Set([...(pod.spec.volumes ?? []).map((v: any) => v?.name), ...claimTemplateNames(m)]);
    const names = new Set<string>();
    for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
      (pod.spec[field] ?? []).forEach((c: any, i: number) => {
        const at = `${field}[${i}]`;
        if (!isLabel(c?.name)) fail(`${at}.name: ${JSON.stringify(c?.name)} is not a DNS-1123 label`);
        else if (names.has(c.name)) fail(`${at}.name: ${JSON.stringify(c.name)} is used by another container`);
        names.add(c?.name);
        for (const vm of c?.volumeMounts ?? []) {
          if (!volumes.has(vm?.name)) fail(`${at}.volumeMounts: volume ${JSON.stringify(vm?.name)} is not in spec.volumes`);
        }
        const paths = (c?.volumeMounts ?? []).map((vm: any) => vm?.mountPath);
        for (const p of new Set(paths.filter((p: string, j: number) => paths.indexOf(p) !== j))) fail(`${at}.volumeMounts: mountPath ${p} is mounted twice`);
        const requests = c?.resources?.requests ?? {};
        const limits = c?.resources?.limits ?? {};
        for (const r of new Set([...Object.keys(requests), ...Object.keys(limits)])) {
          const req = requests[r] === undefined ? undefined : quantityValue(requests[r]);
          const lim = limits[r] === undefined ? undefined : quantityValue(limits[r]);
          if (req !== undefined && lim !== undefined && req > lim) fail(`${at}.resources: requests.${r} ${requests[r]} is above limits.${r} ${limits[r]}`);
          if (EXTENDED(r)) {
            if (lim === undefined) fail(`${at}.resources: extended resource ${r} needs a limit (requests alone are rejected)`);
            else if (req !== undefined && req !== lim) fail(`${at}.resources: extended resource ${r} must have requests equal to limits`);
            for (const q of [req, lim]) if (q !== undefined && !Number.isInteger(q)) fail(`${at}.resources: extended resource ${r} must be a whole number, got ${q}`);
          }
        }
      });
    }
  }
  return out;
}

const FACTORS: { [s: string]: number } = { '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60 };

/** A quantity's value (NaN when it does not parse; the schema rule reports that). */
function quantityValue(q: unknown): number {
  if (typeof q === 'number') return q;
  const m = typeof q === 'string' ? /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q) : null;
  return m ? Number(m[1]) * FACTORS[m[2] ?? ''] : NaN;
}
