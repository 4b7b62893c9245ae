import * as fs from 'fs';
import * as path from 'path';
import { allSnippets, declaredNames, docPages, extractSnippets, isFragment, snippetModule } from './snippets';

const ROOT = path.join(__dirname, '..', '..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

describe('README.md', () => {
  const readme = read('README.md');

  test('is at most 15 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
  });

  test('starts with the two commands .ci/run runs', () => {
    const block = /^# .+\n\n```sh\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    const commands = block![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm run synth', 'npm test']);
    const ci = read('.ci/run');
    expect(ci).toContain('(npm ci && npm run synth)');
    expect(ci).toMatch(/^npm test$/m);
  });

  test('has exactly one quick start marked for the consumer-app test', () => {
    expect(allSnippets(ROOT).filter((s) => s.app).map((s) => s.file)).toEqual(['README.md']);
  });
});

test('every relative link of README.md, CONTRIBUTING.md and docs/*.md points at a file that exists', () => {
  const broken: string[] = [];
  for (const page of [...docPages(ROOT), 'CONTRIBUTING.md']) {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      if (!fs.existsSync(path.join(ROOT, path.dirname(page), target))) broken.push(`${page}: ${target}`);
    }
  }
  expect(broken).toEqual([]);
});

describe('snippet extraction', () => {
  const md = [
    'Intro.',
    '',
    '<!-- setup: declare const mlTeam: TenantNamespace; -->',
    '```ts',
    'new X(chart, "a", { tenant: mlTeam });',
    '```',
    'Prose in between.',
    '```typescript',
    "import { App } from 'cdk8s';",
    'const app = new App();',
    '```',
    '<!-- snippet: skip (pseudo-code) -->',
    '',
    '```ts',
    'whatever(',
    '```',
    '```sh',
    'npm test',
    '```',
    '<!-- snippet: app -->',
    '```ts',
    "import { App } from 'cdk8s';",
    '```',
  ].join('\n');
  const snippets = extractSnippets('page.md', md);

  test('takes ts and typescript blocks with their page line, setup and directives', () => {
    expect(snippets.map((s) => [s.line, s.setup, s.skip, s.app])).toEqual([
      [5, 'declare const mlTeam: TenantNamespace;', false, false],
      [9, '', false, false],
      [15, '', true, false],
      [22, '', false, true],
    ]);
  });

  test('a directive applies to the next block only, never across prose', () => {
    const s = extractSnippets('p.md', '<!-- snippet: skip -->\nprose\n```ts\nx;\n```');
    expect(s[0].skip).toBe(false);
  });

  test('a fragment (no import) gets the hidden preamble minus what it declares; a full program gets none', () => {
    expect(isFragment(snippets[0])).toBe(true);
    expect(isFragment(snippets[1])).toBe(false);
    const fragment = snippetModule({ ...snippets[0], code: 'const lws = 1;' }, ['lws', 'TenantNamespace']);
    expect(fragment.source).toContain("import { TenantNamespace } from 'cdk8s-gpu-platform';");
    expect(fragment.source).toContain('declare const mlTeam: TenantNamespace;');
    expect(fragment.source.split('\n')[fragment.hiddenLines]).toBe('const lws = 1;');
    const full = snippetModule(snippets[1], ['TenantNamespace']);
    expect(full.hiddenLines).toBe(0);
    expect(full.source).toBe(`${snippets[1].code}\nexport {};\n`);
  });

  test('declared names cover declarations, destructuring and imports', () => {
    expect([...declaredNames("import { A, B as C } from 'x';\nconst { d, e: f } = g;\nfunction h() {}\nlet i = 1;")].sort())
      .toEqual(['A', 'C', 'd', 'f', 'h', 'i']);
  });
});
