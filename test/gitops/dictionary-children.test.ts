import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Environment, GitOpsApp } from '../../lib/gitops';
import { useDictionaryChildren } from '../../lib/gitops/folder-chart';

// useDictionaryChildren is a performance measure (docs/gitops.md, Benchmark): it must not change what the
// construct tree does.
describe('useDictionaryChildren', () => {
  test('keeps children, their order, lookups and the duplicate-id error', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new Construct(chart, 'b');
    new Construct(chart, '10');
    useDictionaryChildren(chart);
    new Construct(chart, 'a');
    new Construct(chart, '2');
    // Integer-like ids first (ascending), then insertion order: exactly what a plain object gives.
    expect(chart.node.children.map((c) => c.node.id)).toEqual(['2', '10', 'b', 'a']);
    expect(chart.node.tryFindChild('a')?.node.path).toBe('c/a');
    expect(chart.node.tryFindChild('missing')).toBeUndefined();
    expect(() => new Construct(chart, 'a')).toThrow(/There is already a Construct with name 'a'/);
    expect(chart.node.tryRemoveChild('b')).toBe(true);
    expect(chart.node.children.map((c) => c.node.id)).toEqual(['2', '10', 'a']);
  });

  test('is idempotent and applied to environment and application charts', () => {
    const app = new GitOpsApp({ repoUrl: 'https://github.com/example/repo.git', outdir: Testing.app().outdir });
    const env = new Environment(app, 'dev');
    const chart = env.addApplication('svc-0001');
    new Construct(chart, 'svc-0001');
    useDictionaryChildren(chart);
    for (const c of [app, env, chart]) {
      expect(Object.getPrototypeOf((c.node as any)._children)).toBeNull();
    }
    expect(chart.node.children.map((c) => c.node.id)).toEqual(['svc-0001']);
  });
});
