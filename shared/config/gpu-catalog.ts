/**
 * What Compute Engine accepts for GPU serving VMs: machine types with the accelerators they come with,
 * the disk types each series takes, and the zones that have each accelerator. Data, checked against
 * Google's pages on 2026-12-05 (stored copies; most "Last updated" April 2026). Re-check before adding a
 * region: GPUs exist only in some zones, and a listed zone can still be out of stock.
 *
 * - Machine types and fixed GPU counts, G2 disk types, "no Deep Learning VM images on G2":
 *   https://cloud.google.com/compute/docs/accelerator-optimized-machines
 * - Accelerator names: https://cloud.google.com/compute/docs/gpus
 * - Zones by machine series (G2 ⇒ L4): https://cloud.google.com/compute/docs/regions-zones
 *   (https://cloud.google.com/compute/docs/gpus/gpu-regions-zones was not available to check)
 *
 * Used by `georoute validate-config` / bootstrap (shared/config/checks.ts) and by the local twin, which
 * refuses what this table says Google refuses (emulator/compute/sim/accelerators.ts).
 */

export interface MachineSeries {
  /** `g2`, `a2`, `a3`. */
  series: string;
  accelerator: string;
  /** Machine type → accelerators it comes with (fixed: guestAccelerators may not change it). */
  machineTypes: Readonly<Record<string, number>>;
  /** Boot/data disk types the series takes; an unset diskType means pd-standard. */
  diskTypes: readonly string[];
  /** Image projects the series cannot boot (with why). */
  refusedImageProjects?: Readonly<Record<string, string>>;
}

export const MACHINE_SERIES: readonly MachineSeries[] = [
  {
    series: 'g2',
    accelerator: 'nvidia-l4',
    machineTypes: {
      'g2-standard-4': 1,
      'g2-standard-8': 1,
      'g2-standard-12': 1,
      'g2-standard-16': 1,
      'g2-standard-24': 2,
      'g2-standard-32': 1,
      'g2-standard-48': 4,
      'g2-standard-96': 8,
    },
    // "Standard Persistent Disk (pd-standard) isn't supported on instances that use the G2 machine type."
    diskTypes: ['pd-balanced', 'pd-ssd', 'hyperdisk-ml', 'hyperdisk-throughput'],
    // "You can't use Deep Learning VM Images as boot disks for instances that use the G2 machine type."
    refusedImageProjects: {
      'deeplearning-platform-release': 'Deep Learning VM images cannot boot G2 machines',
    },
  },
  {
    series: 'a2',
    accelerator: 'nvidia-tesla-a100',
    machineTypes: {
      'a2-highgpu-1g': 1,
      'a2-highgpu-2g': 2,
      'a2-highgpu-4g': 4,
      'a2-highgpu-8g': 8,
      'a2-megagpu-16g': 16,
    },
    diskTypes: ['pd-balanced', 'pd-ssd', 'pd-standard'],
  },
  {
    series: 'a3',
    accelerator: 'nvidia-h100-80gb',
    machineTypes: { 'a3-highgpu-1g': 1, 'a3-highgpu-2g': 2, 'a3-highgpu-4g': 4, 'a3-highgpu-8g': 8 },
    diskTypes: ['pd-balanced', 'pd-ssd'],
  },
];

/**
 * Zones with each accelerator, for the regions georoute's examples and tests use. A region absent here
 * is unknown to georoute for that accelerator: add it after checking Google's page.
 */
export const ACCELERATOR_ZONES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'nvidia-l4': {
    'asia-northeast1': ['asia-northeast1-a', 'asia-northeast1-b', 'asia-northeast1-c'],
    'asia-southeast1': ['asia-southeast1-a', 'asia-southeast1-b', 'asia-southeast1-c'],
    'europe-west1': ['europe-west1-c'],
    'europe-west4': ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'],
    'us-central1': ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    'us-east4': ['us-east4-a', 'us-east4-c'],
    'us-west1': ['us-west1-a', 'us-west1-b'],
  },
};

/** The series a machine type belongs to, if georoute knows it. */
export function seriesOf(machineType: string): MachineSeries | undefined {
  const name = machineType.slice(machineType.lastIndexOf('/') + 1);
  return MACHINE_SERIES.find((s) => name in s.machineTypes);
}

/** Accelerators a machine type comes with: `{type, count}`, or undefined when not a known GPU machine type. */
export function bundledAccelerators(machineType: string): { type: string; count: number } | undefined {
  const series = seriesOf(machineType);
  const name = machineType.slice(machineType.lastIndexOf('/') + 1);
  return series ? { type: series.accelerator, count: series.machineTypes[name] as number } : undefined;
}

/** Zones of `region` with `accelerator`; undefined when the table does not know the region. */
export function acceleratorZones(accelerator: string, region: string): readonly string[] | undefined {
  return ACCELERATOR_ZONES[accelerator]?.[region];
}
