/**
 * Rule `pod-security`: Pod Security Standards, as the PSA admission code checks them at version 1.27
 * (checklist: ../shared/reference/tenancy-security.md §2). Every pod spec anywhere in a manifest is checked at
 * `restricted`, unless the manifest set holds its Namespace labelled `pod-security.kubernetes.io/enforce`
 * `baseline` or `privileged` (an explicit opt-out), in which case that level is checked.
 */
import { findPodSpecs, isObject, objectId, PodSpecRef, Violation } from './types';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const LEVELS = ['privileged', 'baseline', 'restricted'];
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
// B10 as of 1.27: the 1.0 set plus net.ipv4.ip_local_reserved_ports (1.27).
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports']);
// B7 as of 1.27 (container_engine_t only from 1.31).
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

type Container = { c: any; at: string };

function containersOf(spec: any, path: string): Container[] {
  const out: Container[] = [];
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    (Array.isArray(spec[field]) ? spec[field] : []).forEach((c: any, i: number) => {
      out.push({ c: isObject(c) ? c : {}, at: `${path}.${field}[${i}]${c?.name ? ` (${c.name})` : ''}` });
    });
  }
  return out;
}

/** Baseline controls B1-B11 (B12 host probes starts at 1.34, so it is not part of the 1.27 profile). */
function baseline(pod: PodSpecRef, fail: (m: string) => void): void {
  const { spec, path } = pod;
  const psc = isObject(spec.securityContext) ? spec.securityContext : {};
  const cs = containersOf(spec, path);
  // B1
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f] === true) fail(`B1 ${path}.${f}: must be unset or false`);
  for (const { c, at } of cs) {
    const sc = isObject(c.securityContext) ? c.securityContext : {};
    // B2
    if (sc.privileged === true) fail(`B2 ${at}.securityContext.privileged: must be unset or false`);
    // B3
    const added: string[] = sc.capabilities?.add ?? [];
    const bad = added.filter((cap) => !BASELINE_CAPS.has(cap));
    if (bad.length) fail(`B3 ${at}.securityContext.capabilities.add: ${bad.join(', ')} not allowed (baseline allows ${[...BASELINE_CAPS].join(', ')})`);
    // B5
    for (const p of c.ports ?? []) if (p?.hostPort) fail(`B5 ${at}.ports: hostPort ${p.hostPort} not allowed`);
    // B6 / B7 / B8 / B9 / B11 at container level
    checkContext(sc, `${at}.securityContext`, fail);
  }
  // B4 (restricted's R1 is stricter and reported separately)
  for (const v of spec.volumes ?? []) if (v?.hostPath) fail(`B4 ${path}.volumes (${v.name}): hostPath volumes are not allowed`);
  // B6 annotations
  for (const [k, v] of Object.entries(pod.annotations)) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(v === '' || v === 'runtime/default' || String(v).startsWith('localhost/'))) {
      fail(`B6 annotation ${k}: ${JSON.stringify(v)} not allowed (runtime/default or localhost/*)`);
    }
  }
  checkContext(psc, `${path}.securityContext`, fail);
  // B10
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s?.name)) fail(`B10 ${path}.securityContext.sysctls: ${s?.name} is not a safe sysctl`);
}

function checkContext(sc: any, at: string, fail: (m: string) => void): void {
  const aa = sc.appArmorProfile?.type;
  if (aa !== undefined && aa !== 'RuntimeDefault' && aa !== 'Localhost') fail(`B6 ${at}.appArmorProfile.type: ${aa} not allowed`);
  const se = sc.seLinuxOptions;
  if (isObject(se)) {
    if (se.type !== undefined && !SELINUX_TYPES.has(se.type)) fail(`B7 ${at}.seLinuxOptions.type: ${se.type} not allowed`);
    if (se.user) fail(`B7 ${at}.seLinuxOptions.user: must be unset`);
    if (se.role) fail(`B7 ${at}.seLinuxOptions.role: must be unset`);
  }
  if (sc.procMount !== undefined && sc.procMount !== 'Default') fail(`B8 ${at}.procMount: ${sc.procMount} not allowed (Default)`);
  const sp = sc.seccompProfile?.type;
  if (sp !== undefined && !SECCOMP_OK.has(sp)) fail(`B9 ${at}.seccompProfile.type: ${sp} not allowed (RuntimeDefault or Localhost)`);
  if (sc.windowsOptions?.hostProcess === true) fail(`B11 ${at}.windowsOptions.hostProcess: must be unset or false`);
}

/** Restricted controls R1-R6 (R7 procMount starts at 1.35; at 1.27 B8 already requires Default). */
function restricted(pod: PodSpecRef, fail: (m: string) => void): void {
  const { spec, path } = pod;
  const psc = isObject(spec.securityContext) ? spec.securityContext : {};
  const cs = containersOf(spec, path);
  const windows = spec.os?.name === 'windows';
  // R1
  for (const v of spec.volumes ?? []) {
    const sources = Object.keys(v ?? {}).filter((k) => k !== 'name' && !RESTRICTED_VOLUMES.has(k));
    if (sources.length) fail(`R1 ${path}.volumes (${v?.name}): volume type ${sources.join(', ')} not allowed (${[...RESTRICTED_VOLUMES].join(', ')})`);
  }
  // R3 / R4 at pod level
  if (psc.runAsNonRoot === false) fail(`R3 ${path}.securityContext.runAsNonRoot: must not be false`);
  if (psc.runAsUser === 0) fail(`R4 ${path}.securityContext.runAsUser: must not be 0`);
  const podSeccomp = SECCOMP_OK.has(psc.seccompProfile?.type);
  for (const { c, at } of cs) {
    const sc = isObject(c.securityContext) ? c.securityContext : {};
    // R2
    if (sc.allowPrivilegeEscalation !== false && !windows) fail(`R2 ${at}.securityContext.allowPrivilegeEscalation: must be false`);
    // R3
    if (sc.runAsNonRoot === false) fail(`R3 ${at}.securityContext.runAsNonRoot: must not be false`);
    else if (psc.runAsNonRoot !== true && sc.runAsNonRoot !== true) fail(`R3 ${at}.securityContext.runAsNonRoot: must be true (here or on the pod)`);
    // R4
    if (sc.runAsUser === 0) fail(`R4 ${at}.securityContext.runAsUser: must not be 0`);
    // R5
    if (!podSeccomp && !SECCOMP_OK.has(sc.seccompProfile?.type) && !windows) {
      fail(`R5 ${at}.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (here or on the pod)`);
    }
    // R6
    const caps = sc.capabilities ?? {};
    if (!windows && !(caps.drop ?? []).includes('ALL')) fail(`R6 ${at}.securityContext.capabilities.drop: must include ALL`);
    const added = (caps.add ?? []).filter((x: string) => x !== 'NET_BIND_SERVICE');
    if (!windows && added.length) fail(`R6 ${at}.securityContext.capabilities.add: ${added.join(', ')} not allowed (only NET_BIND_SERVICE)`);
  }
}

/** The level enforced on a namespace, from a Namespace in the manifest set; `restricted` otherwise. */
function levelFor(namespace: string | undefined, namespaces: Map<string, any>): string {
  const label = namespace ? namespaces.get(namespace)?.metadata?.labels?.[ENFORCE] : undefined;
  return LEVELS.includes(label) ? label : 'restricted';
}

export function checkPodSecurity(manifests: any[]): Violation[] {
  const out: Violation[] = [];
  const namespaces = new Map<string, any>();
  for (const m of manifests) if (m.kind === 'Namespace' && m.apiVersion === 'v1') namespaces.set(m.metadata?.name, m);
  // Namespace labels themselves (§2.3).
  for (const ns of namespaces.values()) {
    for (const [k, v] of Object.entries<any>(ns.metadata?.labels ?? {})) {
      const m = /^pod-security\.kubernetes\.io\/(enforce|audit|warn)(-version)?$/.exec(k);
      if (!m) continue;
      const ok = m[2] ? /^(latest|v1\.\d+)$/.test(v) : LEVELS.includes(v);
      if (!ok) out.push({ rule: 'pod-security', object: objectId(ns), message: `label ${k}: ${JSON.stringify(v)} not allowed (${m[2] ? 'latest or v1.<minor>' : LEVELS.join(', ')})` });
    }
  }
  for (const m of manifests) {
    const level = levelFor(m.metadata?.namespace, namespaces);
    if (level === 'privileged') continue;
    for (const pod of findPodSpecs(m)) {
      const fail = (message: string) => out.push({ rule: 'pod-security', object: objectId(m), message: `${level}: ${message}` });
      baseline(pod, fail);
      if (level === 'restricted') restricted(pod, fail);
    }
  }
  return out;
}
