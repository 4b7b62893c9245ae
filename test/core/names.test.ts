import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { childName, DNS_LABEL_MAX, DNS_SUBDOMAIN_MAX, isDnsLabel, isDnsSubdomain, requireDnsLabel, requireDnsSubdomain, requireLabels, requireLabelValue, requireQualifiedName } from '../../lib/core/names';

const scope = () => new Construct(new Chart(Testing.app(), 'chart'), 'thing');

describe('DNS-1123 labels', () => {
  test.each(['a', 'team-a', '0abc', 'a1-b2', 'x'.repeat(63)])('%p is a label', (v) => {
    expect(isDnsLabel(v)).toBe(true);
    expect(requireDnsLabel(scope(), 'name', v)).toBe(v);
  });

  test.each(['', 'Team', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(64), ' a'])('%p is not a label', (v) => {
    expect(isDnsLabel(v)).toBe(false);
    expect(() => requireDnsLabel(scope(), 'name', v)).toThrow(
      `[chart/thing] name: given ${JSON.stringify(v)}; allowed: a DNS-1123 label of at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit`);
  });

  test('a shorter limit is enforced and named', () => {
    expect(DNS_LABEL_MAX).toBe(63);
    expect(requireDnsLabel(scope(), 'name', 'x'.repeat(40), 40)).toHaveLength(40);
    expect(() => requireDnsLabel(scope(), 'name', 'x'.repeat(41), 40)).toThrow('allowed: a DNS-1123 label of at most 40 characters');
  });

  test('a non-string is rejected, not crashed on', () => {
    expect(isDnsLabel(undefined as any)).toBe(false);
    expect(() => requireDnsLabel(scope(), 'name', undefined as any)).toThrow('[chart/thing] name: given undefined; allowed: a DNS-1123 label');
  });
});

describe('DNS-1123 subdomains', () => {
  test.each(['a', 'a.b', 'tenant-admin', 'my.app-1.example.com', `${'a'.repeat(63)}.${'b'.repeat(63)}`])('%p is a subdomain', (v) => {
    expect(isDnsSubdomain(v)).toBe(true);
    expect(requireDnsSubdomain(scope(), 'name', v)).toBe(v);
  });

  test.each(['', 'A.b', 'a..b', '.a', 'a.', 'a_b', 'a.-b'])('%p is not a subdomain', (v) => {
    expect(isDnsSubdomain(v)).toBe(false);
    expect(() => requireDnsSubdomain(scope(), 'metadata.name', v)).toThrow(
      `[chart/thing] metadata.name: given ${JSON.stringify(v)}; allowed: a DNS-1123 subdomain of at most 253 characters: dot-separated DNS-1123 labels`);
  });

  test('253 characters is the limit', () => {
    expect(DNS_SUBDOMAIN_MAX).toBe(253);
    const ok = Array(4).fill('x'.repeat(62)).join('.') + '.a'; // 4*62 + 3 dots + 2 = 253
    expect(ok).toHaveLength(253);
    expect(isDnsSubdomain(ok)).toBe(true);
    expect(isDnsSubdomain(`${ok}b`)).toBe(false);
    expect(() => requireDnsSubdomain(scope(), 'name', `${ok}b`)).toThrow('allowed: a DNS-1123 subdomain of at most 253 characters');
    expect(() => requireDnsSubdomain(scope(), 'name', 'a'.repeat(11), 10)).toThrow('of at most 10 characters');
  });
});

describe('label values', () => {
  test.each(['', 'a', 'A_b.c-d', 'x'.repeat(63), '1.0'])('%p is a label value', (v) => {
    expect(requireLabelValue(scope(), 'labels', v)).toBe(v);
  });

  test.each(['-a', 'a-', 'a b', 'a/b', 'x'.repeat(64)])('%p is not a label value', (v) => {
    expect(() => requireLabelValue(scope(), 'labels', v)).toThrow(
      `[chart/thing] labels: given ${JSON.stringify(v)}; allowed: a label value of at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit`);
  });
});

describe('qualified names (label and annotation keys)', () => {
  test.each(['app', 'app.kubernetes.io/name', 'gpu-platform.dev/tenant', 'A_b', `${'x'.repeat(63)}`])('%p is a key', (k) => {
    expect(requireQualifiedName(scope(), 'labels key', k)).toBe(k);
  });

  test.each(['', '/name', 'a/b/c', 'Bad_Prefix/name', 'prefix/', 'x'.repeat(64), `p/${'x'.repeat(64)}`, '-a', 'a b'])('%p is not a key', (k) => {
    expect(() => requireQualifiedName(scope(), 'labels key', k)).toThrow(`[chart/thing] labels key: given ${JSON.stringify(k)}; allowed: a qualified name`);
  });
});

describe('requireLabels', () => {
  test('checks every key and value and names the offending entry', () => {
    expect(() => requireLabels(scope(), 'labels', { ok: 'yes', team: 'A team' })).toThrow('[chart/thing] labels["team"]: given "A team"; allowed: a label value');
    expect(() => requireLabels(scope(), 'labels', { 'bad key!': 'x' })).toThrow('[chart/thing] labels key: given "bad key!"; allowed: a qualified name');
    expect(() => requireLabels(scope(), 'labels', undefined)).not.toThrow();
    expect(() => requireLabels(scope(), 'labels', { 'app.kubernetes.io/name': 'llm' })).not.toThrow();
  });
});

describe('childName', () => {
  test('joins parts with "-" and skips empty parts', () => {
    expect(childName(scope(), 'name', ['llm', '', 'leader'])).toBe('llm-leader');
  });

  test('a derived name that overflows is an error naming the result', () => {
    const long = 'x'.repeat(60);
    expect(() => childName(scope(), 'name', [long, 'router'])).toThrow(`[chart/thing] name: given "${long}-router"; allowed: a DNS-1123 label of at most 63 characters`);
    expect(() => childName(scope(), 'name', ['a', 'b'], 2)).toThrow('of at most 2 characters');
  });
});
