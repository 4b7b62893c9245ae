/** Small objects for the validator's tests: secure by default, each test breaks one thing. */
export const NS = 'team-a';
export const LABELS = { 'app.kubernetes.io/name': 'web' };

export function secureContainer(name = 'server'): any {
  return {
    name,
    image: 'registry.example.com/app:1.0',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    securityContext: {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

export function podSpec(): any {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [secureContainer()],
  };
}

export function deployment(name = 'web', namespace = NS): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels: LABELS },
    spec: { replicas: 1, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: podSpec() } },
  };
}

export function configMap(name = 'cfg', namespace = NS): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { a: 'b' } };
}
