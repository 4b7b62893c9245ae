/**
 * `npx cdk8s-gpu-platform validate <dir|file>...`: validates any folder of YAML (a cdk8s `dist/`, a GitOps tree
 * with one folder per environment, a Helm-rendered folder). Exit code 0: no errors; 1: errors (or warnings with
 * --strict); 2: bad usage or unreadable input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { useCrdDirs } from './crd';
import { ClusterMode, exitCode, formatReport, validatePaths } from './report';
import { RULE_CATALOGUE, SUPPRESS_ANNOTATION } from './rules';

const USAGE = `usage: cdk8s-gpu-platform validate <dir|file>... [options]
       cdk8s-gpu-platform rules [--json]

Validates Kubernetes YAML against the Kubernetes 1.27 and bundled CRD schemas, Pod Security "restricted" and
cross-object rules. A folder that holds only subfolders is one cluster per top-level subfolder (a GitOps tree
with one folder per environment); otherwise one cluster.

options:
  --json               print the report as JSON (for CI)
  --strict             warnings fail too (exit code 1)
  --crds <dir>         also load the CRDs in <dir> (repeatable); they win over bundled ones of the same version
  --skip <rule,...>    do not run these rules
  --clusters <mode>    auto (default) | single (everything is one cluster) | folders (one per top-level folder)

Suppress one rule on one object with a reason, in the object:
  metadata.annotations["${SUPPRESS_ANNOTATION}"]: "<rule-id>: <reason>"   (one per line)

exit code: 0 no errors, 1 findings that fail, 2 usage or input error`;

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

/** Runs the command line; returns the exit code. */
export function main(argv: string[], io: Io = defaultIo): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'rules') {
    if (rest.includes('--json')) io.out(JSON.stringify(RULE_CATALOGUE, null, 2));
    else for (const r of RULE_CATALOGUE) io.out(`${r.id.padEnd(25)} ${r.severity.padEnd(8)} ${r.description}\n${' '.repeat(34)}fix: ${r.fix}`);
    return 0;
  }
  if (command !== 'validate') {
    io.err(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  const targets: string[] = [];
  const crds: string[] = [];
  let json = false;
  let strict = false;
  let skip: string[] = [];
  let clusters: ClusterMode = 'auto';
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--json') json = true;
      else if (a === '--strict') strict = true;
      else if (a === '--crds') crds.push(path.resolve(value()));
      else if (a === '--skip') skip = [...skip, ...value().split(',').filter((s) => s !== '')];
      else if (a === '--clusters') {
        const v = value();
        if (v !== 'auto' && v !== 'single' && v !== 'folders') throw new UsageError(`--clusters: given ${JSON.stringify(v)}; allowed: auto, single, folders`);
        clusters = v;
      } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
      else targets.push(a);
    } catch (e) {
      io.err(`${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
  }
  if (targets.length === 0) {
    io.err(`validate: give at least one folder or file\n\n${USAGE}`);
    return 2;
  }
  for (const t of targets) {
    if (!fs.existsSync(t)) {
      io.err(`validate: ${t} does not exist`);
      return 2;
    }
  }
  try {
    if (crds.length) useCrdDirs(crds);
    const started = Date.now();
    const report = validatePaths(targets, { skip, clusters });
    if (json) io.out(JSON.stringify(report, null, 2));
    else io.out(`${formatReport(report)} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
    return exitCode(report, strict);
  } catch (e) {
    io.err(`validate: ${(e as Error).message}`);
    return 2;
  }
}

/**
 * A bad command line. Not a PlatformError on purpose: it never leaves `main` (caught where the arguments are
 * parsed, printed with the usage, exit code 2); it only unwinds the argument loop.
 */
class UsageError extends Error {}
