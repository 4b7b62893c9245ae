import { Construct } from 'constructs';
import { GpuResource } from '../../lib/core/gpu';
import { Cpu, Memory } from '../../lib/core/quantity';
import { ITenant, NodePlacement, TenantQuotaView } from '../../lib/core/tenant';

/** A stand-in for TenantNamespace: the ITenant contract only, no objects. */
export class FakeTenant extends Construct implements ITenant {
  public readonly tenantName: string;
  public readonly namespaceName: string;
  public readonly placement: NodePlacement;
  public readonly quota: TenantQuotaView;

  constructor(scope: Construct, id: string, gpus: number = 4) {
    super(scope, id);
    this.tenantName = 'ml-team';
    this.namespaceName = 'ml-team';
    this.placement = {
      nodeSelector: { 'gpu-platform.dev/pool': 'ml-team' },
      tolerations: [{ key: 'gpu-platform.dev/tenant', operator: 'Equal', value: 'ml-team', effect: 'NoSchedule' }],
    };
    this.quota = {
      cpuRequests: Cpu.cores(64),
      cpuLimits: Cpu.cores(64),
      memoryRequests: Memory.gibibytes(512),
      memoryLimits: Memory.gibibytes(512),
      gpus: [{ resource: GpuResource.NVIDIA_GPU, count: gpus }],
    };
  }
}
