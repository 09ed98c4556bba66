import { isPlainObject } from '../../core/merge-patch';
import { lastSegment } from '../links';
import type { ComputeResource } from '../state';

export interface Accelerator {
  /** Short type name, e.g. `nvidia-l4`. */
  type: string;
  count: number;
}

/** Machine families whose GPUs come with the machine type (no `guestAccelerators` needed). */
const BUNDLED: Array<{ re: RegExp; type: string; count: (m: RegExpMatchArray) => number }> = [
  { re: /^g2-standard-(\d+)$/, type: 'nvidia-l4', count: (m) => ({ 24: 2, 48: 4, 96: 8 })[Number(m[1])] ?? 1 },
  { re: /^a2-highgpu-(\d+)g$/, type: 'nvidia-tesla-a100', count: (m) => Number(m[1]) },
  { re: /^a2-megagpu-16g$/, type: 'nvidia-tesla-a100', count: () => 16 },
  { re: /^a2-ultragpu-(\d+)g$/, type: 'nvidia-a100-80gb', count: (m) => Number(m[1]) },
  { re: /^a3-(?:highgpu|megagpu|edgegpu)-(\d+)g$/, type: 'nvidia-h100-80gb', count: (m) => Number(m[1]) },
];

/** The GPUs one VM of this instance template gets. */
export function acceleratorsOf(template: ComputeResource | undefined): Accelerator[] {
  const props = isPlainObject(template?.properties) ? template.properties : {};
  const out: Accelerator[] = [];
  if (Array.isArray(props.guestAccelerators)) {
    for (const g of props.guestAccelerators) {
      if (!isPlainObject(g) || typeof g.acceleratorType !== 'string') continue;
      out.push({ type: lastSegment(g.acceleratorType), count: Number(g.acceleratorCount ?? 1) || 1 });
    }
  }
  if (out.length === 0 && typeof props.machineType === 'string') {
    const machine = lastSegment(props.machineType);
    for (const b of BUNDLED) {
      const m = machine.match(b.re);
      if (m) out.push({ type: b.type, count: b.count(m) });
    }
  }
  return out;
}

const METRIC_EXCEPTIONS: Record<string, string> = {
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS',
  'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS',
};

/** The regional quota metric of an accelerator type (`nvidia-l4` → `NVIDIA_L4_GPUS`). */
export function quotaMetric(type: string): string {
  const known = METRIC_EXCEPTIONS[type];
  if (known) return known;
  const core = type.replace(/^nvidia-/, '').replace(/^tesla-/, '');
  return `NVIDIA_${core.toUpperCase().replace(/-/g, '_')}_GPUS`;
}
