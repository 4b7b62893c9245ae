import { App, Chart, Testing } from 'cdk8s';
import { buildTenants } from '../../examples/tenants';
import { Cpu, GpuResource, Labels, Memory, PodSecurityLevel, Storage, SyncWave } from '../../lib/core';
import { applyPlacement, checkFitsTenant } from '../../lib/core/tenant';
import { SYNC_WAVE_ANNOTATION } from '../../lib/core/sync-wave';
import { workloadSecurity } from '../../lib/core/security';
import { k8s } from '../../lib/core/k8s';
import { NodeTaintEffect, TenantNamespace, TenantNamespaceProps, TenantRole, TenantSubject } from '../../lib/tenancy';
import { synth, synthValid, validate } from '../harness';
import { cidrContains, parseCidr, ParsedCidr } from '../../lib/tenancy/cidr';

const PATH = 'test/Tenant';

function make(props: Partial<TenantNamespaceProps> = {}): { chart: Chart; tenant: TenantNamespace } {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  const tenant = new TenantNamespace(chart, 'Tenant', { name: 'team-a', ...props });
  return { chart, tenant };
}

/** Synthesizes and validates with every harness rule. */
function out(props: Partial<TenantNamespaceProps> = {}): any[] {
  return synthValid(make(props).chart);
}

function find(manifests: any[], kind: string, name: string): any {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name} in ${manifests.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
}

function kinds(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

/** Asserts the construct error names the path, the prop, the value given and the rule. */
function expectError(props: Partial<TenantNamespaceProps>, prop: string, given: string, allowed: string | RegExp): void {
  let message = '';
  try {
    make(props);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain(`[${PATH}] ${prop}: given ${given}; allowed: `);
  if (typeof allowed === 'string') expect(message).toContain(allowed);
  else expect(message).toMatch(allowed);
}

const GPU_TENANT: Partial<TenantNamespaceProps> = {
  name: 'ml-team',
  labels: { team: 'ml' },
  annotations: { 'example.com/owner': 'ml@example.com' },
  quota: {
    cpuRequests: Cpu.cores(32),
    cpuLimits: Cpu.cores(64),
    memoryRequests: Memory.gibibytes(256),
    memoryLimits: Memory.gibibytes(512),
    gpus: [
      { resource: GpuResource.NVIDIA_GPU, count: 4, maxPerContainer: 2 },
      { resource: GpuResource.mig('1g.10gb'), count: 7 },
    ],
    pods: 50,
    services: 10,
    secrets: 40,
    configMaps: 30,
    persistentVolumeClaims: 10,
    storageRequests: Storage.tebibytes(1),
    storageClasses: [{ storageClassName: 'fast-ssd', storageRequests: Storage.gibibytes(500), persistentVolumeClaims: 4 }],
  },
  podLimits: { maxCpu: Cpu.cores(16), maxMemory: Memory.gibibytes(128) },
  pvcLimits: { minStorage: Storage.gibibytes(1), maxStorage: Storage.gibibytes(200) },
  network: {
    dns: { nodeLocalAddress: '169.254.20.10' },
    ingressFrom: [
      { namespace: 'ingress-nginx', ports: [8000], podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      { namespace: 'monitoring', ports: [8000, 9090] },
    ],
    internetEgress: { ports: [443] },
    egressToNamespaces: [{ namespace: 'object-store', ports: [9000] }],
    egressToCidrs: [{ cidr: '10.20.0.0/16', ports: [5432] }],
  },
  admins: [TenantSubject.group('ml-admins')],
  developers: [TenantSubject.user('alice@example.com'), TenantSubject.serviceAccount('ci-deployer')],
  viewers: [TenantSubject.group('ml-viewers'), TenantSubject.serviceAccount('dashboard', 'observability')],
  nodePool: { nodeLabel: { key: 'gpu-platform.dev/pool', value: 'gpu-a100' }, taint: { key: 'nvidia.com/gpu', value: 'present' } },
};

describe('TenantNamespace', () => {
  test('snapshot: GPU tenant with every feature', () => {
    expect(out(GPU_TENANT)).toMatchSnapshot();
  });

  test('snapshot: minimal tenant', () => {
    expect(out()).toMatchSnapshot();
  });

  test('exposes what it creates as public fields', () => {
    const { tenant } = make(GPU_TENANT);
    expect(tenant.namespace.name).toBe('ml-team');
    expect(tenant.resourceQuota.name).toBe('tenant-quota');
    expect(tenant.limitRange?.name).toBe('tenant-limits');
    expect(tenant.networkPolicies.map((p) => p.name)).toEqual([
      'default-deny', 'allow-same-namespace', 'allow-dns', 'allow-ingress-from-ingress-nginx', 'allow-ingress-from-monitoring',
      'allow-internet-egress', 'allow-egress-to-object-store', 'allow-egress-to-cidrs',
    ]);
    expect(tenant.roles.map((r) => r.name)).toEqual(['tenant-admin', 'tenant-developer', 'tenant-viewer']);
    expect(tenant.bindings.map((b) => b.name)).toEqual(['tenant-admin', 'tenant-developer', 'tenant-viewer']);
    expect(tenant.serviceAccount.name).toBe('default');
    expect(tenant.podSecurityLevel).toBe(PodSecurityLevel.RESTRICTED);
  });

  test('every namespaced object sets the tenant namespace and labels', () => {
    for (const m of out(GPU_TENANT)) {
      expect(m.metadata.labels[Labels.TENANT]).toBe('ml-team');
      expect(m.metadata.labels[Labels.MANAGED_BY]).toBe(Labels.MANAGED_BY_VALUE);
      if (m.kind !== 'Namespace') expect(m.metadata.namespace).toBe('ml-team');
    }
  });

  // ------------------------------------------------------------------ 1. Namespace

  describe('1. Namespace', () => {
    test('is named exactly as given, with tenant label, user labels and annotations', () => {
      const ns = find(out(GPU_TENANT), 'Namespace', 'ml-team');
      expect(ns.metadata.labels).toMatchObject({ [Labels.TENANT]: 'ml-team', team: 'ml' });
      expect(ns.metadata.annotations).toMatchObject({ 'example.com/owner': 'ml@example.com' });
    });

    test('tenantName can differ from the namespace name', () => {
      const { tenant } = make({ name: 'team-a-prod', tenantName: 'team-a' });
      expect(tenant.namespaceName).toBe('team-a-prod');
      expect(tenant.tenantName).toBe('team-a');
      expect(find(synth(tenant.node.scope as Chart), 'Namespace', 'team-a-prod').metadata.labels[Labels.TENANT]).toBe('team-a');
    });

    test('Pod Security is restricted for enforce, audit and warn, pinned to v1.27 by default', () => {
      expect(find(out(), 'Namespace', 'team-a').metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.27',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'v1.27',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'v1.27',
      });
    });

    test('Pod Security levels and version are configurable, latest allowed', () => {
      const { tenant, chart } = make({ podSecurity: { enforce: PodSecurityLevel.BASELINE, audit: PodSecurityLevel.RESTRICTED, warn: PodSecurityLevel.RESTRICTED, version: 'latest' } });
      expect(tenant.podSecurityLevel).toBe(PodSecurityLevel.BASELINE);
      expect(find(synthValid(chart), 'Namespace', 'team-a').metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
      });
    });

    test('a level given as a known string (untyped callers) is accepted', () => {
      const { tenant } = make({ podSecurity: { enforce: 'baseline' as any } });
      expect(tenant.podSecurityLevel).toBe(PodSecurityLevel.BASELINE);
    });
  });

  // ------------------------------------------------------------------ 2. ResourceQuota

  describe('2. ResourceQuota', () => {
    const hard = (props: Partial<TenantNamespaceProps>) => find(out(props), 'ResourceQuota', 'tenant-quota').spec.hard;

    test('CPU and memory requests and limits', () => {
      expect(hard(GPU_TENANT)).toMatchObject({ 'requests.cpu': '32', 'limits.cpu': '64', 'requests.memory': '256Gi', 'limits.memory': '512Gi' });
    });

    test('GPUs only under requests.<resource>, whole GPUs and MIG profiles, never limits.', () => {
      const h = hard(GPU_TENANT);
      expect(h['requests.nvidia.com/gpu']).toBe(4);
      expect(h['requests.nvidia.com/mig-1g.10gb']).toBe(7);
      expect(Object.keys(h).filter((k) => k.startsWith('limits.nvidia.com'))).toEqual([]);
    });

    test('custom GPU resources', () => {
      expect(hard({ quota: { gpus: [{ resource: GpuResource.custom('amd.com/gpu'), count: 2 }] } })['requests.amd.com/gpu']).toBe(2);
    });

    test('a tenant without a GPU quota gets requests.nvidia.com/gpu: 0', () => {
      expect(hard({})['requests.nvidia.com/gpu']).toBe(0);
      expect(hard({ quota: { gpus: [{ resource: GpuResource.mig('2g.20gb'), count: 3 }] } })['requests.nvidia.com/gpu']).toBe(0);
    });

    test('object counts', () => {
      expect(hard(GPU_TENANT)).toMatchObject({ pods: 50, services: 10, secrets: 40, configmaps: 30, persistentvolumeclaims: 10 });
    });

    test('storage in total and per StorageClass', () => {
      expect(hard(GPU_TENANT)).toMatchObject({
        'requests.storage': '1Ti',
        'fast-ssd.storageclass.storage.k8s.io/requests.storage': '500Gi',
        'fast-ssd.storageclass.storage.k8s.io/persistentvolumeclaims': 4,
      });
    });

    test('NodePort and LoadBalancer Services are 0 unless allowed', () => {
      expect(hard({})).toMatchObject({ 'services.nodeports': 0, 'services.loadbalancers': 0 });
      expect(hard({ quota: { nodePortServices: 2, loadBalancerServices: 1 } })).toMatchObject({ 'services.nodeports': 2, 'services.loadbalancers': 1 });
    });

    test('no quantity synthesizes to null', () => {
      for (const v of Object.values(hard(GPU_TENANT))) expect(v === null || v === undefined).toBe(false);
    });
  });

  // ------------------------------------------------------------------ 3. LimitRange

  describe('3. LimitRange', () => {
    const limits = (props: Partial<TenantNamespaceProps>) => {
      const lr = out(props).find((m) => m.kind === 'LimitRange');
      return lr ? lr.spec.limits : undefined;
    };
    const containerItem = (props: Partial<TenantNamespaceProps>) => limits(props).find((l: any) => l.type === 'Container');

    test('no LimitRange when there is no cpu/memory quota and no limits', () => {
      expect(limits({})).toBeUndefined();
    });

    test('a cpu/memory quota always brings container default and defaultRequest', () => {
      const c = containerItem({ quota: { cpuRequests: Cpu.cores(8), memoryLimits: Memory.gibibytes(16) } });
      expect(c.default).toEqual({ cpu: '1', memory: '512Mi' });
      expect(c.defaultRequest).toEqual({ cpu: '100m', memory: '128Mi' });
    });

    test('computed defaults fit a small quota and the container max', () => {
      const c = containerItem({
        quota: { cpuLimits: Cpu.millis(500), memoryRequests: Memory.mebibytes(64) },
        containerLimits: { maxMemory: Memory.mebibytes(256) },
      });
      expect(c.default).toEqual({ cpu: '500m', memory: '256Mi' });
      expect(c.defaultRequest).toEqual({ cpu: '100m', memory: '64Mi' });
      expect(c.max).toEqual({ memory: '256Mi' });
    });

    test('computed default request is raised to the minimum', () => {
      const c = containerItem({ containerLimits: { minCpu: Cpu.millis(250) } });
      expect(c.defaultRequest.cpu).toBe('250m');
      expect(c.min).toEqual({ cpu: '250m' });
    });

    test('given defaults, min and max are emitted as given', () => {
      const c = containerItem({
        containerLimits: {
          defaultCpuLimit: Cpu.cores(2), defaultCpuRequest: Cpu.millis(500), minCpu: Cpu.millis(100), maxCpu: Cpu.cores(8),
          defaultMemoryLimit: Memory.gibibytes(4), defaultMemoryRequest: Memory.gibibytes(1), minMemory: Memory.mebibytes(64), maxMemory: Memory.gibibytes(64),
        },
      });
      expect(c).toEqual({
        type: 'Container',
        default: { cpu: '2', memory: '4Gi' },
        defaultRequest: { cpu: '500m', memory: '1Gi' },
        min: { cpu: '100m', memory: '64Mi' },
        max: { cpu: '8', memory: '64Gi' },
      });
    });

    test('max GPUs per container, with a default of 0 so the API server does not default to the max', () => {
      const c = containerItem(GPU_TENANT);
      expect(c.max['nvidia.com/gpu']).toBe(2);
      expect(c.default['nvidia.com/gpu']).toBe(0);
      expect(c.defaultRequest['nvidia.com/gpu']).toBe(0);
      expect(c.max['nvidia.com/mig-1g.10gb']).toBeUndefined();
    });

    test('per-pod max and PVC min/max', () => {
      const l = limits(GPU_TENANT);
      expect(l.find((x: any) => x.type === 'Pod')).toEqual({ type: 'Pod', max: { cpu: '16', memory: '128Gi' } });
      expect(l.find((x: any) => x.type === 'PersistentVolumeClaim')).toEqual({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '200Gi' } });
    });

    test('a pod without requests still passes the quota (harness rule quota-requires-requests)', () => {
      const { chart } = make({ quota: { cpuRequests: Cpu.cores(4), cpuLimits: Cpu.cores(8), memoryRequests: Memory.gibibytes(8), memoryLimits: Memory.gibibytes(16) } });
      const security = workloadSecurity(chart, 'security');
      new k8s.KubePod(chart, 'Bare', {
        metadata: { name: 'bare', namespace: 'team-a' },
        spec: { securityContext: security.pod, containers: [{ name: 'app', image: 'nginx:1.27', securityContext: security.container }] },
      });
      const manifests = synth(chart);
      expect(validate(manifests).filter((v) => v.rule === 'quota-requires-requests')).toEqual([]);
      // And without our LimitRange the same pod would be caught.
      expect(validate(manifests.filter((m) => m.kind !== 'LimitRange')).filter((v) => v.rule === 'quota-requires-requests').length).toBeGreaterThan(0);
    });
  });

  // ------------------------------------------------------------------ 4. NetworkPolicies

  describe('4. NetworkPolicies', () => {
    const policies = (props: Partial<TenantNamespaceProps>) => kinds(out(props), 'NetworkPolicy');
    const policy = (props: Partial<TenantNamespaceProps>, name: string) => find(out(props), 'NetworkPolicy', name);

    test('default deny for ingress and egress, both policyTypes listed, no rules', () => {
      expect(policy({}, 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    test('every policy lists its policyTypes and carries only rules of those types', () => {
      for (const p of policies(GPU_TENANT)) {
        expect(p.spec.policyTypes.length).toBeGreaterThan(0);
        if (p.spec.ingress) expect(p.spec.policyTypes).toContain('Ingress');
        if (p.spec.egress) expect(p.spec.policyTypes).toContain('Egress');
      }
    });

    test('traffic within the namespace is allowed both ways, and can be turned off', () => {
      expect(policy({}, 'allow-same-namespace').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      });
      expect(policies({ network: { allowSameNamespace: false } }).map((p) => p.metadata.name)).not.toContain('allow-same-namespace');
    });

    test('DNS egress to kube-dns on UDP and TCP 53, namespace and pod selector as ONE peer', () => {
      const spec = policy({}, 'allow-dns').spec;
      expect(spec.policyTypes).toEqual(['Egress']);
      expect(spec.egress).toHaveLength(1);
      expect(spec.egress[0].to).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      }]);
      expect(spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    });

    test('NodeLocal DNSCache address as an ipBlock /32, and a custom DNS location', () => {
      expect(policy(GPU_TENANT, 'allow-dns').spec.egress[0].to[1]).toEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
      const to = policy({ network: { dns: { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } } }, 'allow-dns').spec.egress[0].to;
      expect(to).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
        podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
      }]);
    });

    test('ingress from named namespaces on the given ports', () => {
      expect(policy(GPU_TENANT, 'allow-ingress-from-ingress-nginx').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
          }],
          ports: [{ protocol: 'TCP', port: 8000 }],
        }],
      });
      expect(policy(GPU_TENANT, 'allow-ingress-from-monitoring').spec.ingress[0]).toEqual({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 8000 }, { protocol: 'TCP', port: 9090 }],
      });
    });

    test('internet egress always excludes the metadata addresses, and the private ranges by default', () => {
      const spec = policy(GPU_TENANT, 'allow-internet-egress').spec;
      expect(spec.policyTypes).toEqual(['Egress']);
      expect(spec.egress[0].to).toEqual([
        { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '100.100.100.200/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
        // fd00:ec2::254 (AWS IMDS) lies inside fc00::/7, so it is not listed twice.
        { ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fc00::/7'] } },
      ]);
      expect(spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    });

    test('allowing private ranges keeps the metadata addresses blocked; extra blocked ranges are added', () => {
      const to = policy({ network: { internetEgress: { allowPrivateRanges: true, blockedCidrs: ['169.254.170.23/32', '2001:db8::/32'] } } }, 'allow-internet-egress').spec.egress[0].to;
      expect(to).toEqual([
        { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '100.100.100.200/32'] } },
        { ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fd00:ec2::254/128', '2001:db8::/32'] } },
      ]);
    });

    test('internet egress blocks all of link-local; NodeLocal DNS stays reachable on 53 through allow-dns only', () => {
      const props: Partial<TenantNamespaceProps> = { network: { dns: { nodeLocalAddress: '169.254.20.10' }, internetEgress: { ports: [443] } } };
      const internet = policy(props, 'allow-internet-egress').spec.egress[0];
      const v4 = internet.to[0].ipBlock;
      expect(v4.except).toContain('169.254.0.0/16');
      // Every link-local address the old /32 left open on 443: Pod Identity, ECS credentials, NodeLocal DNS.
      for (const ip of ['169.254.170.23', '169.254.170.2', '169.254.20.10', '169.254.0.1']) {
        expect(v4.except.some((e: string) => cidrContains(parseCidr(e) as ParsedCidr, parseCidr(`${ip}/32`) as ParsedCidr))).toBe(true);
      }
      expect(internet.to[1].ipBlock.except).toContain('fe80::/10');
      const dns = policy(props, 'allow-dns').spec.egress[0];
      expect(dns.to).toContainEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
      expect(dns.ports.map((p: any) => p.port)).toEqual([53, 53]);
    });

    test('egress to named namespaces and to CIDRs', () => {
      expect(policy(GPU_TENANT, 'allow-egress-to-object-store').spec).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'object-store' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }],
      });
      expect(policy(GPU_TENANT, 'allow-egress-to-cidrs').spec.egress).toEqual([
        { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ]);
    });

    test('a CIDR that contains a metadata address gets it in except; IPv6 CIDRs work', () => {
      const egress = policy({
        network: { egressToCidrs: [{ cidr: '169.254.0.0/16', except: ['169.254.20.0/24'] }, { cidr: '2001:db8:1::/48' }, { cidr: 'fd00::/8' }] },
      }, 'allow-egress-to-cidrs').spec.egress;
      expect(egress.map((r: any) => r.to[0].ipBlock)).toEqual([
        { cidr: '169.254.0.0/16', except: ['169.254.20.0/24', '169.254.169.254/32'] },
        { cidr: '2001:db8:1::/48' },
        { cidr: 'fd00::/8', except: ['fd00:ec2::254/128'] },
      ]);
    });

    test('CIDR forms: IPv4-mapped IPv6, full IPv6, /0 and /32', () => {
      const cidrs = ['::ffff:10.0.0.0/104', '2001:0db8:0000:0000:0000:0000:0000:0000/32', '198.51.100.7/32', '203.0.113.0/24'];
      const egress = policy({ network: { egressToCidrs: cidrs.map((cidr) => ({ cidr })) } }, 'allow-egress-to-cidrs').spec.egress;
      expect(egress.map((r: any) => r.to[0].ipBlock.cidr)).toEqual(cidrs);
    });

    test('no egress rule anywhere reaches a metadata address', () => {
      const props: Partial<TenantNamespaceProps> = { ...GPU_TENANT, network: { ...GPU_TENANT.network, egressToCidrs: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] } };
      const v4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      const inV4 = (ip: string, cidr: string) => {
        const [net, len] = cidr.split('/');
        const size = 2 ** (32 - Number(len));
        return cidr.includes('.') && Math.floor(v4(ip) / size) === Math.floor(v4(net) / size);
      };
      let checked = 0;
      for (const p of policies(props)) {
        for (const rule of p.spec.egress ?? []) {
          expect(rule.to).toBeDefined(); // a rule without `to` would allow every address
          for (const peer of rule.to) {
            if (!peer.ipBlock) continue;
            for (const meta of ['169.254.169.254', '100.100.100.200']) {
              if (inV4(meta, peer.ipBlock.cidr) && peer.ipBlock.cidr !== `${meta}/32`) {
                expect((peer.ipBlock.except ?? []).some((e: string) => e.includes('.') && inV4(meta, e))).toBe(true);
                checked++;
              }
            }
            if (peer.ipBlock.cidr === '::/0') {
              const imds = parseCidr('fd00:ec2::254/128') as ParsedCidr;
              expect(peer.ipBlock.except.some((e: string) => cidrContains(parseCidr(e) as ParsedCidr, imds))).toBe(true);
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThanOrEqual(6);
    });
  });

  // ------------------------------------------------------------------ 5. RBAC

  describe('5. RBAC', () => {
    const role = (name: string) => find(out(), 'Role', name);
    const allows = (r: any, group: string, resource: string, verb: string) =>
      r.rules.some((rule: any) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb));

    test('three roles exist; no binding without subjects', () => {
      const m = out();
      expect(kinds(m, 'Role').map((r) => r.metadata.name)).toEqual(['tenant-admin', 'tenant-developer', 'tenant-viewer']);
      expect(kinds(m, 'RoleBinding')).toEqual([]);
    });

    test('no rule has a wildcard, an escalation verb or write access to the guardrails', () => {
      const forbiddenVerbs = ['*', 'escalate', 'bind', 'impersonate'];
      const guardrails = ['namespaces', 'resourcequotas', 'limitranges', 'networkpolicies', 'roles', 'rolebindings', 'serviceaccounts/token', 'nodes/proxy', 'persistentvolumes'];
      const writes = ['create', 'update', 'patch', 'delete', 'deletecollection'];
      let rules = 0;
      for (const r of kinds(out(GPU_TENANT), 'Role')) {
        for (const rule of r.rules) {
          rules++;
          expect(rule.apiGroups).not.toContain('*');
          expect(rule.resources).not.toContain('*');
          for (const res of rule.resources) expect(res.includes('*')).toBe(false);
          expect(rule.nonResourceURLs).toBeUndefined();
          for (const v of forbiddenVerbs) expect(rule.verbs).not.toContain(v);
          for (const g of guardrails) {
            if (rule.resources.includes(g)) for (const w of writes) expect(rule.verbs).not.toContain(w);
          }
        }
      }
      expect(rules).toBeGreaterThan(10);
    });

    test('admin: full control of workloads, pods, logs, exec, services, configmaps, secrets, PVCs, HPAs, PDBs, jobs', () => {
      const admin = role('tenant-admin');
      for (const [group, resource] of [['apps', 'deployments'], ['apps', 'statefulsets'], ['', 'pods'], ['', 'services'], ['', 'configmaps'],
        ['', 'secrets'], ['', 'persistentvolumeclaims'], ['autoscaling', 'horizontalpodautoscalers'], ['policy', 'poddisruptionbudgets'], ['batch', 'jobs']]) {
        for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) expect(allows(admin, group, resource, verb)).toBe(true);
      }
      expect(allows(admin, '', 'pods/log', 'get')).toBe(true);
      expect(allows(admin, '', 'pods/exec', 'create')).toBe(true);
    });

    test('admin: read-only on quota, limits and network policies', () => {
      const admin = role('tenant-admin');
      for (const [group, resource] of [['', 'resourcequotas'], ['', 'limitranges'], ['networking.k8s.io', 'networkpolicies']]) {
        expect(allows(admin, group, resource, 'get')).toBe(true);
        expect(allows(admin, group, resource, 'list')).toBe(true);
        expect(allows(admin, group, resource, 'update')).toBe(false);
        expect(allows(admin, group, resource, 'delete')).toBe(false);
      }
    });

    test('developer: create and update deployments, read pods, logs, services, configmaps; no secrets, no bare pods', () => {
      const dev = role('tenant-developer');
      for (const verb of ['create', 'update', 'patch', 'get']) expect(allows(dev, 'apps', 'deployments', verb)).toBe(true);
      expect(allows(dev, '', 'pods', 'create')).toBe(false);
      expect(allows(dev, '', 'pods', 'list')).toBe(true);
      for (const r of ['pods/log', 'services', 'configmaps']) expect(allows(dev, '', r, 'get')).toBe(true);
      expect(allows(dev, '', 'services', 'create')).toBe(false);
      expect(allows(dev, '', 'pods/exec', 'create')).toBe(false);
      expect(dev.rules.some((r: any) => r.resources.includes('secrets'))).toBe(false);
    });

    test('developer and viewer: no path to secret contents or other identities through the API', () => {
      // Subresources that read a running container (its env and mounted secrets) or act as another identity.
      const forbidden = ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'pods/ephemeralcontainers',
        'services/proxy', 'nodes/proxy', 'serviceaccounts/token', 'roles', 'rolebindings', 'persistentvolumes'];
      for (const name of ['tenant-developer', 'tenant-viewer']) {
        const r = role(name);
        for (const res of forbidden) expect([name, res, r.rules.some((rule: any) => rule.resources.includes(res))]).toEqual([name, res, false]);
        // Reading a ServiceAccount object is harmless (no token in it since 1.24); changing one is not.
        for (const verb of ['create', 'update', 'patch', 'delete']) expect(allows(r, '', 'serviceaccounts', verb)).toBe(false);
      }
      // Residual risk without the admission policies (see the effective-permission table in docs/tenancy.md):
      // a Deployment's pods may mount a Secret of the namespace, and the developer reads their logs.
      expect(allows(role('tenant-developer'), 'apps', 'deployments', 'create')).toBe(true);
      expect(allows(role('tenant-developer'), '', 'pods/log', 'get')).toBe(true);
    });

    test('admin: no token minting, no ephemeral containers, no attach/port-forward/proxy; exec only through pods/exec', () => {
      const admin = role('tenant-admin');
      for (const res of ['serviceaccounts/token', 'pods/ephemeralcontainers', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'roles', 'rolebindings']) {
        expect([res, admin.rules.some((rule: any) => rule.resources.includes(res))]).toEqual([res, false]);
      }
      for (const verb of ['create', 'update', 'patch', 'delete']) expect(allows(admin, '', 'serviceaccounts', verb)).toBe(false);
    });

    test('viewer: read-only, no secrets', () => {
      const viewer = role('tenant-viewer');
      expect(viewer.rules.every((r: any) => r.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v)))).toBe(true);
      expect(viewer.rules.some((r: any) => r.resources.includes('secrets'))).toBe(false);
      expect(allows(viewer, 'apps', 'deployments', 'list')).toBe(true);
      expect(allows(viewer, '', 'pods/log', 'get')).toBe(true);
    });

    test('bindings go to users, groups and service accounts (tenant namespace by default)', () => {
      const m = out(GPU_TENANT);
      expect(find(m, 'RoleBinding', 'tenant-admin')).toMatchObject({
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' },
        subjects: [{ kind: 'Group', name: 'ml-admins', apiGroup: 'rbac.authorization.k8s.io' }],
      });
      expect(find(m, 'RoleBinding', 'tenant-developer').subjects).toEqual([
        { kind: 'User', name: 'alice@example.com', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'ml-team' },
      ]);
      expect(find(m, 'RoleBinding', 'tenant-viewer').subjects).toEqual([
        { kind: 'Group', name: 'ml-viewers', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'dashboard', namespace: 'observability' },
      ]);
    });

    test('only roles with subjects get a binding; duplicate subjects are bound once', () => {
      const m = out({ viewers: [TenantSubject.group('g'), TenantSubject.group('g')] });
      expect(kinds(m, 'RoleBinding').map((b) => b.metadata.name)).toEqual(['tenant-viewer']);
      expect(find(m, 'RoleBinding', 'tenant-viewer').subjects).toHaveLength(1);
    });

    test('TenantRole exposes the rules it emits', () => {
      expect(find(out(), 'Role', 'tenant-viewer').rules).toEqual(TenantRole.VIEWER.rules);
    });
  });

  // ------------------------------------------------------------------ 6. Node pool

  describe('6. Node-pool isolation', () => {
    test('hard isolation: node selector, toleration and both namespace annotations', () => {
      const { tenant, chart } = make(GPU_TENANT);
      const toleration = { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' };
      expect(tenant.placement).toEqual({ nodeSelector: { 'gpu-platform.dev/pool': 'gpu-a100' }, tolerations: [toleration] });
      const ns = find(synthValid(chart), 'Namespace', 'ml-team');
      expect(ns.metadata.annotations['scheduler.alpha.kubernetes.io/node-selector']).toBe('gpu-platform.dev/pool=gpu-a100');
      expect(JSON.parse(ns.metadata.annotations['scheduler.alpha.kubernetes.io/defaultTolerations'])).toEqual([toleration]);
    });

    test('soft isolation: preferred node labels, no node-selector annotation', () => {
      const { tenant, chart } = make({ nodePool: { nodeLabel: { key: 'pool', value: 'cpu' }, taint: { key: 'dedicated', value: 'team-a', effect: NodeTaintEffect.PREFER_NO_SCHEDULE }, soft: true } });
      expect(tenant.placement).toEqual({
        preferredNodeLabels: { pool: 'cpu' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'team-a', effect: 'PreferNoSchedule' }],
      });
      const annotations = find(synth(chart), 'Namespace', 'team-a').metadata.annotations ?? {};
      expect(annotations['scheduler.alpha.kubernetes.io/node-selector']).toBeUndefined();
      expect(annotations['scheduler.alpha.kubernetes.io/defaultTolerations']).toBeDefined();
    });

    test('an effect given as the Kubernetes string (untyped callers) is accepted', () => {
      expect(make({ nodePool: { nodeLabel: { key: 'pool', value: 'gpu' }, taint: { key: 'gpu', effect: 'NoExecute' as any } } }).tenant.placement.tolerations?.[0].effect).toBe('NoExecute');
    });

    test('a taint without a value is tolerated with Exists; an untainted pool needs no toleration', () => {
      expect(make({ nodePool: { nodeLabel: { key: 'pool', value: 'gpu' }, taint: { key: 'nvidia.com/gpu', effect: NodeTaintEffect.NO_EXECUTE } } }).tenant.placement.tolerations)
        .toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }]);
      const { tenant, chart } = make({ nodePool: { nodeLabel: { key: 'pool', value: 'gpu' } } });
      expect(tenant.placement).toEqual({ nodeSelector: { pool: 'gpu' }, tolerations: undefined });
      expect(find(synth(chart), 'Namespace', 'team-a').metadata.annotations['scheduler.alpha.kubernetes.io/defaultTolerations']).toBeUndefined();
    });

    test('no node pool: empty placement', () => {
      expect(make().tenant.placement).toEqual({});
    });

    test('workloads apply the placement', () => {
      const spec = applyPlacement({ containers: [] }, make(GPU_TENANT).tenant.placement);
      expect(spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'gpu-a100' });
      expect(spec.tolerations).toHaveLength(1);
    });
  });

  // ------------------------------------------------------------------ 7. ServiceAccount, 8. quota view, sync waves

  test('7. the default ServiceAccount does not mount a token', () => {
    expect(find(out(), 'ServiceAccount', 'default')).toMatchObject({ metadata: { namespace: 'team-a' }, automountServiceAccountToken: false });
  });

  test('8. the quota is readable by other constructs', () => {
    const { tenant } = make(GPU_TENANT);
    expect(tenant.quota.cpuRequests?.text).toBe('32');
    expect(tenant.quota.memoryLimits?.bytes).toBe(512 * 2 ** 30);
    expect(tenant.quota.gpus).toEqual([
      { resource: GpuResource.NVIDIA_GPU, count: 4 },
      { resource: GpuResource.mig('1g.10gb'), count: 7 },
    ]);
    expect(make().tenant.quota.gpus).toEqual([]);
  });

  test('8. checkFitsTenant uses the tenant quota', () => {
    const { chart, tenant } = make(GPU_TENANT);
    checkFitsTenant(chart, tenant, () => ({ description: '3 replicas', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }] }));
    expect(() => synth(chart)).toThrow(/at most 4 under tenant "ml-team" quota requests.nvidia.com\/gpu/);
  });

  test('sync waves: Namespace first, every policy object next', () => {
    for (const m of out(GPU_TENANT)) {
      const wave = m.metadata.annotations[SYNC_WAVE_ANNOTATION];
      expect(wave).toBe(String(m.kind === 'Namespace' ? SyncWave.NAMESPACE : SyncWave.POLICY));
    }
  });

  test('output does not depend on the construct id', () => {
    const a = make(GPU_TENANT).chart;
    const app = Testing.app();
    const b = new Chart(app, 'test');
    new TenantNamespace(b, 'Renamed', { name: 'team-a', ...GPU_TENANT });
    expect(JSON.stringify(synth(b))).toBe(JSON.stringify(synth(a)));
  });

  // ------------------------------------------------------------------ errors

  describe('errors', () => {
    test('invalid namespace name', () => {
      expectError({ name: 'ML_Team' }, 'name', '"ML_Team"', 'a DNS-1123 label of at most 63 characters');
    });

    test('too-long namespace name', () => {
      const long = 'a'.repeat(64);
      expectError({ name: long }, 'name', `"${long}"`, 'at most 63 characters');
    });

    test('reserved namespace name', () => {
      expectError({ name: 'kube-system' }, 'name', '"kube-system"', 'not "default" or a "kube-" namespace');
    });

    test('invalid tenant name', () => {
      expectError({ tenantName: 'team a' }, 'tenantName', '"team a"', 'a label value');
    });

    test('negative GPU count', () => {
      expectError({ quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: -1 }] } }, 'quota.gpus[0].count', '-1', 'a whole number of GPUs >= 0');
    });

    test('fractional GPU count', () => {
      expectError({ quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 1.5 }] } }, 'quota.gpus[0].count', '1.5', 'a whole number of GPUs >= 0');
    });

    test('invalid MIG profile', () => {
      expectError({ quota: { gpus: [{ resource: GpuResource.mig('9g.80gb'), count: 1 }] } }, 'quota.gpus[0].resource', '"nvidia.com/mig-9g.80gb"', 'a MIG profile');
    });

    test('the same GPU resource twice', () => {
      expectError({ quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 1 }, { resource: GpuResource.NVIDIA_GPU, count: 2 }] } },
        'quota.gpus[1].resource', '"nvidia.com/gpu"', 'each GPU resource once');
    });

    test('a CPU quantity that does not parse', () => {
      expectError({ quota: { cpuRequests: Cpu.parse('lots') } }, 'quota.cpuRequests', '"lots"', 'a CPU quantity');
    });

    test('a memory quantity that does not parse', () => {
      expectError({ quota: { memoryLimits: Memory.parse('16GB') } }, 'quota.memoryLimits', '"16GB"', 'a memory quantity');
    });

    test('a storage quantity that does not parse', () => {
      expectError({ pvcLimits: { maxStorage: Storage.parse('1 TB') } }, 'pvcLimits.maxStorage', '"1 TB"', 'a storage quantity');
    });

    test('a negative object count', () => {
      expectError({ quota: { pods: -5 } }, 'quota.pods', '-5', 'an integer >= 0');
    });

    test('an invalid StorageClass name', () => {
      expectError({ quota: { storageClasses: [{ storageClassName: 'Fast_SSD', storageRequests: Storage.gibibytes(1) }] } },
        'quota.storageClasses[0].storageClassName', '"Fast_SSD"', 'a DNS-1123 subdomain');
    });

    test('LimitRange default above max', () => {
      expectError({ containerLimits: { defaultCpuLimit: Cpu.cores(4), maxCpu: Cpu.cores(2) } },
        'containerLimits.defaultCpuLimit', '"4"', 'at most containerLimits.maxCpu (2)');
    });

    test('LimitRange default below min', () => {
      expectError({ containerLimits: { defaultMemoryLimit: Memory.mebibytes(128), minMemory: Memory.mebibytes(256) } },
        'containerLimits.defaultMemoryLimit', '"128Mi"', 'at least containerLimits.minMemory (256Mi)');
    });

    test('LimitRange defaultRequest above default', () => {
      expectError({ containerLimits: { defaultCpuLimit: Cpu.millis(500), defaultCpuRequest: Cpu.cores(1) } },
        'containerLimits.defaultCpuRequest', '"1"', 'at most containerLimits.defaultCpuLimit (500m)');
    });

    test('LimitRange default above the quota', () => {
      expectError({ quota: { memoryLimits: Memory.gibibytes(1) }, containerLimits: { defaultMemoryLimit: Memory.gibibytes(2) } },
        'containerLimits.defaultMemoryLimit', '"2Gi"', 'at most quota.memoryLimits (1Gi)');
    });

    test('LimitRange min above max', () => {
      expectError({ containerLimits: { minCpu: Cpu.cores(4), maxCpu: Cpu.cores(2) } }, 'containerLimits.minCpu', '"4"', 'at most containerLimits.maxCpu (2)');
    });

    test('PVC min above max', () => {
      expectError({ pvcLimits: { minStorage: Storage.gibibytes(10), maxStorage: Storage.gibibytes(5) } }, 'pvcLimits.minStorage', '"10Gi"', 'at most pvcLimits.maxStorage (5Gi)');
    });

    test('max GPUs per container above the GPU quota', () => {
      expectError({ quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4, maxPerContainer: 8 }] } },
        'quota.gpus[0].maxPerContainer', '8', "at most the tenant's quota of 4 x nvidia.com/gpu");
    });

    test('an unknown Pod Security level', () => {
      expectError({ podSecurity: { enforce: 'superuser' as any } }, 'podSecurity.enforce', '"superuser"', 'one of "restricted", "baseline", "privileged"');
      expectError({ podSecurity: { warn: 'strict' as any } }, 'podSecurity.warn', '"strict"', 'one of "restricted", "baseline", "privileged"');
    });

    test('an invalid Pod Security version', () => {
      expectError({ podSecurity: { version: '1.27' } }, 'podSecurity.version', '"1.27"', '"latest" or a version "v1.<minor>"');
    });

    test('a user label that the construct manages', () => {
      expectError({ labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }, 'labels key', '"pod-security.kubernetes.io/enforce"', 'use podSecurity');
    });

    test('an invalid user label value', () => {
      expectError({ labels: { team: 'a b' } }, 'labels["team"]', '"a b"', 'a label value');
    });

    test('invalid CIDRs', () => {
      expectError({ network: { egressToCidrs: [{ cidr: '10.0.0.1/8' }] } }, 'network.egressToCidrs[0].cidr', '"10.0.0.1/8"', 'host bits are set (did you mean 10.0.0.0/8?)');
      expectError({ network: { egressToCidrs: [{ cidr: '300.1.0.0/16' }] } }, 'network.egressToCidrs[0].cidr', '"300.1.0.0/16"', 'an IPv4 or IPv6 CIDR');
      expectError({ network: { egressToCidrs: [{ cidr: '10.0.0.0' }] } }, 'network.egressToCidrs[0].cidr', '"10.0.0.0"', 'missing "/<prefix>"');
      expectError({ network: { egressToCidrs: [{ cidr: '10.0.0.0/33' }] } }, 'network.egressToCidrs[0].cidr', '"10.0.0.0/33"', 'prefix must be 0-32');
      expectError({ network: { egressToCidrs: [{ cidr: '010.0.0.0/8' }] } }, 'network.egressToCidrs[0].cidr', '"010.0.0.0/8"', 'is not an IPv4 address');
      expectError({ network: { egressToCidrs: [{ cidr: 'fd00::g/64' }] } }, 'network.egressToCidrs[0].cidr', '"fd00::g/64"', 'is not an IPv6 address');
      expectError({ network: { egressToCidrs: [{ cidr: '2001:db8::1/32' }] } }, 'network.egressToCidrs[0].cidr', '"2001:db8::1/32"', 'did you mean 2001:db8::/32?');
      expectError({ network: { egressToCidrs: [{ cidr: 'fd00:1::1/16' }] } }, 'network.egressToCidrs[0].cidr', '"fd00:1::1/16"', 'did you mean fd00::/16?');
      expectError({ network: { egressToCidrs: [{ cidr: '1:2:3:4:5:6:7:8:9/128' }] } }, 'network.egressToCidrs[0].cidr', '"1:2:3:4:5:6:7:8:9/128"', 'is not an IPv6 address');
      expectError({ network: { egressToCidrs: [{ cidr: '1::2::3/128' }] } }, 'network.egressToCidrs[0].cidr', '"1::2::3/128"', 'is not an IPv6 address');
      expectError({ network: { internetEgress: { blockedCidrs: ['1.2.3.4/40'] } } }, 'network.internetEgress.blockedCidrs[0]', '"1.2.3.4/40"', 'prefix must be 0-32');
      expectError({ network: { dns: { nodeLocalAddress: '169.254.20' } } }, 'network.dns.nodeLocalAddress', '"169.254.20"', 'an IPv4 or IPv6 address such as "169.254.20.10", or a CIDR ("169.254.20" is not an IPv4 address)');
      expectError({ network: { dns: { nodeLocalAddress: '169.254.20.10/16' } } }, 'network.dns.nodeLocalAddress', '"169.254.20.10/16"', 'host bits are set');
    });

    test('an except range outside its CIDR', () => {
      expectError({ network: { egressToCidrs: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }] } }, 'network.egressToCidrs[0].except[0]', '"10.1.0.0/24"', 'a range strictly inside 10.0.0.0/16');
    });

    test('egress to exactly a metadata address', () => {
      expectError({ network: { egressToCidrs: [{ cidr: '169.254.169.254/32' }] } }, 'network.egressToCidrs[0].cidr', '"169.254.169.254/32"', 'not a cloud metadata address');
    });

    test('an invalid port', () => {
      expectError({ network: { ingressFrom: [{ namespace: 'monitoring', ports: [70000] }] } }, 'network.ingressFrom[0].ports[0]', '70000', 'an integer from 1 to 65535');
    });

    test('ingress without ports', () => {
      expectError({ network: { ingressFrom: [{ namespace: 'monitoring', ports: [] }] } }, 'network.ingressFrom[0].ports', '[]', 'a non-empty list');
    });

    test('an invalid or repeated namespace in network rules', () => {
      expectError({ network: { ingressFrom: [{ namespace: 'Monitoring', ports: [80] }] } }, 'network.ingressFrom[0].namespace', '"Monitoring"', 'a DNS-1123 label');
      expectError({ network: { egressToNamespaces: [{ namespace: 'db' }, { namespace: 'db' }] } }, 'network', '"allow-egress-to-db"', 'each NetworkPolicy name once');
    });

    test('an empty subject name', () => {
      expectError({ admins: [TenantSubject.user('')] }, 'admins[0].name', '""', 'a non-empty User name');
      expectError({ developers: [TenantSubject.group('ok'), TenantSubject.group('')] }, 'developers[1].name', '""', 'a non-empty Group name');
      expectError({ viewers: [TenantSubject.serviceAccount('')] }, 'viewers[0].name', '""', 'a non-empty ServiceAccount name');
    });

    test('a subject that means everyone, or the default service account', () => {
      expectError({ viewers: [TenantSubject.group('system:authenticated')] }, 'viewers[0].name', '"system:authenticated"', 'a specific group');
      expectError({ admins: [TenantSubject.serviceAccount('default')] }, 'admins[0].name', '"default"', 'a dedicated service account');
    });

    test('an invalid service account namespace', () => {
      expectError({ admins: [TenantSubject.serviceAccount('ci', 'Bad NS')] }, 'admins[0].namespace', '"Bad NS"', 'a DNS-1123 label');
    });

    test('an invalid node pool label or taint', () => {
      expectError({ nodePool: { nodeLabel: { key: 'bad key', value: 'x' } } }, 'nodePool.nodeLabel.key', '"bad key"', 'a qualified name');
      expectError({ nodePool: { nodeLabel: { key: 'pool', value: 'a b' } } }, 'nodePool.nodeLabel.value', '"a b"', 'a label value');
      expectError({ nodePool: { nodeLabel: { key: 'pool', value: 'gpu' }, taint: { key: 'gpu', effect: 'Sometimes' as any } } },
        'nodePool.taint.effect', '"Sometimes"', 'one of NodeTaintEffect.NO_SCHEDULE ("NoSchedule")');
    });

    test('an annotation the node pool manages', () => {
      expectError({ annotations: { 'scheduler.alpha.kubernetes.io/node-selector': 'x=y' }, nodePool: { nodeLabel: { key: 'pool', value: 'gpu' } } },
        'annotations key', '"scheduler.alpha.kubernetes.io/node-selector"', 'use nodePool');
    });
  });
});

describe('examples/tenants', () => {
  test('builds two GPU tenants and a CPU tenant, one chart each, valid under the harness', () => {
    const app = new App({ outdir: '/tmp/unused' });
    const tenants = buildTenants(app);
    expect(app.charts.map((c) => c.node.id)).toEqual(['tenant-ml-team', 'tenant-web-team', 'tenant-llm-serving']);
    expect(tenants.gpuLarge.namespaceName).toBe('llm-serving');
    expect(tenants.gpuLarge.quota.gpus?.[0].count).toBe(48);
    expect(tenants.gpu.namespaceName).toBe('ml-team');
    expect(tenants.cpu.namespaceName).toBe('web-team');
    expect(tenants.gpu.quota.gpus).toEqual([{ resource: GpuResource.NVIDIA_GPU, count: 4 }]);
    expect(tenants.gpu.placement.tolerations).toHaveLength(1);
    expect(tenants.cpu.placement).toEqual({});
    const manifests = synthValid(app);
    expect(find(manifests, 'ResourceQuota', 'tenant-quota').spec.hard['requests.nvidia.com/gpu']).toBe(4);
    expect(manifests.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)).toEqual(['ml-team', 'web-team', 'llm-serving']);
    expect(manifests).toMatchSnapshot();
  });
});
