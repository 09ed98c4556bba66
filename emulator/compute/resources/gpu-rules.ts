import { bundledAccelerators, seriesOf } from '../../../shared/config/gpu-catalog';
import { isPlainObject } from '../../core/merge-patch';
import { lastSegment } from '../links';
import { badField } from './lb-helpers';

/**
 * What Compute Engine refuses for accelerator-optimized machine types, from the one table georoute and
 * the twin share (shared/config/gpu-catalog.ts, sources there:
 * https://cloud.google.com/compute/docs/accelerator-optimized-machines):
 *
 * - a disk type the series does not take: "Standard Persistent Disk (pd-standard) isn't supported on
 *   instances that use the G2 machine type", and an unset `diskType` is pd-standard ("If not specified,
 *   the default is pd-standard", https://cloud.google.com/compute/docs/reference/rest/v1/instanceTemplates);
 * - `guestAccelerators` other than the GPUs the machine type comes with (G2 counts are fixed);
 * - a boot image the series cannot boot: "You can't use Deep Learning VM Images as boot disks for
 *   instances that use the G2 machine type."
 *
 * Google's messages for these were not found: the wording after the field is ours, in Google's
 * `Invalid value for field '…': '…'.` shape (400 invalid). `at` is the properties' path (`resource.properties`).
 */
export function validateGpuMachine(properties: Record<string, unknown>, at: string): void {
  const machineType = typeof properties.machineType === 'string' ? properties.machineType : '';
  const series = seriesOf(machineType);
  if (!series) return;
  const machine = lastSegment(machineType);
  const disks = Array.isArray(properties.disks) ? properties.disks.filter(isPlainObject) : [];
  disks.forEach((disk, i) => {
    if (disk.type !== undefined && disk.type !== 'PERSISTENT') return;
    const params = isPlainObject(disk.initializeParams) ? disk.initializeParams : undefined;
    if (!params) return;
    const given = typeof params.diskType === 'string' ? params.diskType : '';
    const type = given ? lastSegment(given) : 'pd-standard';
    if (!series.diskTypes.includes(type)) {
      const why = given ? `${type} disks` : 'The default disk type (pd-standard)';
      throw badField(
        `${at}.disks[${i}].initializeParams.diskType`,
        given,
        `${why} cannot be used with machine type ${machine}; it takes ${series.diskTypes.join(', ')}.`,
      );
    }
    const image =
      typeof params.sourceImage === 'string' ? /projects\/([^/]+)\//.exec(params.sourceImage)?.[1] : undefined;
    const refused = image ? series.refusedImageProjects?.[image] : undefined;
    if (refused) throw badField(`${at}.disks[${i}].initializeParams.sourceImage`, params.sourceImage, `${refused}.`);
  });
  const bundled = bundledAccelerators(machineType);
  const accelerators = Array.isArray(properties.guestAccelerators)
    ? properties.guestAccelerators.filter(isPlainObject)
    : [];
  accelerators.forEach((a, i) => {
    const type = lastSegment(String(a.acceleratorType ?? ''));
    if (!bundled || (type === bundled.type && a.acceleratorCount === bundled.count)) return;
    throw badField(
      `${at}.guestAccelerators[${i}].acceleratorCount`,
      a.acceleratorCount,
      `Machine type ${machine} comes with ${bundled.count} ${bundled.type}; guestAccelerators cannot change it.`,
    );
  });
}
