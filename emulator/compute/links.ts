import { invalid } from '../core/api-error';
import { COMPUTE_PAGING, paginate } from '../core/paginate';
import type { ApiRequest } from '../core/router';

/** Google writes selfLinks with this prefix; references may use it, a partial path, or another host. */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/';

export type Scope = { kind: 'global' } | { kind: 'region'; region: string } | { kind: 'zone'; zone: string };

export function scopePath(project: string, scope: Scope): string {
  switch (scope.kind) {
    case 'global':
      return `projects/${project}/global`;
    case 'region':
      return `projects/${project}/regions/${scope.region}`;
    case 'zone':
      return `projects/${project}/zones/${scope.zone}`;
  }
}

export const selfLink = (path: string): string => COMPUTE_BASE + path;

/**
 * Turns a reference (full URL, `projects/…` path, or `global/…` / `regions/…` / `zones/…` partial
 * path, as Google accepts them) into the canonical `projects/{p}/…` path. `field` names the
 * request field in the error when the reference cannot be parsed.
 */
export function canonicalPath(ref: string, project: string, field: string): string {
  let path = ref.trim();
  const marker = path.indexOf('/compute/');
  if (/^https?:\/\//.test(path)) {
    if (marker < 0) throw invalid(`Invalid value for field '${field}': '${ref}'. The URL is malformed.`, field);
    path = path.slice(marker + '/compute/'.length).replace(/^(v1|beta|alpha)\//, '');
  }
  path = path.replace(/^\/+/, '');
  if (/^(global|regions|zones)\//.test(path)) path = `projects/${project}/${path}`;
  if (!/^projects\/[^/]+\/(global|regions\/[^/]+|zones\/[^/]+)\/[A-Za-z]+\/[^/]+$/.test(path)) {
    throw invalid(`Invalid value for field '${field}': '${ref}'. The URL is malformed.`, field);
  }
  return path;
}

/** Last path segment of a link: a resource's name, a zone's or region's name. */
export const lastSegment = (link: string): string => link.slice(link.lastIndexOf('/') + 1);

/** The region of a zone name (`us-central1-a` → `us-central1`). */
export const regionOfZone = (zone: string): string => zone.replace(/-[a-z]$/, '');

/** Google resource names: RFC 1035, 1–63 chars, lower case. */
export const NAME_RE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A Compute `list` answer: one page of `all` (in Google's order) under the collection `prefix`. */
export function listResponse(kind: string, prefix: string, all: unknown[], req: ApiRequest): Record<string, unknown> {
  const page = paginate(all, req.query, COMPUTE_PAGING, req.path);
  const out: Record<string, unknown> = { kind, id: prefix, items: page.items, selfLink: selfLink(prefix.slice(0, -1)) };
  if (page.nextPageToken) out.nextPageToken = page.nextPageToken;
  return out;
}
