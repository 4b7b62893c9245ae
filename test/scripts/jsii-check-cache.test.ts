/**
 * The keys by which scripts/jsii-check-cache.js lets jsii reuse a file's type-check and output: a file's key
 * changes with its own text and with every file it reaches through imports, and with nothing else of the
 * program unless that declares something global. Keys do not depend on where the repository is: the clones of
 * a machine share the record (scripts/machine-cache.js).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { tempDir } from '../support/tmp';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fileKeys, canonicalOptions } = require('../../scripts/jsii-check-cache.js') as {
  fileKeys: (t: typeof ts, p: ts.Program, salt: string, root: string) => Map<string, string>;
  canonicalOptions: (options: unknown, root: string) => string;
};

const BASE: { [file: string]: string } = {
  'a.ts': "import { b } from './b';\nexport const a = b + 1;\n",
  'b.ts': "import { c } from './sub';\nexport const b = c;\n",
  'sub/index.ts': 'export const c = 1;\n',
  'other.ts': 'export const other = 2;\n',
  'cycle1.ts': "import { y } from './cycle2';\nexport const x = 1;\nexport const z = y;\n",
  'cycle2.ts': "import { x } from './cycle1';\nexport const y = x;\n",
};

let made: string | undefined;
const root = () => (made ??= fs.realpathSync(tempDir('jsii-keys-')));

/** The keys of a program over `files` (written to the folder `folder` each time), by path relative to it. */
function keysOf(files: { [file: string]: string }, options: ts.CompilerOptions = {}, salt = 's', folder = 'project'): { [file: string]: string } {
  const dir = path.join(root(), folder);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const program = ts.createProgram(Object.keys(files).map((f) => path.join(dir, f)), { module: ts.ModuleKind.CommonJS, strict: true, noLib: true, types: [], outDir: path.join(dir, 'out'), ...options });
  return Object.fromEntries([...fileKeys(ts, program, salt, dir)].map(([f, k]) => [path.relative(dir, f), k]));
}

/** The files whose key differs between two programs. */
const changed = (a: { [f: string]: string }, b: { [f: string]: string }) => Object.keys(a).filter((f) => a[f] !== b[f]).sort();

test('an edit changes the key of the file and of every file that imports it, directly or not; no other', () => {
  const before = keysOf(BASE);
  expect(Object.keys(before).sort()).toEqual(['a.ts', 'b.ts', 'cycle1.ts', 'cycle2.ts', 'other.ts', 'sub/index.ts']);
  expect(changed(before, keysOf({ ...BASE, 'sub/index.ts': 'export const c = 2;\n' }))).toEqual(['a.ts', 'b.ts', 'sub/index.ts']);
  expect(changed(before, keysOf({ ...BASE, 'a.ts': `${BASE['a.ts']}// comment\n` }))).toEqual(['a.ts']);
  expect(changed(before, keysOf({ ...BASE, 'cycle2.ts': `${BASE['cycle2.ts']}\n` }))).toEqual(['cycle1.ts', 'cycle2.ts']);
});

test('files that import each other still have keys of their own', () => {
  const keys = keysOf(BASE);
  expect(keys['cycle1.ts']).not.toBe(keys['cycle2.ts']);
  expect(new Set(Object.values(keys)).size).toBe(Object.keys(keys).length);
});

test('global declarations, the compiler options and the salt (versions, lockfile) change every key', () => {
  const before = keysOf(BASE);
  const all = Object.keys(before).sort();
  expect(changed(before, keysOf({ ...BASE, 'other.ts': `${BASE['other.ts']}declare global { interface X { y: number } }\n` }))).toEqual(all);
  expect(changed(before, keysOf({ ...BASE, 'script.ts': 'declare const G: number;\n' })).filter((f) => f !== 'script.ts')).toEqual(all);
  expect(changed(before, keysOf(BASE, { noImplicitReturns: true }))).toEqual(all);
  expect(changed(before, keysOf(BASE, {}, 'another lockfile'))).toEqual(all);
});

test('an import that is no file of the program, or paths mapping, keys the file on every file', () => {
  const files = { ...BASE, 'loose.ts': "// @ts-ignore\nimport { q } from './missing';\nexport const l = q;\n" };
  const before = keysOf(files);
  // loose.ts depends on everything: an edit to an unrelated file changes its key too.
  expect(changed(before, keysOf({ ...files, 'other.ts': 'export const other = 3;\n' }))).toEqual(['loose.ts', 'other.ts']);
  const mapped = keysOf(BASE, { baseUrl: '.', paths: { '*': ['*'] } });
  expect(changed(mapped, keysOf({ ...BASE, 'other.ts': 'export const other = 3;\n' }, { baseUrl: '.', paths: { '*': ['*'] } }))).toEqual(Object.keys(BASE).sort());
});

test('the same files in another folder (another clone) have the same keys; another file name does not', () => {
  const here = keysOf(BASE);
  expect(keysOf(BASE, {}, 's', 'another-clone/deeper')).toEqual(here);
  const { 'other.ts': other, ...rest } = BASE;
  expect(keysOf({ ...rest, 'renamed.ts': other })['renamed.ts']).not.toBe(here['other.ts']);
});

test('options are keyed with paths relative to the repository and keys sorted at every level', () => {
  expect(canonicalOptions({ outDir: '/a/repo/build/package', paths: { z: ['/a/repo/z'], a: ['./a'] }, strict: true }, '/a/repo'))
    .toBe(canonicalOptions({ strict: true, paths: { a: ['./a'], z: ['/b/clone/z'] }, outDir: '/b/clone/build/package' }, '/b/clone'));
  expect(canonicalOptions({ outDir: '/a/repo/build' }, '/a/repo')).not.toBe(canonicalOptions({ outDir: '/a/repo/dist' }, '/a/repo'));
});
