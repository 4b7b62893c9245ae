/**
 * docs/gitops.md's GitOps example, run exactly as written: the snippet is taken from the page, transpiled and
 * executed against the library (test/package/consumer.test.ts only compiles it). The one change is where
 * GitOpsApp writes: a temporary folder instead of the default outdir.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as lib from '../../lib';
import { extractSnippets } from './snippets';

const ROOT = path.join(__dirname, '..', '..');

test('docs/gitops.md: the GitOps example synthesizes as written', () => {
  const page = 'docs/gitops.md';
  const snippet = extractSnippets(page, fs.readFileSync(path.join(ROOT, page), 'utf8'))
    .find((s) => s.code.includes('new GitOpsApp('));
  expect(snippet).toBeDefined();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-doc-'));
  try {
    class TempGitOpsApp extends lib.GitOpsApp {
      constructor(props: lib.GitOpsAppProps) { super({ ...props, outdir }); }
    }
    const pkg = { ...lib, GitOpsApp: TempGitOpsApp };
    const js = ts.transpileModule(snippet!.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const req = (id: string) => { if (id === 'cdk8s-gpu-platform') return pkg; throw new Error(`unexpected import ${id}`); };
    new Function('require', 'exports', js)(req, {});
    for (const env of ['dev', 'staging', 'prod']) {
      expect(fs.existsSync(path.join(outdir, env, 'apps'))).toBe(true);
      expect(fs.readdirSync(path.join(outdir, env, 'serving')).length).toBeGreaterThan(0);
    }
    expect(fs.existsSync(path.join(outdir, 'argocd-cmp'))).toBe(true);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
