import { ApiError } from '../../core/api-error';
import { isPlainObject } from '../../core/merge-patch';
import type { Router } from '../../core/router';
import type { KindSpec } from '../collection';
import type { ComputeService } from '../index';
import { validateGpuMachine } from './gpu-rules';
import { badField, dropEmptyMaps, requiredField } from './lb-helpers';

/** Accelerator-optimized machine families come with GPUs attached (A2, A3, A4, G2, G4). */
const GPU_MACHINE_RE = /^(a2|a3|a4|a4x|g2|g4)-/;

/** Whether a template's VMs would have GPUs: explicit `guestAccelerators` or an accelerator machine type. */
export function templateHasGpus(properties: Record<string, unknown>): boolean {
  const accelerators = properties.guestAccelerators;
  if (Array.isArray(accelerators) && accelerators.length > 0) return true;
  return typeof properties.machineType === 'string' && GPU_MACHINE_RE.test(properties.machineType);
}

export const instanceTemplateSpec: KindSpec = {
  collection: 'instanceTemplates',
  scope: 'global',
  kind: 'compute#instanceTemplate',
  prepare(template) {
    const properties = template.properties;
    if (!isPlainObject(properties)) return;
    dropEmptyMaps(properties, ['labels', 'resourceManagerTags']);
    if (Array.isArray(properties.guestAccelerators) && properties.guestAccelerators.length === 0) {
      delete properties.guestAccelerators;
    }
    // Google shows the scheduling defaults it applied; the default is live migration.
    const scheduling = (isPlainObject(properties.scheduling) ? properties.scheduling : {}) as Record<string, unknown>;
    scheduling.onHostMaintenance ??= 'MIGRATE';
    scheduling.automaticRestart ??= true;
    scheduling.preemptible ??= false;
    scheduling.provisioningModel ??= 'STANDARD';
    properties.scheduling = scheduling;
  },
  validate(template) {
    const properties = template.properties;
    if (!isPlainObject(properties)) throw requiredField('resource.properties');
    if (!properties.machineType) {
      throw requiredField('resource.properties.machineType');
    }
    const accelerators = (properties.guestAccelerators as Array<Record<string, unknown>> | undefined) ?? [];
    accelerators.forEach((a, i) => {
      const field = `resource.properties.guestAccelerators[${i}]`;
      if (!a.acceleratorType) throw requiredField(`${field}.acceleratorType`);
      const count = a.acceleratorCount as number | undefined;
      if (!count || count < 1) throw badField(`${field}.acceleratorCount`, count, 'Must be a positive integer.');
    });
    validateGpuMachine(properties, 'resource.properties');
    const scheduling = properties.scheduling as Record<string, unknown>;
    if (templateHasGpus(properties) && scheduling.onHostMaintenance !== 'TERMINATE') {
      // Google's exact answer (reason badRequest, no field location).
      throw new ApiError(400, 'Instances with guest accelerators do not support live migration.', {
        reason: 'badRequest',
      });
    }
  },
};

export function registerInstanceTemplates(compute: ComputeService, router: Router): void {
  compute.collections.define(router, instanceTemplateSpec);
}
