// MIG profiles of the GPU products the library knows, from NVIDIA's Multi-Instance GPU User Guide,
// "Supported MIG Profiles" (docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html) and
// "Supported GPUs". The media-extension variants (`+me`) are left out: `+` is not allowed in an extended resource
// name, so the device plugin's mixed strategy cannot advertise them under that name.
// A profile of a product not listed here: use GpuResource.custom('nvidia.com/mig-<profile>'), which skips this table.

/** Profiles by product, as `nvidia-smi mig -lgip` names them. */
export const MIG_PROFILES: { readonly [product: string]: readonly string[] } = {
  'A30 (24GB)': ['1g.6gb', '2g.12gb', '4g.24gb'],
  'A100 40GB': ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  'A100 80GB': ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  'H100 80GB': ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  'H100 94GB': ['1g.12gb', '1g.24gb', '2g.24gb', '3g.47gb', '4g.47gb', '7g.94gb'],
  'H100 96GB (GH200), H20': ['1g.12gb', '1g.24gb', '2g.24gb', '3g.48gb', '4g.48gb', '7g.96gb'],
  'H200 141GB': ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
  'B200 180GB': ['1g.23gb', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb'],
  'B300 288GB': ['1g.34gb', '1g.67gb', '2g.67gb', '3g.135gb', '4g.135gb', '7g.269gb'],
  'RTX PRO 6000 Blackwell 96GB': ['1g.24gb', '2g.48gb', '4g.96gb'],
};

const KNOWN = new Set(Object.values(MIG_PROFILES).flat());

/** True when some known GPU product offers the profile. */
export function isKnownMigProfile(profile: string): boolean {
  return KNOWN.has(profile);
}

/** The products offering a profile, for messages. */
export function knownMigProfilesText(): string {
  return Object.entries(MIG_PROFILES).map(([p, list]) => `${p}: ${list.join(', ')}`).join('; ');
}
