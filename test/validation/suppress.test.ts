import { evaluate, SUPPRESS_ANNOTATION, suppressionAnnotation, validate } from '../harness';
import { configMap, deployment } from './fixtures';

const noSeccomp = () => {
  const d = deployment();
  delete d.spec.template.spec.securityContext.seccompProfile;
  delete d.spec.template.spec.containers[0].securityContext.seccompProfile;
  return d;
};

describe('suppression annotation', () => {
  test('suppresses one rule on one object, with the reason kept in the evaluation', () => {
    const d = noSeccomp();
    d.metadata.annotations = suppressionAnnotation({ 'pod-security': 'runs on nodes whose runtime enforces its own seccomp profile' });
    const other = { ...noSeccomp(), metadata: { ...noSeccomp().metadata, name: 'other' } };
    const { violations, suppressed } = evaluate([d, other]);
    expect(violations.map((v) => v.object)).toEqual(['Deployment/team-a/other']);
    expect(suppressed).toEqual([expect.objectContaining({
      rule: 'pod-security', object: 'Deployment/team-a/web', reason: 'runs on nodes whose runtime enforces its own seccomp profile',
    })]);
    expect(d.metadata.annotations).toEqual({ [SUPPRESS_ANNOTATION]: 'pod-security: runs on nodes whose runtime enforces its own seccomp profile' });
  });

  test('suppresses only the named rule; several rules, one per line', () => {
    const d = noSeccomp();
    d.metadata.name = 'Web';
    d.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'metadata: legacy name kept for the migration' };
    expect([...new Set(validate([d]).map((v) => v.rule))]).toEqual(['pod-security']);
    d.metadata.annotations[SUPPRESS_ANNOTATION] += '\npod-security: runtime enforces its own profile';
    expect(validate([d])).toEqual([]);
  });

  test('a suppression without a reason, of an unknown rule or of itself is a finding and suppresses nothing', () => {
    const cm = configMap('Bad_Name');
    cm.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'metadata: ok\nno-such-rule: a long enough reason\nsuppression: because I can\njust text' };
    const messages = validate([cm]).map((v) => `${v.rule} ${v.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^metadata metadata.name: "Bad_Name"/),
      `suppression metadata.annotations["${SUPPRESS_ANNOTATION}"]: rule metadata: give a reason of at least 10 characters (given "ok")`,
      `suppression metadata.annotations["${SUPPRESS_ANNOTATION}"]: "no-such-rule" is not a rule that can be suppressed`,
      `suppression metadata.annotations["${SUPPRESS_ANNOTATION}"]: "suppression" is not a rule that can be suppressed`,
      `suppression metadata.annotations["${SUPPRESS_ANNOTATION}"]: "just text" is not \`<rule-id>: <reason>\``,
    ]));
  });
});
