import { IConstruct } from 'constructs';
import { fail } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** The longest DNS-1123 label (namespaces, Services, most label-bound names). */
export const DNS_LABEL_MAX = 63;
/** The longest DNS-1123 subdomain (most object names). */
export const DNS_SUBDOMAIN_MAX = 253;

export function isDnsLabel(value: string): boolean {
  return typeof value === 'string' && value.length <= DNS_LABEL_MAX && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return typeof value === 'string' && value.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(value);
}

/** Throws unless `value` is a DNS-1123 label of at most `maxLength` characters. */
export function requireDnsLabel(scope: IConstruct, prop: string, value: string, maxLength: number = DNS_LABEL_MAX): string {
  if (typeof value !== 'string' || value.length > maxLength || !DNS_LABEL.test(value)) {
    fail(scope, prop, value, `a DNS-1123 label of at most ${maxLength} characters: lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
  return value;
}

/** Throws unless `value` is a DNS-1123 subdomain. */
export function requireDnsSubdomain(scope: IConstruct, prop: string, value: string, maxLength: number = DNS_SUBDOMAIN_MAX): string {
  if (typeof value !== 'string' || value.length > maxLength || !DNS_SUBDOMAIN.test(value)) {
    fail(scope, prop, value, `a DNS-1123 subdomain of at most ${maxLength} characters: dot-separated DNS-1123 labels`);
  }
  return value;
}

/** Throws unless `value` is a valid label value (at most 63 characters, may be empty). */
export function requireLabelValue(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
    fail(scope, prop, value, "a label value of at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
  }
  return value;
}

/** Throws unless `key` is a valid label or annotation key (`[prefix/]name`). */
export function requireQualifiedName(scope: IConstruct, prop: string, key: string): string {
  const parts = typeof key === 'string' ? key.split('/') : [];
  const ok = (parts.length === 1 || (parts.length === 2 && isDnsSubdomain(parts[0])))
    && parts[parts.length - 1].length <= 63 && LABEL_NAME.test(parts[parts.length - 1]);
  if (!ok) {
    fail(scope, prop, key, 'a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" or "."');
  }
  return key;
}

/** Checks every key and value of a label map. */
export function requireLabels(scope: IConstruct, prop: string, labels: { [key: string]: string } | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    requireQualifiedName(scope, `${prop} key`, k);
    requireLabelValue(scope, `${prop}["${k}"]`, v);
  }
}

/** Joins name parts with '-' and checks the result is a DNS label, so derived names never overflow silently. */
export function childName(scope: IConstruct, prop: string, parts: string[], maxLength: number = DNS_LABEL_MAX): string {
  return requireDnsLabel(scope, prop, parts.filter((p) => p !== '').join('-'), maxLength);
}
