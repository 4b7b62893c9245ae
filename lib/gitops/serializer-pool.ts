import * as os from 'os';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { failSynth } from '../core/errors';

/** One file to write: where, and the documents it holds (as `ApiObject.toJson()` returns them). */
export interface FileJob {
  readonly file: string;
  readonly docs: any[];
}

/**
 * The memo key of a document: its JSON, with the values JSON cannot tell apart from others (undefined, NaN,
 * infinities, -0) spelled out, so two documents share a key only if YAML renders them the same. JSON is about
 * 30 times cheaper than YAML. Workers run this same function (its source is part of theirs).
 */
export function documentKey(doc: unknown): string {
  return JSON.stringify(doc, (_key, v) => (v === undefined ? { '\u0000': 'undefined' }
    : (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) ? { '\u0000': Object.is(v, -0) ? '-0' : String(v) } : v));
}

/**
 * `(docs) => Yaml.stringify(...docs)`, with a document serialized once when it repeats: the environments of a
 * platform repeat many objects byte for byte (namespaces, policies, roles), and YAML is the bulk of a synth.
 * The memo keeps the last `capacity` documents, so a large app of unique objects does not hold them all.
 * `stringifyOne` also gets the document's key (the on-disk cache of yaml-cache.ts uses it). Workers run this same
 * function.
 */
export function memoizedYaml(stringifyOne: (doc: unknown, key: string) => string, capacity: number): (docs: unknown[]) => string {
  const memo = new Map<string, string>();
  const one = (d: unknown): string => {
    if (d === undefined) return '\n';
    const key = documentKey(d);
    let text = memo.get(key);
    if (text === undefined) {
      text = stringifyOne(d, key);
      if (memo.size >= capacity) memo.delete(memo.keys().next().value!);
      memo.set(key, text);
    }
    return text;
  };
  return (docs) => docs.map(one).join('---\n');
}

/** Documents a serializer remembers: more than a platform environment holds, a few MB at most. */
export const MEMO_CAPACITY = 2000;

/**
 * What a worker runs. It serializes exactly as cdk8s' `Yaml.stringify` does: the same yaml library (the copy
 * cdk8s bundles, by path) and the same options, so files are byte-identical whichever thread wrote them.
 * Each distinct document is serialized once (memoizedYaml).
 * Shared state: [0] jobs completed by all workers, [1 + 2i] worker i is ready,
 * [2 + 2i] jobs worker i completed.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const fs = require('fs');
const YAML = require(workerData.yamlPath);
const { state, index, errors } = workerData;
const shared = new Int32Array(state);
const options = { keepUndefined: true, lineWidth: 0, version: '1.1' };
const documentKey = ${documentKey.toString()};
const memoizedYaml = ${memoizedYaml.toString()};
const stringify = memoizedYaml((d) => YAML.stringify(d, options), ${MEMO_CAPACITY});
parentPort.on('message', (jobs) => {
  try {
    for (const job of jobs) fs.writeFileSync(job.file, stringify(job.docs), { encoding: 'utf8' });
  } catch (e) {
    errors.postMessage(String((e && e.stack) || e));
  }
  Atomics.add(shared, 2 + 2 * index, 1);
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
});
Atomics.store(shared, 1 + 2 * index, 1);
Atomics.notify(shared, 0);
`;

/** Jobs a worker holds at once: enough to never starve it, few enough that the caller can take the rest. */
const MAX_IN_FLIGHT = 2;
/** A worker that completes nothing for this long is taken as dead. */
const STALL_MS = 120_000;

/** The bundled yaml of cdk8s, which `Yaml.stringify` uses. */
function cdk8sYamlPath(): string {
  return require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] });
}

/** Default worker count: the cores beyond the one that builds the objects, at most 3. */
export function defaultSerializerThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(0, Math.min(cores - 1, 3));
}

/** Who wrote how many slices. */
export interface PoolStats {
  readonly workerSlices: number;
  readonly callerSlices: number;
}

interface Slot {
  readonly worker: Worker;
  readonly errors: MessagePort;
  posted: number;
}

/**
 * Serializes and writes files on worker threads while the calling thread goes on building objects; once the
 * caller has built everything, `finish()` lets it serialize the queued jobs too and waits for the workers.
 * A job goes to a worker only when the worker is ready and holds fewer than two, so a small app never waits
 * for a worker to start. Synchronous throughout (Atomics.wait), as `App.synth()` is.
 */
export class SerializerPool {
  private readonly shared = new Int32Array(new SharedArrayBuffer(4 * (1 + 2 * 8)));
  private readonly slots: Slot[] = [];
  private readonly queue: FileJob[][] = [];
  private readonly failures: string[] = [];
  private callerSlices = 0;

  constructor(threads: number) {
    const count = Math.min(threads, 8);
    const yamlPath = count > 0 ? cdk8sYamlPath() : '';
    for (let index = 0; index < count; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { yamlPath, state: this.shared.buffer, index, errors: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      worker.on('error', (e) => this.failures.push(String(e.stack ?? e)));
      this.slots.push({ worker, errors: port1, posted: 0 });
    }
  }

  /** Queues files; `writeInline` writes one on this thread (when there are no workers, or in `finish()`). */
  public submit(jobs: FileJob[], writeInline: (job: FileJob) => void): void {
    if (this.slots.length === 0) {
      jobs.forEach(writeInline);
      this.callerSlices++;
      return;
    }
    this.queue.push(jobs);
    this.dispatch();
  }

  /** Blocks until every worker has started (or the timeout passes); returns whether they all did. For tests. */
  public waitUntilReady(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.shared, 0);
      if (this.slots.every((_, i) => Atomics.load(this.shared, 1 + 2 * i) === 1)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.shared, 0, seen, Math.min(left, 50));
    }
  }

  /** Serializes what is still queued on this thread, waits for the workers, stops them, and throws the first failure. */
  public finish(writeInline: (job: FileJob) => void): PoolStats {
    try {
      let seen = Atomics.load(this.shared, 0);
      // The stall clock starts at the first wait: a synth without workers never reads the clock (scripts/synth-memo.js
      // replays only runs that did not).
      let since: number | undefined;
      for (;;) {
        this.dispatch();
        const jobs = this.queue.pop();
        if (jobs) {
          jobs.forEach(writeInline);
          this.callerSlices++;
          continue;
        }
        if (this.slots.every((s, i) => s.posted === this.completed(i))) break;
        since ??= Date.now();
        Atomics.wait(this.shared, 0, seen, 1000);
        const now = Atomics.load(this.shared, 0);
        if (now !== seen) {
          seen = now;
          since = Date.now();
        } else if (Date.now() - since > STALL_MS || this.failures.length > 0) {
          this.drainErrors();
          failSynth(`serializer worker stalled: ${this.failures[0] ?? `no file written for ${STALL_MS / 1000} s`}`);
        }
      }
      this.drainErrors();
      if (this.failures.length > 0) failSynth(`writing the manifests failed: ${this.failures[0]}`);
      return { workerSlices: this.slots.reduce((n, s) => n + s.posted, 0), callerSlices: this.callerSlices };
    } finally {
      for (const s of this.slots) {
        s.errors.close();
        void s.worker.terminate();
      }
    }
  }

  private completed(index: number): number {
    return Atomics.load(this.shared, 2 + 2 * index);
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      const slot = this.slots[i];
      if (Atomics.load(this.shared, 1 + 2 * i) !== 1) continue;
      while (this.queue.length > 0 && slot.posted - this.completed(i) < MAX_IN_FLIGHT) {
        slot.worker.postMessage(this.queue.shift());
        slot.posted++;
      }
    }
  }

  private drainErrors(): void {
    for (const s of this.slots) {
      for (let m = receiveMessageOnPort(s.errors); m; m = receiveMessageOnPort(s.errors)) this.failures.push(String(m.message));
    }
  }
}
