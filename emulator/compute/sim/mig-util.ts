import { isPlainObject } from '../../core/merge-patch';
import { canonicalPath, lastSegment, selfLink } from '../links';
import type { ComputeResource } from '../state';

/** Path of a resource from its selfLink. */
export const pathOf = (r: ComputeResource): string => r.selfLink.slice(selfLink('').length);

export type Shape = 'EVEN' | 'BALANCED' | 'ANY' | 'ANY_SINGLE_ZONE';

export const AUTOSCALER_KIND = 'compute#autoscaler';
export const MIG_KIND = 'compute#instanceGroupManager';
export const keyOf = (migPath: string, name: string): string => `${projectOf(migPath)}/${name}`;
export const projectOf = (path: string): string => path.split('/')[1] ?? '';
export const regionOf = (path: string): string => path.split('/')[3] ?? '';

export function canonicalPathOrEmpty(link: string): string {
  try {
    return canonicalPath(link, '', 'instanceGroup');
  } catch {
    return '';
  }
}

export function zonesOf(mig: ComputeResource): string[] {
  const policy = isPlainObject(mig.distributionPolicy) ? mig.distributionPolicy : {};
  const zones = Array.isArray(policy.zones) ? policy.zones : [];
  return zones.filter(isPlainObject).map((z) => lastSegment(String(z.zone ?? '')));
}

export function shapeOf(mig: ComputeResource): Shape {
  const policy = isPlainObject(mig.distributionPolicy) ? mig.distributionPolicy : {};
  const shape = policy.targetShape;
  return shape === 'BALANCED' || shape === 'ANY' || shape === 'ANY_SINGLE_ZONE' ? shape : 'EVEN';
}

export function autoHealing(mig: ComputeResource): Record<string, unknown> | undefined {
  const policies = Array.isArray(mig.autoHealingPolicies) ? mig.autoHealingPolicies : [];
  const first = policies[0];
  return isPlainObject(first) && typeof first.healthCheck === 'string' ? first : undefined;
}

/** Canonical path of the template new VMs of this MIG get. */
export function templateOf(mig: ComputeResource): string | undefined {
  const project = projectOf(pathOf(mig));
  const versions = Array.isArray(mig.versions) ? mig.versions.filter(isPlainObject) : [];
  const link = typeof mig.instanceTemplate === 'string' ? mig.instanceTemplate : versions[0]?.instanceTemplate;
  if (typeof link !== 'string') return undefined;
  try {
    return canonicalPath(link, project, 'instanceTemplate');
  } catch {
    return undefined;
  }
}
