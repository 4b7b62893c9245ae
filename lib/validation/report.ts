/**
 * Reports for people and CI: findings with severity, fix, file and document, grouped by cluster, file and
 * object; a text and a JSON form; an exit code. Used by the command (`cli.ts`) and the cdk8s plugin (`plugin.ts`).
 *
 * A folder is one cluster, unless it holds no YAML itself and only subfolders: then each top-level subfolder is
 * one cluster (a GitOps tree with one folder per environment, as `GitOpsApp` writes `dist/<env>/...`), because
 * the same namespace and names legitimately repeat across environments.
 */
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML_VERSION: string = require('yaml/package.json').version;
import { CACHE_ROOT, hash, useCacheDir, writeAtomic } from './cache';
import { evaluate } from './evaluate';
import { fixFor, ruleInfo, Severity } from './rules';
import { schemaSources, SchemaSources } from './sources';
import { sharePodSpecs } from '../core/manifest-model';
import { checkSync } from './sync';
import { isObject, objectId, Violation } from './types';

/** One YAML document and where it came from. */
export interface SourceDocument {
  readonly manifest: any;
  /** The file, as given or relative to the working directory. */
  readonly file?: string;
  /** Position of the document in its file, from 1. */
  readonly document?: number;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** `Kind/namespace/name` (or `Kind/name`). */
  readonly object: string;
  /** What is wrong; starts with the field path inside the object where there is one. */
  readonly message: string;
  /** How to fix it, one line. */
  readonly fix: string;
  readonly file?: string;
  readonly document?: number;
  /** The reason written in the object's `gpu-platform.dev/suppress` annotation, when suppressed. */
  readonly suppressed?: string;
}

export interface ClusterReport {
  /** The cluster's folder (or the single file / `app`). */
  readonly name: string;
  readonly files: number;
  readonly objects: number;
  /** Unsuppressed findings first, in rule order, then the suppressed ones. */
  readonly findings: Finding[];
}

export interface Summary {
  readonly clusters: number;
  readonly files: number;
  readonly objects: number;
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
}

export interface Report {
  readonly tool: 'cdk8s-gpu-platform validate';
  readonly schemas: SchemaSources;
  readonly clusters: ClusterReport[];
  readonly summary: Summary;
}

export type ClusterMode = 'auto' | 'single' | 'folders';

export interface CheckOptions {
  /** Rule ids not to run. */
  readonly skip?: string[];
  /** `auto` (default): one cluster per top-level folder when the root holds only folders; `single`; `folders`. */
  readonly clusters?: ClusterMode;
}

/** kustomize's own files (kustomization.yaml) are build instructions, not cluster objects. */
const isBuildFile = (m: any) => isObject(m) && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('kustomize.config.k8s.io/');

/** Every `.yaml`/`.yml` file under a folder (or the file itself), sorted; hidden folders and node_modules skipped. */
export function yamlFiles(target: string): string[] {
  if (fs.statSync(target).isFile()) return [target];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(p);
      } else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(target);
  return out;
}

type Parsed = Array<{ json: any } | { error: string }>;

const PARSED_DIR = path.join(CACHE_ROOT, `yaml-${hash(YAML_VERSION, fs.readFileSync(__filename))}`);

/**
 * A file's documents. Parsing YAML is the slowest step (the `yaml` package parses about 0.5 MB/s on this busy
 * machine), and `cdk8s synth` rewrites mostly identical files, so parsed documents are cached by the file's
 * content hash (in the validator's cache folder, next to the compiled schemas).
 */
function parseFile(text: string): Parsed {
  const file = path.join(useCacheDir(PARSED_DIR), `${hash(text)}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Parsed;
  } catch { /* not cached yet */ }
  // Loaded only on a cache miss.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments }: typeof import('yaml') = require('yaml');
  const parsed: Parsed = parseAllDocuments(text).map((d) => (d.errors.length > 0
    ? { error: d.errors.map((e) => e.message.split('\n')[0]).join('; ') } : { json: d.toJSON() ?? null }));
  try {
    fs.mkdirSync(PARSED_DIR, { recursive: true });
    writeAtomic(file, JSON.stringify(parsed));
  } catch { /* a read-only cache only costs time */ }
  return parsed;
}

/** The documents of YAML files; a file that does not parse yields a `yaml` finding through `problems`. */
export function loadDocuments(files: string[], problems: Finding[] = []): SourceDocument[] {
  const out: SourceDocument[] = [];
  for (const file of files) {
    parseFile(fs.readFileSync(file, 'utf8')).forEach((d, i) => {
      if ('error' in d) {
        problems.push({ rule: 'yaml', severity: 'error', object: `<document ${i + 1}>`, message: d.error, fix: ruleInfo('yaml').fix, file, document: i + 1 });
        return;
      }
      const manifest = d.json;
      if (manifest !== null && manifest !== undefined && !isBuildFile(manifest)) out.push({ manifest, file, document: i + 1 });
    });
  }
  return out;
}

/** Splits documents into clusters (see the file comment). */
export function groupClusters(root: string, docs: SourceDocument[], mode: ClusterMode = 'auto'): Map<string, SourceDocument[]> {
  const groups = new Map<string, SourceDocument[]>();
  // Documents come file by file: the top folder of each file is worked out once.
  const tops = new Map<string | undefined, string>();
  const top = (d: SourceDocument) => {
    let t = tops.get(d.file);
    if (t === undefined) {
      const parts = path.relative(root, d.file ?? root).split(path.sep);
      t = parts.length > 1 ? path.join(root, parts[0]) : root;
      tops.set(d.file, t);
    }
    return t;
  };
  const byFolder = mode === 'folders' || (mode === 'auto' && docs.length > 0 && docs.every((d) => top(d) !== root));
  for (const d of docs) {
    const key = byFolder ? top(d) : root;
    const group = groups.get(key);
    if (group) group.push(d); else groups.set(key, [d]);
  }
  return groups;
}

/** Checks one cluster's documents: findings with file and document, suppressed ones last. */
export function checkDocuments(docs: SourceDocument[], options: CheckOptions = {}): Finding[] {
  // The sync simulation and the rules look for the same pod specs: found once per document.
  return sharePodSpecs(() => checkAll(docs, options));
}

function checkAll(docs: SourceDocument[], options: CheckOptions): Finding[] {
  const syncRules = ['sync-order', 'sync-deadlock', 'sync-unordered'];
  const sync = syncRules.every((r) => options.skip?.includes(r)) ? [] : checkSync(docs);
  const { violations, suppressed } = evaluate(docs.map((d) => d.manifest), { skip: options.skip }, sync);
  const where = new Map<string, SourceDocument[]>();
  for (const d of docs) {
    const id = objectId(d.manifest);
    const known = where.get(id);
    if (known) known.push(d); else where.set(id, [d]);
  }
  const finding = (v: Violation, reason?: string): Finding => {
    const sources = where.get(v.object) ?? [];
    // unique-objects reports the second copy: point at it.
    const src = v.rule === 'unique-objects' && sources.length > 1 ? sources[sources.length - 1] : sources[0];
    return {
      rule: v.rule, severity: ruleInfo(v.rule).severity, object: v.object, message: v.message, fix: fixFor(v.rule, v.message),
      ...(src?.file !== undefined ? { file: src.file } : {}), ...(src?.document !== undefined ? { document: src.document } : {}),
      ...(reason !== undefined ? { suppressed: reason } : {}),
    };
  };
  return [...violations.map((v) => finding(v)), ...suppressed.map((v) => finding(v, v.reason))];
}

/** Validates folders or files of YAML: each target's clusters (see the file comment). */
export function validatePaths(targets: string[], options: CheckOptions = {}): Report {
  const clusters: ClusterReport[] = [];
  for (const target of targets) {
    const files = yamlFiles(target);
    const problems: Finding[] = [];
    const docs = loadDocuments(files, problems);
    const groups = groupClusters(target, docs, options.clusters);
    if (groups.size === 0) groups.set(target, []);
    for (const [name, group] of groups) {
      const own = problems.filter((p) => p.file !== undefined && (p.file === name || p.file.startsWith(name + path.sep) || name === target && groups.size === 1));
      clusters.push({
        name, files: new Set(group.map((d) => d.file)).size, objects: group.length,
        findings: [...own, ...checkDocuments(group, options)],
      });
    }
  }
  return toReport(clusters);
}

/** A report over already-grouped clusters. */
export function toReport(clusters: ClusterReport[]): Report {
  const all = clusters.flatMap((c) => c.findings);
  const open = all.filter((f) => f.suppressed === undefined);
  return {
    tool: 'cdk8s-gpu-platform validate',
    schemas: schemaSources(),
    clusters,
    summary: {
      clusters: clusters.length,
      files: clusters.reduce((n, c) => n + c.files, 0),
      objects: clusters.reduce((n, c) => n + c.objects, 0),
      errors: open.filter((f) => f.severity === 'error').length,
      warnings: open.filter((f) => f.severity === 'warning').length,
      suppressed: all.length - open.length,
    },
  };
}

/** 0: no errors (and, with `strict`, no warnings); 1: findings that fail. */
export function exitCode(report: Report, strict = false): number {
  return report.summary.errors > 0 || (strict && report.summary.warnings > 0) ? 1 : 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report for a terminal: per cluster, per file, per object, each finding with its fix. */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  const k8s = report.schemas.kubernetes;
  lines.push(`Kubernetes ${k8s.version} schemas (${k8s.source}); CRDs: ${report.schemas.crds.map((c) => `${c.project} ${c.version}`).join(', ') || 'none'}`);
  for (const c of report.clusters) {
    lines.push('', `cluster ${c.name}: ${plural(c.objects, 'object')} in ${plural(c.files, 'file')}`);
    const byFile = new Map<string, Finding[]>();
    for (const f of c.findings) byFile.set(f.file ?? '<input>', [...(byFile.get(f.file ?? '<input>') ?? []), f]);
    for (const [file, findings] of byFile) {
      lines.push(`  ${file}`);
      const byObject = new Map<string, Finding[]>();
      for (const f of findings) {
        const key = `${f.object}${f.document !== undefined ? ` (document ${f.document})` : ''}`;
        byObject.set(key, [...(byObject.get(key) ?? []), f]);
      }
      for (const [object, fs2] of byObject) {
        lines.push(`    ${object}`);
        for (const f of fs2) {
          if (f.suppressed !== undefined) {
            lines.push(`      suppressed ${f.rule}: ${f.message}`, `        reason: ${f.suppressed}`);
          } else {
            lines.push(`      ${f.severity.padEnd(7)} ${f.rule}: ${f.message}`, `        fix: ${f.fix}`);
          }
        }
      }
    }
    if (c.findings.length === 0) lines.push('  no findings');
  }
  const s = report.summary;
  lines.push('', `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.suppressed} suppressed in ${plural(s.objects, 'object')} `
    + `(${plural(s.files, 'file')}, ${plural(s.clusters, 'cluster')})`);
  return lines.join('\n');
}
