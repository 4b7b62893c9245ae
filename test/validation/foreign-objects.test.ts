import { ApiObject, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkDocuments, expectValid, fixFor, synth, validate } from '../harness';

/** Objects the library did not write: cdk8s-plus-27 with its defaults, a raw ApiObject, an Include. */
describe('objects the library did not write', () => {
  test('a cdk8s-plus-27 Deployment with default settings gets the Pod Security findings it deserves, with fixes', () => {
    const chart = new Chart(Testing.app(), 'app');
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
    const findings = checkDocuments(synth(chart).map((manifest) => ({ manifest })));
    // cdk8s-plus-27 already sets allowPrivilegeEscalation false and runAsNonRoot; it sets no seccomp profile and drops no capabilities.
    expect(findings.map((f) => [f.rule, f.severity, f.message.replace(/ \(main\)/, '')])).toEqual([
      ['pod-security', 'error', 'restricted: R5 spec.template.spec.containers[0].securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (here or on the pod)'],
      ['pod-security', 'error', 'restricted: R6 spec.template.spec.containers[0].securityContext.capabilities.drop: must include ALL'],
    ]);
    expect(findings[0].fix).toMatch(/seccompProfile.*RuntimeDefault.*JsonPatch\.add/);
    expect(findings[1].fix).toMatch(/capabilities: \{ drop: \['ALL' as Capability\] \}/);
  });

  test('following the fix hints makes the cdk8s-plus-27 Deployment pass', () => {
    const chart = new Chart(Testing.app(), 'app');
    const dep = new kplus.Deployment(chart, 'web', {
      // cdk8s-plus-27 2.9.5's Capability enum has CAP_* names and no ALL; the API and Pod Security want `ALL`.
      containers: [{ image: 'nginx', portNumber: 8080, securityContext: { capabilities: { drop: ['ALL' as kplus.Capability] }, user: 1000 } }],
    });
    ApiObject.of(dep).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    expect(() => expectValid(synth(chart))).not.toThrow();
  });

  test('a raw ApiObject and an included YAML file are judged like any other object', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foreign-'));
    try {
      const file = path.join(dir, 'pod.yaml');
      fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: busybox\n');
      const chart = new Chart(Testing.app(), 'app');
      new Include(chart, 'inc', { url: file });
      new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Raw' }, spec: { ports: [{ port: 80 }] } as any });
      const rules = validate(synth(chart)).map((v) => `${v.rule} ${v.object}`);
      expect(rules).toEqual(expect.arrayContaining(['pod-security Pod/helper', 'metadata Service/Raw']));
      expect(fixFor('pod-security', 'baseline: B1 spec.hostNetwork: must be unset or false')).toMatch(/hostNetwork/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
