/**
 * Extracts the TypeScript snippets of README.md and docs/*.md, so that CI compiles each one against the
 * packed package (test/package/consumer.test.ts). The conventions, for the author of a page:
 *
 * - Every ```ts (or ```typescript) block is compiled, as a module of its own (its names do not clash with
 *   the other snippets'), as a user would write it: `import ... from 'cdk8s-gpu-platform'`.
 * - A block with no `import` line is a fragment: it gets a hidden preamble that imports every export of
 *   'cdk8s-gpu-platform', `App`, `Chart`, `Duration`, `ApiObject` from 'cdk8s', `k8s` from 'cdk8s-plus-27' and
 *   declares `app: App` and `chart: Chart`.
 * - `<!-- setup: ... -->` right before a block (blank lines allowed) is hidden code prepended to it:
 *   declarations of what the fragment assumes, e.g.
 *   `<!-- setup: declare const mlTeam: TenantNamespace; declare const vllm: GpuInferenceService; -->`.
 * - `<!-- snippet: skip (why) -->` right before a block leaves it out (say why: pseudo-code, a repository
 *   test, a deliberately wrong example).
 * - `<!-- snippet: app -->` marks the quick start: CI also synthesizes it in the consumer app.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Snippet {
  /** Page, relative to the repository root (`docs/tenancy.md`). */
  readonly file: string;
  /** 1-based line of the first code line in the page. */
  readonly line: number;
  readonly code: string;
  /** Hidden code from `<!-- setup: ... -->`. */
  readonly setup: string;
  readonly skip: boolean;
  readonly app: boolean;
}

const FENCE = /^(\s*)(```+|~~~+)\s*([\w+-]*)/;
const DIRECTIVE = /<!--\s*(setup|snippet)\s*:([\s\S]*?)-->/g;

/** The TypeScript blocks of one Markdown text. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  // Text between the previous block (or the start) and the current line: where directives are looked up.
  let pending: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      pending.push(lines[i]);
      continue;
    }
    const [, , fence, lang] = open;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    const body = lines.slice(start, end).join('\n');
    if (lang === 'ts' || lang === 'typescript') {
      const directives = directivesBefore(pending);
      out.push({
        file, line: start + 1, code: body,
        setup: directives.setup.join('\n'),
        skip: directives.snippet.some((d) => /^skip\b/.test(d)),
        app: directives.snippet.some((d) => /^app\b/.test(d)),
      });
    }
    pending = [];
    i = end;
  }
  return out;
}

/** Directives in the last paragraph-free stretch before a block: only comments and blank lines may follow them. */
function directivesBefore(pending: string[]): { setup: string[]; snippet: string[] } {
  // Walk back over blank lines and HTML comments; stop at the first line of prose.
  let from = pending.length;
  let inComment = false;
  for (let j = pending.length - 1; j >= 0; j--) {
    const t = pending[j].trim();
    if (inComment) {
      if (t.startsWith('<!--')) inComment = false;
      from = j;
      continue;
    }
    if (t === '') { from = j; continue; }
    if (t.endsWith('-->')) {
      from = j;
      inComment = !t.startsWith('<!--');
      continue;
    }
    break;
  }
  const text = pending.slice(from).join('\n');
  const setup: string[] = [];
  const snippet: string[] = [];
  for (const m of text.matchAll(DIRECTIVE)) (m[1] === 'setup' ? setup : snippet).push(m[2].trim());
  return { setup, snippet };
}

/** The pages whose snippets CI compiles: README.md and docs/*.md. */
export function docPages(root: string): string[] {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...docs];
}

/** Every snippet of every page. */
export function allSnippets(root: string): Snippet[] {
  return docPages(root).flatMap((f) => extractSnippets(f, fs.readFileSync(path.join(root, f), 'utf8')));
}

/** Whether a snippet is a fragment (no import of its own): it then gets the hidden preamble. */
export function isFragment(s: Snippet): boolean {
  return !/^\s*import\s/m.test(s.code);
}

/** Top-level-ish names a snippet declares (a regex, good enough for documentation code). */
export function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var|function|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  for (const m of code.matchAll(/\b(?:const|let|var)\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part.split(':').pop()!.split('=')[0].trim();
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  for (const m of code.matchAll(/^\s*import\s*\{([^}]*)\}/gm)) {
    for (const part of m[1].split(',')) {
      const name = part.split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * The module CI compiles for a snippet and the number of hidden lines before the snippet's first line
 * (to map a compiler error back to the page). `libraryExports` are the names the package exports.
 */
export function snippetModule(s: Snippet, libraryExports: readonly string[]): { source: string; hiddenLines: number } {
  const preamble: string[] = [];
  if (isFragment(s)) {
    // Names the snippet or its setup declares itself are not imported (`const lws = ...` vs the `lws` submodule).
    const own = declaredNames(`${s.setup}\n${s.code}`);
    const pick = (names: readonly string[]) => names.filter((n) => !own.has(n)).join(', ');
    preamble.push(
      `import { ${pick(libraryExports)} } from 'cdk8s-gpu-platform';`,
      `import { ${pick(['App', 'ApiObject', 'Chart', 'Duration'])} } from 'cdk8s';`,
      ...(own.has('k8s') ? [] : ["import { k8s } from 'cdk8s-plus-27';"]),
      ...['app', 'chart'].filter((n) => !own.has(n)).map((n) => `declare const ${n}: ${n === 'app' ? 'App' : 'Chart'};`),
    );
  }
  if (s.setup) preamble.push(...s.setup.split('\n'));
  // `export {}` makes each snippet a module: top-level names stay its own.
  const source = [...preamble, s.code, 'export {};', ''].join('\n');
  return { source, hiddenLines: preamble.length };
}
