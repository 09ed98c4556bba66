import type { RegionConfig } from '../config';

/** The instance group of a region's MIG, as georoute's bootstrap attaches it to the backend services. */
export const migGroupLink = (project: string, region: RegionConfig): string =>
  `https://www.googleapis.com/compute/v1/projects/${project}/regions/${region.name}/instanceGroups/${region.mig}`;

/** `projects/…` of a resource link, whatever host or API version prefixes it. */
export const resourcePath = (link: string): string => link.slice(Math.max(0, link.indexOf('projects/')));

/** The region of a backend, from its instance group URL (`…/regions/{r}/instanceGroups/{g}`). */
export function regionOfGroup(group: string): string | undefined {
  const m = /\/regions\/([^/]+)\/instanceGroups\//.exec(group) ?? /\/zones\/([a-z]+-[a-z]+\d+)-[a-z]\//.exec(group);
  return m?.[1];
}

export const zoneOfInstance = (instanceUrl: string): string => /\/zones\/([^/]+)\//.exec(instanceUrl)?.[1] ?? '';
