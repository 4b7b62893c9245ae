/**
 * `npm run bench`: synthesizes a synthetic platform of T tenants and S GpuInferenceServices with the
 * GitOpsApp linear synth, one chart per Argo CD Application (one per tenant, one per service), and compares
 * it with the YAML-serialization floor. Each measurement runs in a fresh child process, so JIT warm-up and
 * peak RSS are those of a one-shot synth. Figures, not a test.
 *
 *   node build/bench/bench.js                 all sizes
 *   node build/bench/bench.js 100 1000        one size
 *   node build/bench/bench.js --examples      only the examples' `npm run synth`
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterPrerequisites, Cpu, GpuResource, Memory, Prerequisite } from '../lib/core';
import { Environment, GitOpsApp, SynthesizedFolder } from '../lib/gitops';
import { FolderWriter } from '../lib/gitops/linear-synth';
import { ClientPeer, GpuInferenceService } from '../lib/inference';
import { TenantNamespace } from '../lib/tenancy';

const SIZES: Array<[number, number]> = [[10, 100], [100, 1000], [300, 3000]];
/**
 * Where the trees are written: tmpfs when there is one, so disk contention from other processes does not
 * drown the CPU cost (synth and floor write the same files either way). Override with BENCH_DIR.
 */
const BENCH_DIR = process.env.BENCH_DIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const REPO = 'https://github.com/example/gpu-platform-gitops.git';

interface SynthResult {
  readonly tenants: number;
  readonly services: number;
  readonly charts: number;
  readonly manifests: number;
  readonly files: number;
  readonly bytes: number;
  readonly constructMs: number;
  readonly synthMs: number;
  /** validate + resolve + toJson alone (everything before serialization), measured on a second, warm pass. */
  readonly buildObjectsMs: number;
  readonly maxRssMb: number;
}

interface FloorResult {
  readonly floorMs: number;
  readonly maxRssMb: number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const rssMb = () => process.resourceUsage().maxRSS / 1024;

/** The synthetic platform: T tenant Applications (namespace, quota, policies, RBAC) and S service Applications. */
function buildPlatform(tenants: number, services: number, outdir: string): GitOpsApp {
  const app = new GitOpsApp({ repoUrl: REPO, outdir, serializerThreads: SERIALIZER_THREADS });
  const env = new Environment(app, 'bench');
  // The GPUs every service requests are the one thing the tree references and does not create.
  new ClusterPrerequisites(env, 'prerequisites', { declared: [Prerequisite.extendedResource('nvidia.com/gpu')] });
  const platform = env.addPlatformProject();
  const perTenant = Math.ceil(services / tenants);
  const ts: TenantNamespace[] = [];
  for (let t = 0; t < tenants; t++) {
    const name = `tenant-${String(t).padStart(3, '0')}`;
    const chart = env.addApplication(name, { project: platform });
    ts.push(new TenantNamespace(chart, name, {
      name,
      quota: {
        cpuRequests: Cpu.cores(16 * perTenant), cpuLimits: Cpu.cores(32 * perTenant),
        memoryRequests: Memory.gibibytes(64 * perTenant), memoryLimits: Memory.gibibytes(128 * perTenant),
        gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 2 * perTenant }],
      },
    }));
  }
  for (let s = 0; s < services; s++) {
    const tenant = ts[s % tenants];
    const name = `svc-${String(s).padStart(4, '0')}`;
    const chart = env.addApplication(name, { project: platform, namespace: tenant.namespaceName });
    new GpuInferenceService(chart, name, {
      name,
      tenant,
      image: 'vllm/vllm-openai:v0.18.0',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      gpu: { count: 1 },
      cpu: Cpu.cores(4),
      memory: Memory.gibibytes(32),
      clients: [ClientPeer.namespace('gateway-system')],
      // One replica, as before the disruption-budget warning existed: the same objects, and no warning per service.
      podDisruptionBudget: false,
    });
  }
  return app;
}

function childSynth(tenants: number, services: number, outdir: string, dump: string): void {
  const t0 = process.hrtime.bigint();
  const app = buildPlatform(tenants, services, outdir);
  const constructMs = ms(t0);
  const t1 = process.hrtime.bigint();
  app.synth();
  const synthMs = ms(t1);
  const maxRssMb = rssMb();
  // Untimed: the built objects again (validate + resolve + toJson), for the floor process, and how long that takes.
  const t2 = process.hrtime.bigint();
  const folders = app.synthFolders();
  const buildObjectsMs = ms(t2);
  fs.writeFileSync(dump, JSON.stringify(folders));
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else { files++; bytes += fs.statSync(p).size; }
  });
  walk(outdir);
  const result: SynthResult = {
    tenants, services, charts: folders.length, manifests: folders.reduce((n, f) => n + f.objects.length, 0),
    files, bytes, constructMs, synthMs, buildObjectsMs, maxRssMb,
  };
  process.stdout.write(JSON.stringify(result));
}

function childFloor(dump: string, outdir: string): void {
  const folders: SynthesizedFolder[] = JSON.parse(fs.readFileSync(dump, 'utf8'));
  const t0 = process.hrtime.bigint();
  // Same objects, same YAML library and options (cdk8s Yaml.stringify), same files.
  FolderWriter.writeAll(outdir, folders, true);
  const result: FloorResult = { floorMs: ms(t0), maxRssMb: rssMb() };
  process.stdout.write(JSON.stringify(result));
}

/** BENCH_SERIALIZER_THREADS=0 measures the synth without worker threads (default: GitOpsApp's default). */
const SERIALIZER_THREADS = process.env.BENCH_SERIALIZER_THREADS === undefined ? undefined : Number(process.env.BENCH_SERIALIZER_THREADS);

/** Node flags of the child processes (synth and floor alike), e.g. BENCH_NODE_FLAGS=--max-semi-space-size=32. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

function run(args: string[]): any {
  return JSON.parse(execFileSync(process.execPath, [...NODE_FLAGS, __filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

/**
 * The examples' `npm run synth`, warm, as a user runs it (scripts/synth.js: cdk8s-cli's synth command, the
 * compile cache, the build check, the app and the validation plugin), into a scratch folder on the same disk as
 * the checkout; the same through the `cdk8s` binary; and `cdk8s --version`, the binary's own start-up, for
 * scale. Medians of `runs` after one warm-up run.
 */
function examplesSynth(runs: number): void {
  const root = path.join(__dirname, '..', '..');
  const out = fs.mkdtempSync(path.join(root, 'build', 'bench-synth-'));
  const time = (cmd: string, args: string[]): number => {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { cwd: root, stdio: 'ignore' });
    return ms(t0);
  };
  const stats = (cmd: string, args: string[]) => {
    time(cmd, args);
    const xs = Array.from({ length: runs }, () => time(cmd, args)).sort((a, b) => a - b);
    return `median ${(xs[Math.floor(xs.length / 2)] / 1000).toFixed(2)} s (${(xs[0] / 1000).toFixed(2)}-${(xs[xs.length - 1] / 1000).toFixed(2)})`;
  };
  try {
    const cdk8s = path.join(root, 'node_modules', '.bin', 'cdk8s');
    console.log(`\nexamples, warm, ${runs} runs: npm run synth ${stats('npm', ['run', '-s', 'synth', '--', '-o', out])}; `
      + `cdk8s synth (the binary, same app and plugin) ${stats(cdk8s, ['synth', '--no-check-upgrade', '-o', out])}; `
      + `cdk8s --version ${stats(cdk8s, ['--version'])}`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--synth') return childSynth(Number(argv[1]), Number(argv[2]), argv[3], argv[4]);
  if (argv[0] === '--floor') return childFloor(argv[1], argv[2]);
  if (argv[0] === '--examples') return examplesSynth(Number(process.env.BENCH_RUNS ?? 5));
  const sizes: Array<[number, number]> = argv.length >= 2 ? [[Number(argv[0]), Number(argv[1])]] : SIZES;
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const rows: Array<SynthResult & FloorResult & { ratio: number }> = [];
  console.log(`node ${process.version} ${NODE_FLAGS.join(' ')}, serializer threads ${SERIALIZER_THREADS ?? 'default'}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, writing to ${BENCH_DIR}; the run with the median ratio of ${runs} per size (fresh processes)`);
  for (const [t, s] of sizes) {
    const samples: Array<SynthResult & FloorResult & { ratio: number }> = [];
    for (let i = 0; i < runs; i++) {
      const dir = fs.mkdtempSync(path.join(BENCH_DIR, 'bench-'));
      const synth: SynthResult = run(['--synth', String(t), String(s), path.join(dir, 'synth'), path.join(dir, 'objects.json')]);
      const floor: FloorResult = run(['--floor', path.join(dir, 'objects.json'), path.join(dir, 'floor')]);
      fs.rmSync(dir, { recursive: true, force: true });
      samples.push({ ...synth, floorMs: floor.floorMs, maxRssMb: synth.maxRssMb, ratio: synth.synthMs / floor.floorMs });
    }
    // The run with the median ratio (synth and floor of one run were measured back to back).
    samples.sort((a, b) => a.ratio - b.ratio);
    rows.push(samples[Math.floor(samples.length / 2)]);
    const r = rows[rows.length - 1];
    console.log(`T=${t} S=${s}: ${r.charts} charts, ${r.manifests} manifests, ${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB; `
      + `construct ${r.constructMs.toFixed(0)} ms, synth ${r.synthMs.toFixed(0)} ms (objects ${r.buildObjectsMs.toFixed(0)} ms), floor ${r.floorMs.toFixed(0)} ms, `
      + `ratio ${r.ratio.toFixed(2)}x, peak RSS ${r.maxRssMb.toFixed(0)} MB`);
  }
  console.log('\n| T tenants | S services | charts | manifests | synth ms | floor ms | synth / floor | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.tenants} | ${r.services} | ${r.charts} | ${r.manifests} | ${r.synthMs.toFixed(0)} | ${r.floorMs.toFixed(0)} | ${r.ratio.toFixed(2)}x | ${r.maxRssMb.toFixed(0)} |`);
  }
  const mid = rows.find((r) => r.services === 1000);
  const big = rows.find((r) => r.services === 3000);
  if (mid && big) console.log(`\ngrowth (100,1000) -> (300,3000): synth x${(big.synthMs / mid.synthMs).toFixed(2)} for x${(big.manifests / mid.manifests).toFixed(2)} manifests`);
  if (argv.length < 2 && process.env.BENCH_SKIP_EXAMPLES === undefined) examplesSynth(Math.max(runs, 5));
}

main();
