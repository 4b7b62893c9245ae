/**
 * The content keys `npm test` caches by (scripts/input-hash.js): the package build and the type-check are
 * skipped only when every input is byte-for-byte what the last successful run saw. A clean clone (no stamp)
 * and any changed input do the full work.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as zlib from 'zlib';
import { tempDir } from '../support/tmp';
/* eslint-disable @typescript-eslint/no-require-imports */
const { inputHash, readStamp, writeStamp, clearStamp } = require('../../scripts/input-hash.js');
const buildPackage = require('../../scripts/build-package.js');
const typecheck = require('../../scripts/typecheck.js');
const apiDocs = require('../../scripts/api-docs.js');
const bundleSchemas = require('../../scripts/bundle-schemas.js');
/* eslint-enable @typescript-eslint/no-require-imports */

function tree(files: { [rel: string]: string }): string {
  const root = tempDir('cache-keys-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('inputHash', () => {
  const key = (root: string) => inputHash(root, ['lib', 'package.json']);

  test('depends on contents and names, not on mtimes', () => {
    const root = tree({ 'lib/a.ts': 'export const a = 1;\n', 'lib/sub/b.ts': 'export const b = 2;\n', 'package.json': '{}' });
    const before = key(root);
    expect(key(root)).toBe(before);
    // A touch (a checkout, a merge that leaves the bytes) reuses the result.
    fs.utimesSync(path.join(root, 'lib/a.ts'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(key(root)).toBe(before);
    // An edit that keeps the size changes the key.
    fs.writeFileSync(path.join(root, 'lib/a.ts'), 'export const a = 3;\n');
    const edited = key(root);
    expect(edited).not.toBe(before);
    fs.writeFileSync(path.join(root, 'lib/a.ts'), 'export const a = 1;\n');
    expect(key(root)).toBe(before);
    // Added, removed and renamed files change it too.
    fs.writeFileSync(path.join(root, 'lib/c.ts'), '');
    expect(key(root)).not.toBe(before);
    fs.rmSync(path.join(root, 'lib/c.ts'));
    expect(key(root)).toBe(before);
    fs.renameSync(path.join(root, 'lib/sub/b.ts'), path.join(root, 'lib/sub/c.ts'));
    expect(key(root)).not.toBe(before);
    fs.renameSync(path.join(root, 'lib/sub/c.ts'), path.join(root, 'lib/sub/b.ts'));
    // A missing input is part of the key.
    fs.rmSync(path.join(root, 'package.json'));
    expect(key(root)).not.toBe(before);
  });

  test('content moved between files, a filter and extra strings', () => {
    const a = tree({ 'lib/a.ts': 'xy', 'lib/b.ts': '' });
    const b = tree({ 'lib/a.ts': 'x', 'lib/b.ts': 'y' });
    expect(inputHash(a, ['lib'])).not.toBe(inputHash(b, ['lib']));
    const onlyTs = (root: string) => inputHash(root, ['lib'], { filter: (f: string) => f.endsWith('.ts') });
    const before = onlyTs(a);
    fs.writeFileSync(path.join(a, 'lib/notes.md'), 'not an input');
    expect(onlyTs(a)).toBe(before);
    expect(inputHash(a, ['lib'], { extra: ['jsii@5.9.54'] })).not.toBe(inputHash(a, ['lib'], { extra: ['jsii@5.9.55'] }));
  });

  test('stamps: none until written, cleared before a run', () => {
    const root = tree({});
    const stamp = path.join(root, 'build', '.x.sha256');
    expect(readStamp(stamp)).toBeUndefined();
    writeStamp(stamp, 'abc');
    expect(readStamp(stamp)).toBe('abc');
    clearStamp(stamp);
    expect(readStamp(stamp)).toBeUndefined();
  });
});

describe('the package build key (scripts/build-package.js)', () => {
  const crds = tree({ 'lws/crd.yaml': 'kind: CustomResourceDefinition\n' });
  const saved = process.env.CRDS_DIR;
  beforeAll(() => { process.env.CRDS_DIR = crds; });
  afterAll(() => { if (saved === undefined) delete process.env.CRDS_DIR; else process.env.CRDS_DIR = saved; });

  /** A repository with what a finished build leaves. */
  const built = () => {
    const root = tree({
      'lib/index.ts': 'export class A {}\n', 'imports/k.ts': 'export class K {}\n', 'README.md': '# x\n', 'package.json': '{}',
      'package-lock.json': '{}', 'tsconfig.json': '{}', 'tsconfig.nonjsii.json': '{}',
      '.jsii': '{}', '.jsii.gz': '', 'build/package/lib/index.js': '', 'build/package/lib/index.d.ts': '',
    });
    writeStamp(path.join(root, buildPackage.STAMP), buildPackage.packageInputs(root));
    return root;
  };

  test('up to date only with the stamp of exactly these inputs and the outputs in place', () => {
    const root = built();
    expect(buildPackage.isUpToDate(root)).toBe(true);
    // A clean clone: no stamp.
    fs.rmSync(path.join(root, buildPackage.STAMP));
    expect(buildPackage.isUpToDate(root)).toBe(false);
  });

  test.each([
    ['a lib/ source', 'lib/index.ts'], ['a generated import', 'imports/k.ts'], ['README.md (copied into the assembly)', 'README.md'],
    ['package.json', 'package.json'], ['the lockfile', 'package-lock.json'], ['tsconfig.json', 'tsconfig.json'],
    ['tsconfig.nonjsii.json', 'tsconfig.nonjsii.json'],
  ])('an edit to %s rebuilds', (_what, rel) => {
    const root = built();
    fs.appendFileSync(path.join(root, rel), ' ');
    expect(buildPackage.isUpToDate(root)).toBe(false);
  });

  test('a new source file, a changed CRD of the schema bundle or a missing output rebuilds', () => {
    const root = built();
    fs.writeFileSync(path.join(root, 'lib/new.ts'), '');
    expect(buildPackage.isUpToDate(root)).toBe(false);

    const again = built();
    fs.appendFileSync(path.join(crds, 'lws/crd.yaml'), '# v2\n');
    expect(buildPackage.isUpToDate(again)).toBe(false);

    const third = built();
    fs.rmSync(path.join(third, '.jsii'));
    expect(buildPackage.isUpToDate(third)).toBe(false);
  });

  test('the build script itself is an input of the real key', () => {
    // The scripts are read from the repository root given, so a root without them hashes them as missing.
    const root = built();
    const withScript = buildPackage.packageInputs(root);
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.writeFileSync(path.join(root, 'scripts', 'build-package.js'), '// changed');
    expect(buildPackage.packageInputs(root)).not.toBe(withScript);
  });
});

describe('the type-check key (scripts/typecheck.js)', () => {
  const repo = () => {
    const root = tree({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true }, include: ['lib/**/*.ts', 'test/**/*.ts'] }),
      'package-lock.json': '{}', 'lib/a.ts': 'export const a = 1;\n', 'test/a.test.ts': 'test("a", () => undefined);\n',
    });
    writeStamp(path.join(root, typecheck.STAMP), typecheck.typecheckInputs(root));
    return root;
  };

  test('every file tsconfig.json selects is an input; other files are not', () => {
    const root = repo();
    expect(typecheck.isUpToDate(root)).toBe(true);
    fs.writeFileSync(path.join(root, 'lib/README.md'), 'not compiled');
    fs.writeFileSync(path.join(root, 'notes.ts'), 'outside include');
    expect(typecheck.isUpToDate(root)).toBe(true);
    fs.writeFileSync(path.join(root, 'test/b.test.ts'), '');
    expect(typecheck.isUpToDate(root)).toBe(false);
  });

  test.each(['lib/a.ts', 'test/a.test.ts', 'tsconfig.json', 'package-lock.json'])('an edit to %s checks again', (rel) => {
    const root = repo();
    fs.appendFileSync(path.join(root, rel), rel.endsWith('.json') ? '\n' : '// x\n');
    expect(typecheck.isUpToDate(root)).toBe(false);
  });

  test('no stamp (a clean clone) checks', () => {
    const root = repo();
    fs.rmSync(path.join(root, typecheck.STAMP));
    expect(typecheck.isUpToDate(root)).toBe(false);
  });

  // A fresh clone starts from the build-info another clone left (typecheck.js): TypeScript must take it as its
  // own, checking again only the files whose content differs.
  test('a build-info copied into a clone in another folder checks again only the files that differ', () => {
    const files = {
      'lib/a.ts': 'export const a: number = 1;\n', 'lib/b.ts': "import { a } from './a';\nexport const b = a + 1;\n",
      'lib/c.ts': 'export const c = 3;\n',
    };
    // noLib: the default library would be most of the test's time.
    const options = { strict: true, noEmit: true, incremental: true, noLib: true, tsBuildInfoFile: 'build/.tsbuildinfo-check', types: [] };
    /** The files TypeScript checks in `root`, starting from its build-info, after which it writes a new one. */
    const checked = (root: string) => {
      const parsed = ts.convertCompilerOptionsFromJson({ ...options, tsBuildInfoFile: path.join(root, options.tsBuildInfoFile) }, root).options;
      const builder = ts.createIncrementalProgram({ rootNames: Object.keys(files).map((f) => path.join(root, f)), options: parsed });
      const seen: string[] = [];
      for (let r = builder.getSemanticDiagnosticsOfNextAffectedFile(); r; r = builder.getSemanticDiagnosticsOfNextAffectedFile()) {
        const affected = r.affected as ts.SourceFile;
        if (affected.fileName.startsWith(root)) seen.push(path.relative(root, affected.fileName));
      }
      builder.emit();
      return seen.sort();
    };
    const first = tree(files);
    expect(checked(first)).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts']);
    const clone = tree({ ...files, 'lib/c.ts': 'export const c = 4;\n' });
    fs.mkdirSync(path.join(clone, 'build'));
    fs.copyFileSync(path.join(first, options.tsBuildInfoFile), path.join(clone, options.tsBuildInfoFile));
    expect(checked(clone)).toEqual(['lib/c.ts']);
  });
});

describe('the schema bundle key (scripts/bundle-schemas.js)', () => {
  const files = {
    'lib/validation/crd.ts': "import { cached } from './cache';\nexport const crd = cached;\n",
    'lib/validation/schema.ts': "import { fail } from '../core/errors';\nexport const schema = fail;\n",
    'lib/validation/cache.ts': 'export const cached = 1;\n', 'lib/core/errors.ts': 'export const fail = 2;\n',
    'lib/inference/service.ts': 'export const service = 3;\n', 'lib/validation/cli.ts': 'export const cli = 4;\n',
    'crds/lws/crd.yaml': 'kind: CustomResourceDefinition\n', 'package-lock.json': '{}', 'scripts/bundle-schemas.js': '// writes it\n',
  };
  const key = (root: string) => bundleSchemas.bundleKey(root, path.join(root, 'crds'));

  test('the sources of the code that writes it, the CRDs, the lockfile and the script are inputs; other lib/ files are not', () => {
    const root = tree(files);
    const before = key(root);
    fs.appendFileSync(path.join(root, 'lib/inference/service.ts'), '// x\n');
    fs.appendFileSync(path.join(root, 'lib/validation/cli.ts'), '// x\n'); // the command, which does not write the bundle
    expect(key(root)).toBe(before);
    for (const rel of ['lib/validation/cache.ts', 'lib/core/errors.ts', 'crds/lws/crd.yaml', 'package-lock.json', 'scripts/bundle-schemas.js']) {
      const r = tree(files);
      fs.appendFileSync(path.join(r, rel), '\n');
      expect({ rel, changed: key(r) !== before }).toEqual({ rel, changed: true });
    }
  });

  test('the same content in another folder (another clone) has the same key', () => {
    expect(key(tree(files))).toBe(key(tree(files)));
  });
});

describe('the API.md rendering key (scripts/api-docs.js)', () => {
  test.each(['.jsii', '.jsii.gz', 'package.json'])('an edit to %s renders again', (rel) => {
    const root = tree({ '.jsii': '{"schema":"jsii/file-redirect"}', '.jsii.gz': 'gz', 'package.json': '{}', 'package-lock.json': '{}' });
    const before = apiDocs.apiDocsInputs(root);
    expect(apiDocs.apiDocsInputs(root)).toBe(before);
    fs.appendFileSync(path.join(root, rel), ' ');
    expect(apiDocs.apiDocsInputs(root)).not.toBe(before);
  });

  // An edit inside a function body moves the source lines the assembly records, which API.md never shows.
  test('source lines and the fingerprint do not render again; a doc or a type does', () => {
    const assembly = (line: number, fingerprint: string, summary: string) => zlib.gzipSync(JSON.stringify({
      fingerprint, name: 'p', types: { 'p.A': { docs: { summary }, kind: 'class', locationInModule: { filename: 'lib/a.ts', line }, name: 'A' } },
    }));
    const root = tree({ '.jsii': '{"schema":"jsii/file-redirect","filename":".jsii.gz"}', 'package.json': '{}', 'package-lock.json': '{}' });
    const key = (gz: Buffer) => {
      fs.writeFileSync(path.join(root, '.jsii.gz'), gz);
      return apiDocs.apiDocsInputs(root);
    };
    const before = key(assembly(10, 'f1', 'An A.'));
    expect(key(assembly(12, 'f2', 'An A.'))).toBe(before);
    expect(key(assembly(12, 'f2', 'An A, documented.'))).not.toBe(before);
  });
});
