import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuResource } from '../../lib/core';

const scope = () => new Construct(new Chart(Testing.app(), 'chart'), 'thing');

describe('GpuResource', () => {
  test('whole GPUs', () => {
    expect(GpuResource.NVIDIA_GPU.resourceName).toBe('nvidia.com/gpu');
    expect(GpuResource.NVIDIA_GPU.quotaKey).toBe('requests.nvidia.com/gpu');
    expect(GpuResource.NVIDIA_GPU.validate(scope(), 'gpu')).toBe(GpuResource.NVIDIA_GPU);
  });

  test.each(['1g.10gb', '3g.40gb', '4g.71gb', '7g.80gb', '1g.5gb'])('MIG profile %p', (profile) => {
    const mig = GpuResource.mig(profile);
    expect(mig.resourceName).toBe(`nvidia.com/mig-${profile}`);
    expect(mig.quotaKey).toBe(`requests.nvidia.com/mig-${profile}`);
    expect(() => mig.validate(scope(), 'gpu')).not.toThrow();
  });

  test.each(['8g.80gb', '0g.10gb', '1g10gb', '1g.10', 'mig-1g.10gb', '1G.10GB', ''])('invalid MIG profile %p names path, prop, value and what is allowed', (profile) => {
    expect(() => GpuResource.mig(profile).validate(scope(), 'gpuResource')).toThrow(
      `[chart/thing] gpuResource: given "nvidia.com/mig-${profile}"; allowed: a MIG profile nvidia.com/mig-<g>g.<n>gb, such as nvidia.com/mig-1g.10gb or nvidia.com/mig-3g.40gb (g from 1 to 7)`);
  });

  test('a +me MIG profile is rejected: Kubernetes resource names cannot contain "+"', () => {
    expect(() => GpuResource.mig('1g.10gb+me').validate(scope(), 'gpu')).toThrow(
      '[chart/thing] gpu: given "nvidia.com/mig-1g.10gb+me"; allowed: a MIG profile nvidia.com/mig-<g>g.<n>gb');
  });

  test('time-sliced GPUs', () => {
    expect(GpuResource.timeSliced(true).resourceName).toBe('nvidia.com/gpu.shared');
    expect(GpuResource.timeSliced(false).resourceName).toBe('nvidia.com/gpu');
    expect(GpuResource.timeSliced(true).quotaKey).toBe('requests.nvidia.com/gpu.shared');
    expect(() => GpuResource.timeSliced(true).validate(scope(), 'gpu')).not.toThrow();
  });

  test('custom extended resources', () => {
    const amd = GpuResource.custom('amd.com/gpu');
    expect(amd.resourceName).toBe('amd.com/gpu');
    expect(amd.quotaKey).toBe('requests.amd.com/gpu');
    expect(() => amd.validate(scope(), 'gpu')).not.toThrow();
  });

  test.each(['gpu', 'nvidia/gpu', 'kubernetes.io/gpu', 'example.kubernetes.io/gpu', 'requests.nvidia.com/gpu', 'limits.nvidia.com/gpu', 'Nvidia.com/gpu', 'nvidia.com/', 'nvidia.com/gpu!'])(
    'invalid custom name %p names path, prop, value and what is allowed', (name) => {
      expect(() => GpuResource.custom(name).validate(scope(), 'gpuResource')).toThrow(
        `[chart/thing] gpuResource: given ${JSON.stringify(name)}; allowed: a domain-qualified extended resource name such as nvidia.com/gpu`);
    });

  test('the quota key never uses limits. (extended resources are only quota\'d as requests.)', () => {
    for (const g of [GpuResource.NVIDIA_GPU, GpuResource.mig('2g.20gb'), GpuResource.timeSliced(true), GpuResource.custom('amd.com/gpu')]) {
      expect(g.quotaKey.startsWith('requests.')).toBe(true);
      expect(g.quotaKey).not.toContain('limits.');
    }
  });
});
