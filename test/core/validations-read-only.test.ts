import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { buildExamples } from '../../examples/main';

/** Every ApiObject of a tree that serializes before the synth's preparation (an ApplicationSet does not). */
function objects(root: IConstruct): string[] {
  return root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => {
    try {
      return JSON.stringify(o.toJson());
    } catch (e) {
      return `${o.node.path}: ${(e as Error).message}`;
    }
  });
}

test('validations only read: running every validation of the example platform changes no object', () => {
  const app = buildExamples();
  const roots: IConstruct[] = [app, ...app.environments];
  const before = roots.map(objects);
  for (const root of roots) {
    for (const c of root.node.findAll()) c.node.validate();
  }
  expect(roots.map(objects)).toEqual(before);
  expect(before.flat().filter((o) => o.startsWith('{')).length).toBeGreaterThan(100);
});
