import { IConstruct } from 'constructs';
import { fail } from '../core/errors';

/** A parsed CIDR: the network address as a number of `width` bits and the prefix length. */
export interface ParsedCidr {
  /** 4 or 6. */
  readonly version: number;
  /** 32 or 128. */
  readonly width: number;
  /** The address bits. */
  readonly address: bigint;
  /** The prefix length. */
  readonly prefix: number;
  /** The text as given. */
  readonly text: string;
}

const V4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!V4_OCTET.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(p));
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
  let tail: bigint | undefined;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tail = parseV4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    return groups.every((g) => V6_GROUP.test(g)) ? groups : undefined;
  };
  const head = split(halves[0]);
  const rest = halves.length === 2 ? split(halves[1]) : [];
  if (!head || !rest) return undefined;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array(missing).fill('0'), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  return value;
}

function format(version: number, address: bigint, prefix: number): string {
  if (version === 4) {
    return `${[24n, 16n, 8n, 0n].map((s) => String((address >> s) & 0xffn)).join('.')}/${prefix}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((address >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
  return `${text}/${prefix}`;
}

/**
 * Parses a CIDR strictly: IPv4 dotted quad without leading zeros, or IPv6; the prefix is required and in range,
 * and no host bits are set (`10.0.0.1/8` is rejected, since the API server would either reject or reinterpret it).
 * Returns the parse, or a reason it failed.
 */
export function parseCidr(text: string): ParsedCidr | string {
  if (typeof text !== 'string') return 'not a string';
  const slash = text.indexOf('/');
  if (slash < 0) return 'missing "/<prefix>"';
  const ip = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const version = ip.includes(':') ? 6 : 4;
  const width = version === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > width) return `prefix must be 0-${width}`;
  const prefix = Number(prefixText);
  const address = version === 4 ? parseV4(ip) : parseV6(ip);
  if (address === undefined) return `"${ip}" is not an IPv${version} address`;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((address & hostMask) !== 0n) {
    return `host bits are set (did you mean ${format(version, address & ~hostMask, prefix)}?)`;
  }
  return { version, width, address, prefix, text };
}

/** Parses a CIDR or throws a PlatformError naming the scope and prop. */
export function requireCidr(scope: IConstruct, prop: string, text: string): ParsedCidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') {
    fail(scope, prop, text, `an IPv4 or IPv6 CIDR with a prefix and no host bits set, such as "10.0.0.0/8", "203.0.113.7/32" or "fd00::/8" (${parsed})`);
  }
  return parsed;
}

/** True when `inner` lies within `outer` (same family, and at least as long a prefix). */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  const shift = BigInt(outer.width - outer.prefix);
  return (outer.address >> shift) === (inner.address >> shift);
}

/** True when `inner` lies within `outer` and is smaller, as NetworkPolicy `ipBlock.except` requires. */
export function cidrStrictlyContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  return cidrContains(outer, inner) && inner.prefix > outer.prefix;
}
