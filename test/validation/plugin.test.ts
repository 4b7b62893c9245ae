import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { GpuPlatformValidation, PluginContext } from '../harness';
import { CACHE_ROOT } from '../../lib/validation/cache';
import { configMap, deployment } from './fixtures';

/** A stand-in for cdk8s-cli's ValidationContext (node_modules/cdk8s-cli/lib/plugins/validation.js). */
function context(manifests: string[]) {
  const violations: any[] = [];
  const submitted: any[] = [];
  const ctx: PluginContext = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (status, metadata) => submitted.push({ status, metadata }) },
  };
  return { ctx, violations, submitted };
}

describe('GpuPlatformValidation (cdk8s validation plugin)', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-plugin-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (name: string, docs: any[]) => {
    const file = path.join(root, name);
    fs.writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    return file;
  };

  test('reports each rule once with its fix and every violating resource, and fails the synth on errors', async () => {
    const bad = deployment();
    bad.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    bad.spec.template.spec.containers[0].securityContext.capabilities = {};
    const file = write('app.k8s.yaml', [configMap(), bad]);
    const { ctx, violations, submitted } = context([file]);
    await new GpuPlatformValidation().validate(ctx);
    expect(violations).toEqual([
      {
        ruleName: 'pod-security (error)', recommendation: expect.stringContaining('Pod Security `restricted`'),
        fix: expect.stringContaining('allowPrivilegeEscalation: false'),
        violatingResources: [{ resourceName: 'web', manifestPath: file, locations: [expect.stringContaining('R2 spec.template.spec.containers[0] (server)')] }],
      },
      expect.objectContaining({ ruleName: 'pod-security (error)', fix: expect.stringContaining('capabilities.drop: [ALL]') }),
    ]);
    expect(submitted).toEqual([{ status: 'failure', metadata: expect.objectContaining({ objects: '2', errors: '2', warnings: '0', kubernetes: '1.27 (kubernetes-models 4.3.1)' }) }]);
  });

  test('passes a clean synth; warnings fail only with strict; properties skip rules', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'team-a' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } };
    const file = write('app.k8s.yaml', [configMap(), deployment(), svc]);
    const plain = context([file]);
    await new GpuPlatformValidation({}).validate(plain.ctx);
    expect(plain.submitted[0].status).toBe('success');
    expect(plain.violations.map((v) => v.ruleName)).toEqual(['service-selects-pods (warning)']);
    const strict = context([file]);
    await new GpuPlatformValidation({ strict: true }).validate(strict.ctx);
    expect(strict.submitted[0].status).toBe('failure');
    const skipped = context([file]);
    await new GpuPlatformValidation({ strict: true, skip: ['service-selects-pods'] }).validate(skipped.ctx);
    expect([skipped.submitted[0].status, skipped.violations]).toEqual(['success', []]);
  });

  test('prepare() (what npm run synth calls while the app runs) loads the validators the last validation used', async () => {
    const file = write('app.k8s.yaml', [configMap(), deployment()]);
    const { ctx, submitted } = context([file]);
    await new GpuPlatformValidation().validate(ctx);
    expect(submitted[0].status).toBe('success');
    const recent = JSON.parse(fs.readFileSync(path.join(CACHE_ROOT, 'recent-validators.json'), 'utf8'));
    expect([Array.isArray(recent.crd), Array.isArray(recent.schema)]).toEqual([true, true]);
    expect(() => GpuPlatformValidation.prepare()).not.toThrow();
    expect(() => GpuPlatformValidation.prepare({ crds: [root] })).not.toThrow();
  });

  test('the examples\' cdk8s.yaml names the plugin', () => {
    const config = fs.readFileSync(path.join(__dirname, '../../cdk8s.yaml'), 'utf8');
    expect(config).toContain('validations:\n  - package: ./validation\n    version: 0.1.0\n    class: GpuPlatformValidation\n');
    // The path cdk8s-cli requires (relative to the project) exports the class.
    expect(fs.readFileSync(path.join(__dirname, '../../validation.js'), 'utf8')).toMatch(/build.*lib.*validation/);
  });
});
