import { IConstruct } from 'constructs';
import { fail } from './errors';
import { bool, checkArg } from './validate';
import { isKnownMigProfile, knownMigProfilesText } from './mig';

const MIG_PROFILE = /^[1-7]g\.[0-9]+gb$/;
const EXTENDED_RESOURCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A GPU extended resource name, such as `nvidia.com/gpu` or a MIG profile `nvidia.com/mig-1g.10gb`.
 * Extended resources can only be requested in whole units, with limits equal to requests, and can only be
 * quota'd under the `requests.` prefix.
 */
export class GpuResource {
  /** Whole NVIDIA GPUs (`nvidia.com/gpu`), the device plugin's default resource. */
  public static readonly NVIDIA_GPU = new GpuResource('nvidia.com/gpu');

  /**
   * A MIG slice, for example `mig('1g.10gb')` gives `nvidia.com/mig-1g.10gb` (device plugin `mixed` strategy).
   * The profile is validated when a construct uses it.
   */
  public static mig(profile: string): GpuResource {
    return new GpuResource(`nvidia.com/mig-${profile}`, profile);
  }

  /**
   * A time-sliced (shared) GPU. With `renameByDefault` in the device plugin's sharing config the resource is
   * `nvidia.com/gpu.shared`; without it the resource stays `nvidia.com/gpu`.
   * @param renamed whether the cluster renames shared GPUs to `nvidia.com/gpu.shared`
   */
  public static timeSliced(renamed: boolean): GpuResource {
    checkArg('GpuResource.timeSliced', 'renamed', renamed, bool);
    return new GpuResource(renamed ? 'nvidia.com/gpu.shared' : 'nvidia.com/gpu');
  }

  /** Any other extended resource name, for example `amd.com/gpu`. */
  public static custom(resourceName: string): GpuResource {
    return new GpuResource(resourceName);
  }

  private constructor(
    /** The extended resource name, as it appears in `resources.limits`. */
    public readonly resourceName: string,
    /** The MIG profile, for MIG slices (checked by `validate`). */
    private readonly migProfile?: string,
  ) {}

  /** The ResourceQuota key. Extended resources only accept the `requests.` prefix. */
  public get quotaKey(): string {
    return `requests.${this.resourceName}`;
  }

  /** Throws unless the name is well formed (and, for MIG, a real `<g>g.<n>gb` profile). */
  public validate(scope: IConstruct, prop: string): this {
    if (this.migProfile !== undefined && !MIG_PROFILE.test(this.migProfile)) {
      fail(scope, prop, this.resourceName, 'a MIG profile nvidia.com/mig-<g>g.<n>gb, such as nvidia.com/mig-1g.10gb or nvidia.com/mig-3g.40gb (g from 1 to 7)');
    }
    if (this.migProfile !== undefined && !isKnownMigProfile(this.migProfile)) {
      fail(scope, prop, this.resourceName, `a MIG profile a known GPU offers (${knownMigProfilesText()}); for another product use GpuResource.custom("nvidia.com/mig-<profile>")`);
    }
    // As the API server's IsExtendedResourceName: no kubernetes.io domain (native resources), no quota prefix.
    if (!EXTENDED_RESOURCE.test(this.resourceName) || this.resourceName.includes('kubernetes.io/')
      || this.resourceName.startsWith('requests.') || this.resourceName.startsWith('limits.')) {
      fail(scope, prop, this.resourceName, 'a domain-qualified extended resource name such as nvidia.com/gpu');
    }
    return this;
  }
}
