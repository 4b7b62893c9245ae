import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** One exported symbol of the entry point. */
export interface ExportedSymbol {
  readonly name: string;
  /** class, interface, enum, function, const, type or submodule. */
  readonly kind: string;
}

function resolveModule(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(f)) return f;
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/** Parsed source files by path, with the text they were parsed from. */
const parsed = new Map<string, { text: string; sf: ts.SourceFile }>();

/** A file's syntax tree (parent links set), parsed once per test file while its text stays the same. */
export function sourceFile(file: string): ts.SourceFile {
  const text = fs.readFileSync(file, 'utf8');
  const known = parsed.get(file);
  if (known?.text === text) return known.sf;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  parsed.set(file, { text, sf });
  return sf;
}

function hasExport(node: ts.Node): boolean {
  return (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/**
 * The symbols a module exports, read from the syntax alone (a type-checked program of lib/ takes seconds):
 * `export { A } from`, `export type { A } from`, `export * from`, `export * as ns from` and exported
 * declarations. Enough for the re-export-only index files of lib/ and the modules they point at.
 */
export function exportsOf(file: string, cache = new Map<string, Map<string, string>>()): Map<string, string> {
  const known = cache.get(file);
  if (known) return known;
  const out = new Map<string, string>();
  cache.set(file, out);
  const src = sourceFile(file);
  const local = new Map<string, string>();
  for (const s of src.statements) {
    const kind = ts.isClassDeclaration(s) ? 'class' : ts.isInterfaceDeclaration(s) ? 'interface' : ts.isEnumDeclaration(s) ? 'enum'
      : ts.isFunctionDeclaration(s) ? 'function' : ts.isTypeAliasDeclaration(s) ? 'type' : ts.isVariableStatement(s) ? 'const' : undefined;
    if (kind === undefined) continue;
    const names = ts.isVariableStatement(s) ? s.declarationList.declarations.map((d) => d.name.getText(src)) : [(s as ts.DeclarationStatement).name!.getText(src)];
    // @internal declarations are not public API (jsii leaves them out of the assembly too).
    const internal = ts.getJSDocTags(s).some((t) => t.tagName.text === 'internal');
    for (const n of names) {
      local.set(n, kind);
      if (hasExport(s) && !internal) out.set(n, kind);
    }
  }
  for (const s of src.statements) {
    if (!ts.isExportDeclaration(s)) continue;
    const target = s.moduleSpecifier ? resolveModule(file, (s.moduleSpecifier as ts.StringLiteral).text) : undefined;
    if (!s.exportClause) {
      for (const [n, k] of exportsOf(target!, cache)) out.set(n, k);
    } else if (ts.isNamespaceExport(s.exportClause)) {
      out.set(s.exportClause.name.text, 'submodule');
    } else {
      const from = target ? exportsOf(target, cache) : local;
      for (const e of s.exportClause.elements) {
        const original = (e.propertyName ?? e.name).text;
        out.set(e.name.text, from.get(original) ?? 'unknown');
      }
    }
  }
  return out;
}

/** Every symbol `lib/index.ts` exports, sorted by name. */
export function publicApi(root: string): ExportedSymbol[] {
  return [...exportsOf(path.join(root, 'lib', 'index.ts'))].map(([name, kind]) => ({ name, kind }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The public instance members (properties, getters, methods, constructor parameter properties) a class
 * declares: neither private nor protected, not `_`-prefixed (@internal), not static.
 */
export function publicInstanceMembers(file: string, className: string): string[] {
  const src = sourceFile(file);
  const cls = src.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) throw new Error(`no class ${className} in ${file}`);
  const mods = (n: ts.Node) => (ts.canHaveModifiers(n) ? ts.getModifiers(n) ?? [] : []).map((m) => m.kind);
  const hidden = (n: ts.Node) => mods(n).some((k) => k === ts.SyntaxKind.PrivateKeyword || k === ts.SyntaxKind.ProtectedKeyword || k === ts.SyntaxKind.StaticKeyword);
  const out: string[] = [];
  for (const m of cls.members) {
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        const ms = mods(p);
        if (ms.includes(ts.SyntaxKind.PublicKeyword) || (ms.includes(ts.SyntaxKind.ReadonlyKeyword) && !hidden(p))) out.push(p.name.getText(src));
      }
    } else if (m.name && !hidden(m) && !ts.isIndexSignatureDeclaration(m)) {
      const name = m.name.getText(src);
      if (!name.startsWith('_') && !out.includes(name)) out.push(name);
    }
  }
  return out;
}
