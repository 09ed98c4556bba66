import { type Json, type Kind, type Resource, resourceId } from './types';

const COMPUTE = 'https://www.googleapis.com/compute/v1';

export const computeLink = (project: string, path: string): string => `${COMPUTE}/projects/${project}/${path}`;

export interface ResourceSpec {
  /** The body to create it with (its `name` is added). */
  body: Json;
  /** The fields georoute owns (compared and put back); default: none. */
  owned?: Json;
  dependsOn?: string[];
  region?: string;
  /** Owned fields the API cannot change in place. */
  immutable?: string[];
  /** Someone else's resource georoute uses: read, never created, changed or deleted. */
  external?: boolean;
}

/** One resource of the base stack (pure data). */
export function res(kind: Kind, name: string, spec: ResourceSpec): Resource {
  return {
    kind,
    name,
    region: spec.region,
    id: resourceId(kind, name, spec.region),
    body: { name, ...spec.body },
    owned: spec.owned ?? {},
    dependsOn: spec.dependsOn ?? [],
    immutable: spec.immutable,
    external: spec.external,
  };
}
