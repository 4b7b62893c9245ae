import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s } from '../lib/core/k8s';
import { Errors } from '../lib/core/errors';
import { CRDS_DIR, expectValid, loadManifestsFromDir, synth, synthValid, useCrdDirs, validate, Violation } from './harness';

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}


// CI always has ../shared/crds; elsewhere the CRD rules are skipped (with a warning), so are their tests.
const withCrds = fs.existsSync(CRDS_DIR) ? test : test.skip;

const NS = 'team-a';
const secureContainer = (name: string) => ({
  name,
  image: 'registry.example.com/app:1.0',
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
  securityContext: {
    allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
    capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  },
});
const podSpec = () => ({
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [secureContainer('server')],
  volumes: [{ name: 'tmp', emptyDir: {} }],
});
const appLabels = { 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm' };

/** A small tenant that passes every rule; each test breaks one thing. */
function goodManifests(): any[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.27' } } },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: NS }, spec: { hard: { 'requests.cpu': '8', 'limits.memory': '32Gi', 'requests.nvidia.com/gpu': '4', 'count/deployments.apps': '10', 'fast.storageclass.storage.k8s.io/requests.storage': '1Ti' } } },
    { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: NS }, spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '100m', memory: '256Mi' } }] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-dns', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'dev', namespace: NS }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dev' }, subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewers', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'viewers', apiGroup: 'rbac.authorization.k8s.io' }] },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'llm', namespace: NS, labels: appLabels }, spec: { replicas: 2, selector: { matchLabels: appLabels }, template: { metadata: { labels: { ...appLabels, extra: 'x' } }, spec: podSpec() } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm', namespace: NS }, spec: { selector: appLabels, ports: [{ port: 80, targetPort: 8000 }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'llm', namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: appLabels } } },
    {
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'big', namespace: NS },
      spec: { replicas: 1, leaderWorkerTemplate: { size: 2, leaderTemplate: { metadata: { labels: { role: 'leader' } }, spec: podSpec() }, workerTemplate: { spec: podSpec() } } },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big-leader', namespace: NS }, spec: { selector: { 'leaderworkerset.sigs.k8s.io/name': 'big', 'leaderworkerset.sigs.k8s.io/worker-index': '0' }, ports: [{ port: 80 }] } },
  ];
}

const find = (ms: any[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name);
const rulesOf = (vs: Violation[]) => [...new Set(vs.map((v) => v.rule))];

/** Runs `mutate` on a fresh good set and returns the violations. */
function broken(mutate: (ms: any[]) => void): Violation[] {
  const ms = goodManifests();
  mutate(ms);
  return validate(ms);
}

test('the good manifest set passes every rule', () => {
  expect(validate(goodManifests())).toEqual([]);
  expect(() => expectValid(goodManifests())).not.toThrow();
});

describe('schema', () => {
  test('catches a wrong type, a missing required field and an unknown field in a built-in kind', () => {
    const vs = broken((ms) => {
      const d = find(ms, 'Deployment', 'llm');
      d.spec.replicas = 'two';
      d.spec.template.spec.containers[0].resource = {};
      delete find(ms, 'Service', 'llm').spec.ports[0].port;
    });
    expect(rulesOf(vs)).toEqual(['schema']);
    expect(vs.map((v) => `${v.object}: ${v.message}`)).toEqual(expect.arrayContaining([
      'Deployment/team-a/llm: spec.replicas: must be integer',
      'Deployment/team-a/llm: spec.template.spec.containers[0].resource: unknown field',
      "Service/team-a/llm: spec.ports.0: must have required property 'port'",
    ]));
  });

  test('catches a null quantity (what cdk8s writes for a plain string)', () => {
    const vs = broken((ms) => { find(ms, 'Deployment', 'llm').spec.template.spec.containers[0].resources.limits.cpu = null; });
    expect(vs).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'schema', object: 'Deployment/team-a/llm' })]));
  });

  test('catches an unknown built-in kind or version and a missing name', () => {
    const vs = validate([
      { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x', namespace: NS } },
      { apiVersion: 'apps/v1beta7', kind: 'Deployment', metadata: { name: 'x', namespace: NS } },
      { apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x', namespace: NS } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: NS } },
    ]);
    expect(vs.map((v) => v.message)).toEqual([
      'apiVersion "apps/v1" kind "Deploymnet" is not a Kubernetes 1.27 built-in kind',
      'apiVersion "apps/v1beta7" kind "Deployment" is not a Kubernetes 1.27 built-in kind',
      'apiVersion "apps/v1" kind "DeploymentSpec" is not a Kubernetes 1.27 built-in kind',
      'metadata.name: must be set',
    ]);
  });
});

describe('crd', () => {
  withCrds('catches a wrong type and an unknown field in a custom resource', () => {
    const vs = broken((ms) => {
      const lws = find(ms, 'LeaderWorkerSet', 'big');
      lws.spec.leaderWorkerTemplate.size = 'two';
      lws.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].imagePullPolcy = 'Always';
    });
    expect(vs).toEqual([
      { rule: 'crd', object: 'LeaderWorkerSet/team-a/big', message: 'spec.leaderWorkerTemplate.size: must be integer' },
      { rule: 'crd', object: 'LeaderWorkerSet/team-a/big', message: 'spec.leaderWorkerTemplate.workerTemplate.spec.containers.0: unknown field "imagePullPolcy"' },
    ]);
  });

  withCrds('catches a version the CRD does not serve and a missing name', () => {
    const vs = validate([
      { apiVersion: 'leaderworkerset.x-k8s.io/v9', kind: 'LeaderWorkerSet', metadata: { name: 'x', namespace: NS }, spec: {} },
      { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { namespace: NS }, spec: { scaleTargetRef: { name: 'llm' }, triggers: [{ type: 'cpu', metadata: { value: '80' } }] } },
    ]);
    expect(vs.map((v) => v.message)).toEqual([
      'apiVersion leaderworkerset.x-k8s.io/v9: the CRD for LeaderWorkerSet serves only leaderworkerset.x-k8s.io/v1',
      'metadata.name: must be set',
    ]);
  });
});

describe('unknown-kind', () => {
  withCrds('catches a kind in no CRD and not built-in', () => {
    const vs = validate([
      { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerThing', metadata: { name: 'x', namespace: NS } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x', namespace: NS } },
    ]);
    expect(vs.map((v) => [v.rule, v.object])).toEqual([['unknown-kind', 'LeaderWorkerThing/team-a/x'], ['unknown-kind', 'Widget/team-a/x']]);
  });
});

describe('metadata', () => {
  test('catches invalid names, namespaces, label keys and values, also in pod templates', () => {
    const vs = broken((ms) => {
      find(ms, 'Service', 'llm').metadata.name = '1llm';
      find(ms, 'Role', 'dev').metadata.labels = { 'team/a/b': 'x', ok: 'not ok' };
      const d = find(ms, 'Deployment', 'llm');
      d.metadata.name = 'LLM';
      d.spec.template.metadata.labels.extra = 'x'.repeat(64);
      find(ms, 'Namespace', NS).metadata.annotations = { 'bad key': 'v' };
      ms.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'Team_A' } });
    });
    expect(vs.filter((v) => v.rule === 'metadata').map((v) => `${v.object}: ${v.message}`)).toEqual([
      'Namespace/team-a: metadata.annotations: key "bad key" is not a qualified name',
      'Role/team-a/dev: metadata.labels: key "team/a/b" is not a qualified name',
      'Role/team-a/dev: metadata.labels["ok"]: value "not ok" is not a valid label value',
      'Deployment/team-a/LLM: metadata.name: "LLM" is not a DNS-1123 subdomain (at most 253 characters)',
      `Deployment/team-a/LLM: spec.template.metadata.labels["extra"]: value "${'x'.repeat(64)}" is not a valid label value`,
      'Service/team-a/1llm: metadata.name: "1llm" is not a DNS-1035 label (at most 63 characters, starting with a letter)',
      'ConfigMap/Team_A/cm: metadata.namespace: "Team_A" is not a DNS-1123 label',
    ]);
  });

  test('RBAC names may contain ":"', () => {
    expect(broken((ms) => { find(ms, 'RoleBinding', 'dev').metadata.name = 'tenant:dev'; })).toEqual([]);
  });
});

describe('pod-spec', () => {
  test('catches bad container names, missing volumes, requests above limits and GPU requests unlike limits', () => {
    const vs = broken((ms) => {
      const spec = find(ms, 'Deployment', 'llm').spec.template.spec;
      spec.containers.push({ ...secureContainer('server') }, { ...secureContainer('Side_Car') });
      const c = spec.containers[0];
      c.volumeMounts = [{ name: 'cache', mountPath: '/cache' }, { name: 'tmp', mountPath: '/cache' }];
      c.resources = { requests: { 'cpu': '2', 'memory': '1Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '2' } };
      spec.containers[1].resources = { requests: { 'memory': '1Gi', 'cpu': '1', 'nvidia.com/mig-1g.10gb': '1' }, limits: { cpu: '1', memory: '1Gi' } };
    });
    expect(vs.map((v) => `${v.rule} ${v.message}`)).toEqual([
      'pod-spec spec.template.spec.containers[0].volumeMounts: volume "cache" is not in spec.volumes',
      'pod-spec spec.template.spec.containers[0].volumeMounts: mountPath /cache is mounted twice',
      'pod-spec spec.template.spec.containers[0].resources: requests.cpu 2 is above limits.cpu 1',
      'pod-spec spec.template.spec.containers[0].resources: extended resource nvidia.com/gpu must have requests equal to limits',
      'pod-spec spec.template.spec.containers[1].name: "server" is used by another container',
      'pod-spec spec.template.spec.containers[1].resources: extended resource nvidia.com/mig-1g.10gb needs a limit (requests alone are rejected)',
      'pod-spec spec.template.spec.containers[2].name: "Side_Car" is not a DNS-1123 label',
    ]);
  });

  test('GPU counts are whole numbers; a GPU limit alone is fine', () => {
    const vs = broken((ms) => { find(ms, 'Deployment', 'llm').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = '500m'; });
    expect(vs.map((v) => v.message)).toEqual(['spec.template.spec.containers[0].resources: extended resource nvidia.com/gpu must be a whole number, got 0.5']);
    expect(broken((ms) => { find(ms, 'Deployment', 'llm').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 2; })).toEqual([]);
  });
});

describe('on-disk cache', () => {
  const widgetCrd = (type: string) => [
    'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: widgets.example.com }',
    'spec:', '  group: example.com', '  scope: Namespaced', '  names: { kind: Widget, plural: widgets }', '  versions:',
    '  - name: v1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema:', '        type: object',
    '        properties:', '          apiVersion: { type: string }', '          kind: { type: string }', '          metadata: { type: object }', '          spec:', '            type: object', `            properties: { size: { type: ${type} } }`, '',
  ].join('\n');
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS }, spec: { size: 'two' } };

  /** Validates `widget` with a fresh harness (as a new jest worker would load it) against `crds`, caching in `cache`. */
  function freshValidate(crds: string, cache: string, manifests: any[] = [widget]): string[] {
    const saved = { crds: process.env.CRDS_DIR, cache: process.env.HARNESS_CACHE_DIR };
    process.env.CRDS_DIR = crds;
    process.env.HARNESS_CACHE_DIR = cache;
    let messages: string[] = [];
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        messages = (require('./harness') as typeof import('./harness')).validate(manifests).map((v) => `${v.rule} ${v.message}`);
      });
    } finally {
      for (const [k, v] of [['CRDS_DIR', saved.crds], ['HARNESS_CACHE_DIR', saved.cache]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    }
    return messages;
  }

  test('is keyed by CRD content: an edit that keeps size and mtime rebuilds; a touch alone reuses the cache', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-cache-'));
    const crds = path.join(root, 'crds');
    const cache = path.join(root, 'cache');
    fs.mkdirSync(crds);
    const file = path.join(crds, 'widget.yaml');
    const cacheDirs = () => fs.readdirSync(cache).filter((d) => d.startsWith('crds-'));
    try {
      const mtime = new Date('2026-01-01T00:00:00Z'); // whole seconds, so it can be set back exactly
      fs.writeFileSync(file, widgetCrd('integer'));
      fs.utimesSync(file, mtime, mtime);
      expect(freshValidate(crds, cache)).toEqual(['crd spec.size: must be integer']);
      expect(cacheDirs()).toHaveLength(1);

      // Same length ("string " vs "integer"), mtime set back: only the content differs.
      const before = fs.statSync(file);
      fs.writeFileSync(file, widgetCrd('string '));
      while (fs.statSync(file).ctimeMs === before.ctimeMs) fs.writeFileSync(file, widgetCrd('string ')); // coarse-clock filesystems
      fs.utimesSync(file, mtime, mtime);
      expect(fs.statSync(file).size).toBe(before.size);
      expect(fs.statSync(file).mtimeMs).toBe(before.mtimeMs);
      expect(freshValidate(crds, cache)).toEqual([]);
      expect(cacheDirs()).toHaveLength(2);

      // New timestamps, same content (a fresh checkout): the compiled cache is found again.
      fs.utimesSync(file, new Date(), new Date(Date.now() + 60_000));
      expect(freshValidate(crds, cache)).toEqual([]);
      expect(cacheDirs()).toHaveLength(2);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('crd and unknown-kind catch bad manifests with any CRD directory (no ../shared needed)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-crd-'));
    try {
      fs.writeFileSync(path.join(root, 'widget.yaml'), widgetCrd('integer'));
      expect(freshValidate(root, path.join(root, 'cache'), [
        { ...widget, spec: { size: 2, colour: 'red' } },
        { ...widget, apiVersion: 'example.com/v2', metadata: { name: 'w2', namespace: NS } },
        { ...widget, kind: 'Gadget' },
        { ...widget, apiVersion: 'other.io/v1' },
      ])).toEqual([
        'crd spec: unknown field "colour"',
        'crd apiVersion example.com/v2: the CRD for Widget serves only example.com/v1',
        `unknown-kind no CRD in ${root} defines kind Gadget in group example.com`,
        'unknown-kind group "other.io" is neither built-in nor served by a CRD',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('cache folders are keyed by the harness code, not by a hand-bumped version', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { codeKey, hash } = require('../lib/validation/cache') as typeof import('../lib/validation/cache');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-code-'));
    const src = path.join(dir, 'rule.ts');
    try {
      fs.writeFileSync(src, 'export const a = 1;');
      const k1 = codeKey(src);
      fs.writeFileSync(src, 'export const a = 2;');
      expect(codeKey(src)).not.toBe(k1);
      expect(hash('a', 'bc')).not.toBe(hash('ab', 'c'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('crd directory missing', () => {
  test('skips the CRD rules with one warning and still runs every other rule', () => {
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = process.env.CRDS_DIR;
    process.env.CRDS_DIR = path.join(os.tmpdir(), 'no-such-crds-dir');
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('./harness') as typeof import('./harness');
        const ms = goodManifests();
        ms.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS } });
        find(ms, 'LeaderWorkerSet', 'big').spec.bogus = true; // not checked without the CRD
        find(ms, 'Deployment', 'llm').spec.template.spec.hostPID = true; // still checked
        expect(fresh.validate(ms).map((v) => v.rule)).toEqual(['pod-security']);
        expect(fresh.validate(ms).map((v) => v.rule)).toEqual(['pod-security']);
      });
    } finally {
      if (saved === undefined) delete process.env.CRDS_DIR; else process.env.CRDS_DIR = saved;
    }
    const printed = warn.mock.calls.map((c) => String(c[0]));
    warn.mockRestore();
    // The Warnings channel's format, printed once.
    expect(printed).toEqual([expect.stringMatching(/^Warning: harness: CRD schema validation \(rule "crd"\) SKIPPED: the CRD directory .*no-such-crds-dir does not exist/)]);
  });
});

describe('pod-security', () => {
  test('catches restricted violations in containers, initContainers and ephemeralContainers', () => {
    const vs = broken((ms) => {
      const spec = find(ms, 'Deployment', 'llm').spec.template.spec;
      spec.containers[0].securityContext.allowPrivilegeEscalation = undefined;
      spec.initContainers = [{ ...secureContainer('init'), securityContext: { ...secureContainer('init').securityContext, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }];
      spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { ...secureContainer('x').securityContext, runAsUser: 0 } }];
    });
    expect(vs.map((v) => v.message)).toEqual([
      'restricted: B3 spec.template.spec.initContainers[0] (init).securityContext.capabilities.add: SYS_ADMIN not allowed (baseline allows AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)',
      'restricted: R2 spec.template.spec.containers[0] (server).securityContext.allowPrivilegeEscalation: must be false',
      'restricted: R6 spec.template.spec.initContainers[0] (init).securityContext.capabilities.add: SYS_ADMIN not allowed (only NET_BIND_SERVICE)',
      'restricted: R4 spec.template.spec.ephemeralContainers[0] (debug).securityContext.runAsUser: must not be 0',
    ]);
  });

  test('finds pod templates inside custom resources (LWS leader and worker templates)', () => {
    const vs = broken((ms) => {
      const t = find(ms, 'LeaderWorkerSet', 'big').spec.leaderWorkerTemplate;
      t.leaderTemplate.spec.hostNetwork = true;
      t.workerTemplate.spec.volumes.push({ name: 'models', hostPath: { path: '/models' } });
    });
    expect(vs.map((v) => v.message)).toEqual([
      'restricted: B1 spec.leaderWorkerTemplate.leaderTemplate.spec.hostNetwork: must be unset or false',
      'restricted: B4 spec.leaderWorkerTemplate.workerTemplate.spec.volumes (models): hostPath volumes are not allowed',
      'restricted: R1 spec.leaderWorkerTemplate.workerTemplate.spec.volumes (models): volume type hostPath not allowed (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)',
    ]);
  });

  test('every baseline and restricted control', () => {
    const sc = { privileged: true, procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' }, seLinuxOptions: { type: 'spc_t', user: 'root' }, windowsOptions: { hostProcess: true }, capabilities: { add: ['NET_RAW'] }, runAsNonRoot: false };
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'elsewhere', annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } },
      spec: { hostPID: true, hostIPC: true, securityContext: { runAsUser: 0, sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: sc }], volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] },
    };
    const ids = validate([pod], { skip: ['schema'] }).map((v) => v.message.split(' ')[1]);
    expect([...new Set(ids)].sort()).toEqual(['B1', 'B10', 'B11', 'B2', 'B3', 'B5', 'B6', 'B7', 'B8', 'B9', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
  });

  test('checks the namespace level instead when the Namespace opts out to baseline or privileged', () => {
    const mutate = (level: string) => (ms: any[]) => {
      find(ms, 'Namespace', NS).metadata.labels['pod-security.kubernetes.io/enforce'] = level;
      const c = find(ms, 'Deployment', 'llm').spec.template.spec.containers[0];
      c.securityContext = { privileged: level === 'privileged' }; // fails restricted; privileged also fails baseline
    };
    expect(broken(mutate('baseline'))).toEqual([]);
    expect(broken(mutate('privileged'))).toEqual([]);
    const vs = broken((ms) => { mutate('baseline')(ms); find(ms, 'Deployment', 'llm').spec.template.spec.containers[0].securityContext.privileged = true; });
    expect(vs.map((v) => v.message)).toEqual(['baseline: B2 spec.template.spec.containers[0] (server).securityContext.privileged: must be unset or false']);
  });

  test('catches an invalid Pod Security namespace label', () => {
    const vs = broken((ms) => { find(ms, 'Namespace', NS).metadata.labels['pod-security.kubernetes.io/warn'] = 'strict'; });
    expect(vs).toEqual([{ rule: 'pod-security', object: 'Namespace/team-a', message: 'label pod-security.kubernetes.io/warn: "strict" not allowed (privileged, baseline, restricted)' }]);
  });
});

describe('selector-match', () => {
  test('catches a workload whose selector does not match its template, and an empty selector', () => {
    const vs = broken((ms) => {
      find(ms, 'Deployment', 'llm').spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'other' } };
      ms.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: NS }, spec: { serviceName: 's', selector: {}, template: { metadata: { labels: appLabels }, spec: podSpec() } } });
    });
    expect(vs.filter((v) => v.rule === 'selector-match').map((v) => `${v.object}: ${v.message}`)).toEqual([
      'Deployment/team-a/llm: spec.selector {"matchLabels":{"app.kubernetes.io/name":"other"}} does not match spec.template.metadata.labels {"app.kubernetes.io/name":"llm","app.kubernetes.io/instance":"llm","extra":"x"}',
      'StatefulSet/team-a/s: spec.selector: must not be empty',
    ]);
  });

  test('supports matchExpressions', () => {
    const ok = broken((ms) => { find(ms, 'Deployment', 'llm').spec.selector = { matchExpressions: [{ key: 'extra', operator: 'In', values: ['x'] }, { key: 'gone', operator: 'DoesNotExist' }] }; });
    expect(ok).toEqual([]);
    const bad = broken((ms) => { find(ms, 'Deployment', 'llm').spec.selector = { matchExpressions: [{ key: 'extra', operator: 'NotIn', values: ['x'] }] }; });
    expect(rulesOf(bad)).toEqual(['selector-match']);
  });

  test('catches a PodDisruptionBudget that selects no pod template', () => {
    const vs = broken((ms) => { find(ms, 'PodDisruptionBudget', 'llm').spec.selector.matchLabels = { 'app.kubernetes.io/name': 'nope' }; });
    expect(vs).toEqual([{ rule: 'selector-match', object: 'PodDisruptionBudget/team-a/llm', message: 'spec.selector {"matchLabels":{"app.kubernetes.io/name":"nope"}} selects no pod template in namespace team-a' }]);
  });
});

describe('service-selects-pods', () => {
  test('catches a Service that selects no pod template in its namespace', () => {
    const vs = broken((ms) => {
      find(ms, 'Service', 'llm').spec.selector = { ...appLabels, 'app.kubernetes.io/component': 'router' };
      ms.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'elsewhere', namespace: 'team-b' }, spec: { selector: appLabels, ports: [{ port: 80 }] } });
    });
    expect(vs.map((v) => [v.rule, v.object])).toEqual([['service-selects-pods', 'Service/team-a/llm'], ['service-selects-pods', 'Service/team-b/elsewhere']]);
  });

  test('counts pod templates inside custom resources, and can be skipped', () => {
    const vs = broken((ms) => { find(ms, 'Service', 'big-leader').spec.selector['leaderworkerset.sigs.k8s.io/name'] = 'small'; });
    expect(rulesOf(vs)).toEqual(['service-selects-pods']);
    const ms = goodManifests();
    find(ms, 'Service', 'big-leader').spec.selector = { role: 'leader' };
    expect(validate(ms)).toEqual([]);
    find(ms, 'Service', 'big-leader').spec.selector = { role: 'worker' };
    expect(validate(ms, { skip: ['service-selects-pods'] })).toEqual([]);
  });
});

describe('pod templates in RoleBasedGroups', () => {
  withCrds('role labels and template labels count for Services; role templates are checked', () => {
    const rbg = {
      apiVersion: 'workloads.x-k8s.io/v1alpha1', kind: 'RoleBasedGroup', metadata: { name: 'pd', namespace: NS },
      spec: { roles: [{ name: 'prefill', replicas: 1, labels: { role: 'prefill' }, template: { metadata: { labels: { app: 'pd' } }, spec: podSpec() } }] },
    };
    const svc = (selector: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'pd', namespace: NS }, spec: { selector, ports: [{ port: 80 }] } });
    expect(validate([rbg, svc({ role: 'prefill', app: 'pd' })])).toEqual([]);
    expect(rulesOf(validate([rbg, svc({ role: 'decode' })]))).toEqual(['service-selects-pods']);
    const bad = structuredClone(rbg);
    bad.spec.roles[0].template.spec.containers[0].securityContext.privileged = true;
    expect(validate([bad]).map((v) => v.message)).toEqual(['restricted: B2 spec.roles[0].template.spec.containers[0] (server).securityContext.privileged: must be unset or false']);
  });
});

describe('binding-role-exists', () => {
  test('catches bindings to missing roles and a ClusterRoleBinding to a Role', () => {
    const vs = broken((ms) => {
      find(ms, 'RoleBinding', 'dev').roleRef.name = 'developer';
      find(ms, 'RoleBinding', 'viewers').roleRef.name = 'viewer';
      ms.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dev' }, subjects: [] });
    });
    expect(vs.map((v) => `${v.rule} ${v.object}: ${v.message}`)).toEqual([
      'binding-role-exists RoleBinding/team-a/dev: roleRef: Role "developer" does not exist in namespace team-a',
      'binding-role-exists RoleBinding/team-a/viewers: roleRef: ClusterRole "viewer" is neither in the manifests nor a built-in role (admin, edit, view, cluster-admin)',
      'binding-role-exists ClusterRoleBinding/x: roleRef.kind: "Role" not allowed for a ClusterRoleBinding (ClusterRole)',
    ]);
  });

  test('a Role in another namespace does not count; a ClusterRole in the set does', () => {
    const vs = broken((ms) => { find(ms, 'Role', 'dev').metadata.namespace = 'team-b'; });
    expect(rulesOf(vs)).toEqual(['binding-role-exists']);
    const ok = broken((ms) => {
      find(ms, 'RoleBinding', 'viewers').roleRef.name = 'gpu-viewer';
      ms.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gpu-viewer' }, rules: [] });
    });
    expect(ok).toEqual([]);
  });
});

describe('quota-extended-resources', () => {
  test('catches limits. and bare extended resource keys', () => {
    const vs = broken((ms) => { Object.assign(find(ms, 'ResourceQuota', 'quota').spec.hard, { 'limits.nvidia.com/gpu': '4', 'nvidia.com/mig-1g.10gb': '2' }); });
    expect(vs.map((v) => v.message)).toEqual([
      'spec.hard key "limits.nvidia.com/gpu": extended resources take only the requests. prefix (requests.nvidia.com/gpu)',
      'spec.hard key "nvidia.com/mig-1g.10gb": extended resources take only the requests. prefix (requests.nvidia.com/mig-1g.10gb)',
    ]);
  });
});

describe('quota-requires-requests', () => {
  test('catches a container without what the quota counts when no LimitRange defaults it', () => {
    const vs = broken((ms) => {
      ms.splice(ms.indexOf(find(ms, 'LimitRange', 'limits')), 1);
      const spec = find(ms, 'Deployment', 'llm').spec.template.spec;
      delete spec.containers[0].resources.limits.memory;
      spec.initContainers = [{ ...secureContainer('init'), resources: { limits: { cpu: '1' } } }];
    });
    expect(vs.map((v) => v.message)).toEqual([
      'spec.template.spec.containers[0] (server): resources.limits.memory must be set: namespace team-a has a ResourceQuota on limits.memory and no LimitRange default for it',
      'spec.template.spec.initContainers[0] (init): resources.limits.memory must be set: namespace team-a has a ResourceQuota on limits.memory and no LimitRange default for it',
    ]);
  });

  test('a LimitRange default satisfies the quota', () => {
    const vs = broken((ms) => { find(ms, 'Deployment', 'llm').spec.template.spec.containers[0].resources = {}; });
    expect(vs).toEqual([]);
  });
});

describe('egress-dns', () => {
  test('catches default-deny egress without a DNS allowance on UDP and TCP 53', () => {
    const vs = broken((ms) => { find(ms, 'NetworkPolicy', 'allow-dns').spec.egress[0].ports = [{ port: 53, protocol: 'UDP' }]; });
    expect(vs).toEqual([{ rule: 'egress-dns', object: 'NetworkPolicy/team-a/default-deny', message: 'restricts egress for every pod in namespace team-a, but no NetworkPolicy there allows DNS egress on port 53 TCP' }]);
    const none = broken((ms) => { ms.splice(ms.indexOf(find(ms, 'NetworkPolicy', 'allow-dns')), 1); });
    expect(none.map((v) => v.message)).toEqual([expect.stringContaining('port 53 UDP and TCP')]);
  });
});

describe('unique-objects', () => {
  test('catches two objects with the same group, kind, namespace and name', () => {
    const vs = broken((ms) => { ms.push(find(ms, 'Role', 'dev')); ms.push({ ...find(ms, 'Namespace', NS) }); });
    expect(vs.map((v) => [v.rule, v.object])).toEqual([['unique-objects', 'Role/team-a/dev'], ['unique-objects', 'Namespace/team-a']]);
  });

  test('the same name in another namespace or kind is fine', () => {
    expect(broken((ms) => { ms.push({ ...find(ms, 'Role', 'dev'), metadata: { name: 'dev', namespace: 'team-b' } }); })).toEqual([]);
  });
});

describe('API', () => {
  test('expectValid lists every violation, one per line', () => {
    const ms = goodManifests();
    find(ms, 'Service', 'llm').spec.selector = { a: 'b' };
    find(ms, 'RoleBinding', 'dev').roleRef.name = 'nope';
    expect(() => expectValid(ms)).toThrow([
      '2 harness violation(s):',
      '[service-selects-pods] Service/team-a/llm: spec.selector {"a":"b"} selects no pod template in namespace team-a',
      '[binding-role-exists] RoleBinding/team-a/dev: roleRef: Role "nope" does not exist in namespace team-a',
    ].join('\n'));
  });

  test('validate rejects an unknown rule name in skip, with a PlatformError', () => {
    const thrown = catchError(() => validate([], { skip: ['selectors'] }));
    expect(thrown.message).toMatch(/^\[validate\] skip: given "selectors"; allowed: a rule id: schema, /);
    expect(Errors.isPlatformError(thrown)).toBe(true);
  });

  test('expectValid throws a PlatformError', () => {
    const ms = goodManifests();
    find(ms, 'Service', 'llm').spec.selector = { a: 'b' };
    expect(Errors.isPlatformError(catchError(() => expectValid(ms)))).toBe(true);
  });

  test('useCrdDirs refuses a folder that does not exist', () => {
    const missing = path.join(os.tmpdir(), 'no-such-crd-folder');
    const thrown = catchError(() => useCrdDirs([missing]));
    expect(thrown.message).toBe(`[useCrdDirs] dirs: given ${JSON.stringify(missing)}; allowed: an existing folder of CRD YAML files`);
    expect(Errors.isPlatformError(thrown)).toBe(true);
  });

  test('synth runs node validations and synthValid validates', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cfg', namespace: NS }, data: { a: 'b' } });
    expect(synthValid(chart)).toEqual([expect.objectContaining({ kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS } })]);
    chart.node.addValidation({ validate: () => ['boom'] });
    expect(() => synth(chart)).toThrow(/\[c\] boom/);
  });

  test('synth of an app returns every chart in order; synthValid fails on a bad object', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    new k8s.KubeConfigMap(a, 'cm', { metadata: { name: 'one', namespace: NS } });
    new k8s.KubeConfigMap(b, 'cm', { metadata: { name: 'two', namespace: NS } });
    expect(synth(app).map((m) => m.metadata.name)).toEqual(['one', 'two']);
    new k8s.KubeConfigMap(b, 'dup', { metadata: { name: 'one', namespace: NS } });
    expect(() => synthValid(app)).toThrow(/\[unique-objects\] ConfigMap\/team-a\/one/);
  });

  test('loadManifestsFromDir reads every YAML document under a directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'a.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    fs.writeFileSync(path.join(dir, 'sub', 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(loadManifestsFromDir(dir).map((m) => m.metadata.name)).toEqual(['a', 'b', 'c']);
    fs.writeFileSync(path.join(dir, 'sub', 'broken.yaml'), 'a: [1, 2\n');
    const thrown = catchError(() => loadManifestsFromDir(dir));
    expect(thrown.message).toMatch(/^\[.*broken\.yaml\] YAML: given ".+"; allowed: parseable YAML documents$/);
    expect(Errors.isPlatformError(thrown)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('pod-spec: volumeClaimTemplates', () => {
  test('a mount backed by a StatefulSet volumeClaimTemplate is not reported', () => {
    const { validate } = require('./harness');
    const sts = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'n' },
      spec: {
        serviceName: 's', selector: { matchLabels: { a: 'b' } },
        volumeClaimTemplates: [{ metadata: { name: 'cache' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'cache', mountPath: '/c' }] }] } },
      },
    };
    const podSpecViolations = validate([sts]).filter((v: any) => v.rule === 'pod-spec');
    expect(podSpecViolations).toEqual([]);
    const noClaims = { ...sts, spec: { ...sts.spec, volumeClaimTemplates: [] } };
    expect(validate([noClaims]).filter((v: any) => v.rule === 'pod-spec').map((v: any) => v.message).join('\n')).toContain('volume "cache" is not in spec.volumes');
  });
});
