import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The YAML of each document, kept on disk from one synth to the next: `cdk8s synth` rewrites a tree that has
 * mostly not changed, and YAML serialization is the largest part of a small app's synth. Off by default (a library
 * writes no cache unless asked); the repository's own app (scripts/app.js) turns it on for `npm run synth`.
 *
 * Entries are keyed by a hash of the document's memo key (`documentKey`: its JSON, with what JSON cannot tell apart
 * spelled out), in a file named after the cdk8s and yaml versions that serialize: another version starts a new
 * file. Only the entries a synth used are written back, so the file holds one tree's documents, and it is written
 * only when that set changed. A missing, unreadable or corrupt file only means serializing again.
 */
export class YamlDiskCache {
  private readonly entries: Map<string, string>;
  private readonly used = new Map<string, string>();
  private missed = false;

  constructor(private readonly file: string) {
    let entries: Map<string, string>;
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      entries = new Map(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      entries = new Map();
    }
    this.entries = entries;
  }

  /** The YAML of a document with this memo key, from the cache or `make()`. */
  public get(key: string, make: () => string): string {
    const hash = crypto.createHash('sha1').update(key).digest('base64');
    let text = this.entries.get(hash);
    if (text === undefined) {
      text = make();
      this.missed = true;
    }
    this.used.set(hash, text);
    return text;
  }

  /** Writes the entries this synth used, when they differ from the file's. */
  public save(): void {
    if (!this.missed && this.used.size === this.entries.size) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.used)));
      fs.renameSync(tmp, this.file); // atomic: a concurrent synth reads the old file or the new one
    } catch { /* a read-only cache only costs time */ }
  }
}

let cacheDir: string | undefined;

/** Keeps serialized YAML in `dir` across synths (see YamlDiskCache); `undefined` turns it off. */
export function useYamlCache(dir: string | undefined): void {
  cacheDir = dir;
}

/** The cache of this synth, or undefined when off. */
export function yamlDiskCache(): YamlDiskCache | undefined {
  if (cacheDir === undefined) return undefined;
  const cdk8s = path.dirname(require.resolve('cdk8s/package.json'));
  const version = (file: string) => String(JSON.parse(fs.readFileSync(file, 'utf8')).version);
  const yaml = require.resolve('yaml/package.json', { paths: [cdk8s] });
  return new YamlDiskCache(path.join(cacheDir, `cdk8s-${version(path.join(cdk8s, 'package.json'))}-yaml-${version(yaml)}.json`));
}
