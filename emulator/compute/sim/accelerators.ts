import { bundledAccelerators } from '../../../shared/config/gpu-catalog';
import { isPlainObject } from '../../core/merge-patch';
import { lastSegment } from '../links';
import type { ComputeResource } from '../state';

export interface Accelerator {
  /** Short type name, e.g. `nvidia-l4`. */
  type: string;
  count: number;
  /** Set when the GPUs come with the machine type (G2, A2, A3) rather than from guestAccelerators. */
  machineType?: string;
}

/**
 * The GPUs one VM of this instance template gets: its `guestAccelerators`, else those its machine type
 * comes with (shared/config/gpu-catalog.ts, the one table georoute and the twin share; a machine type the
 * table does not know gets none).
 */
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
    const bundled = bundledAccelerators(props.machineType);
    if (bundled) out.push({ ...bundled, machineType: lastSegment(props.machineType) });
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
