// Shared fixtures of the delivery tests (not a test file).
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, GpuResource, ITenant, Memory, NodePlacement, TenantQuotaView } from '../../lib/core';
import { workloadSecurity, writableDirs } from '../../lib/core/security';
import { k8s } from '../../lib/core/k8s';

export function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

/** A minimal ITenant, so these tests do not depend on TenantNamespace. */
export class FakeTenant extends Construct implements ITenant {
  public readonly tenantName: string;
  public readonly namespaceName: string;
  public readonly placement: NodePlacement;
  public readonly quota: TenantQuotaView;
  constructor(scope: Construct, id: string, name: string, gpus: number) {
    super(scope, id);
    this.tenantName = name;
    this.namespaceName = name;
    this.placement = gpus > 0 ? {
      nodeSelector: { 'gpu-platform.dev/pool': 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    } : {};
    this.quota = { cpuRequests: Cpu.cores(64), memoryRequests: Memory.gibibytes(512), gpus: gpus > 0 ? [{ resource: GpuResource.NVIDIA_GPU, count: gpus }] : [] };
  }
}

/** A Pod Security restricted pod spec with one container on `port`, optionally with GPUs. */
export function podSpec(image: string, port: number, gpus = 0): k8s.PodSpec {
  const sec = workloadSecurity(Testing.app(), 'security');
  const dirs = writableDirs([{ name: 'tmp', mountPath: '/tmp' }]);
  const limits: { [key: string]: k8s.Quantity } = { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') };
  const requests: { [key: string]: k8s.Quantity } = { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('1Gi') };
  if (gpus > 0) {
    limits['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
    requests['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
  }
  return {
    automountServiceAccountToken: false,
    securityContext: sec.pod,
    containers: [{
      name: 'app',
      image,
      ports: [{ name: 'http', containerPort: port }],
      resources: { limits, requests },
      securityContext: sec.container,
      readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(port) } },
      volumeMounts: dirs.mounts,
    }],
    volumes: dirs.volumes,
  };
}

/** A plain L1 Deployment, like the one GpuInferenceService exposes. */
export function deployment(scope: Construct, name: string, namespace: string, replicas: number, gpus = 0): k8s.KubeDeployment {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  return new k8s.KubeDeployment(scope, `dep-${name}`, {
    metadata: { name, namespace, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(`registry.example.com/${name}:1.0.0`, 8000, gpus) } },
  });
}

export function byKind(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

export function one(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}
