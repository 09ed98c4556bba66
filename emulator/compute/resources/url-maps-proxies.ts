import { isPlainObject } from '../../core/merge-patch';
import type { Router } from '../../core/router';
import type { KindContext, KindSpec, Reference } from '../collection';
import type { ComputeService } from '../index';
import type { ComputeResource } from '../state';
import { badField, collectionOf, customMutation, dropEmptyMaps, requiredField, scopeOf } from './lb-helpers';

type Scope = 'global' | 'region';
const V1 = '/compute/v1/projects/:project';

/** `global`, or the region a kind context stands in. */
const ownScope = (kc: KindContext): string => (kc.scope.kind === 'region' ? kc.scope.region : 'global');
const scopeName = (scope: string) => (scope === 'global' ? 'global' : `region ${scope}`);

/** Every backend a URL map routes to (default service, path matchers, path rules). */
function urlMapServices(map: ComputeResource): Reference[] {
  const refs: Reference[] = [];
  if (typeof map.defaultService === 'string') refs.push({ field: 'resource.defaultService', link: map.defaultService });
  const matchers = Array.isArray(map.pathMatchers) ? map.pathMatchers : [];
  matchers.forEach((pm: unknown, i) => {
    if (!isPlainObject(pm)) return;
    const field = `resource.pathMatchers[${i}]`;
    if (typeof pm.defaultService === 'string') refs.push({ field: `${field}.defaultService`, link: pm.defaultService });
    const rules = Array.isArray(pm.pathRules) ? pm.pathRules : [];
    rules.forEach((r: unknown, j) => {
      if (isPlainObject(r) && typeof r.service === 'string') {
        refs.push({ field: `${field}.pathRules[${j}].service`, link: r.service });
      }
    });
  });
  return refs;
}

/**
 * urlMaps and regionUrlMaps (https://cloud.google.com/compute/docs/reference/rest/v1/regionUrlMaps): a
 * regional URL map routes to backend services of its own region, a global one to global ones.
 */
export function urlMapSpec(scope: Scope): KindSpec {
  return {
    collection: 'urlMaps',
    scope,
    kind: 'compute#urlMap',
    fingerprint: true,
    busyWhileOperating: true,
    prepare(map) {
      dropEmptyMaps(map, ['labels']);
    },
    validate(map, kc) {
      const defaults = ['defaultService', 'defaultUrlRedirect', 'defaultRouteAction'].filter(
        (f) => map[f] !== undefined,
      );
      if (defaults.length === 0) {
        throw badField(
          'resource.defaultService',
          '',
          'A URL map must have one of defaultService, defaultUrlRedirect or defaultRouteAction.',
        );
      }
      if (map.defaultService !== undefined && map.defaultUrlRedirect !== undefined) {
        throw badField(
          'resource.defaultUrlRedirect',
          '',
          'Only one of defaultService or defaultUrlRedirect may be set.',
        );
      }
      const own = ownScope(kc);
      for (const ref of urlMapServices(map)) {
        const path = kc.resolve(ref.link, ref.field);
        if (!['backendServices', 'backendBuckets'].includes(collectionOf(path))) {
          throw badField(ref.field, ref.link, 'Must be a backend service or a backend bucket.');
        }
        if (scopeOf(path) !== own) {
          throw badField(
            ref.field,
            ref.link,
            `A ${scopeName(own)} URL map can only reference backend services of ${scopeName(own)}.`,
          );
        }
      }
      const matcherNames = new Set(
        (Array.isArray(map.pathMatchers) ? map.pathMatchers : []).map((pm: unknown) =>
          isPlainObject(pm) ? pm.name : undefined,
        ),
      );
      const hostRules = Array.isArray(map.hostRules) ? map.hostRules : [];
      hostRules.forEach((hr: unknown, i) => {
        const pm = isPlainObject(hr) ? hr.pathMatcher : undefined;
        if (!matcherNames.has(pm)) {
          throw badField(
            `resource.hostRules[${i}].pathMatcher`,
            pm,
            'The path matcher does not exist in this URL map.',
          );
        }
      });
    },
    refs: urlMapServices,
  };
}

/**
 * targetHttp(s)Proxies and regionTargetHttp(s)Proxies: the URL map is of the proxy's own scope.
 * https://cloud.google.com/compute/docs/reference/rest/v1/regionTargetHttpProxies
 */
export function proxySpec(collection: 'targetHttpProxies' | 'targetHttpsProxies', scope: Scope): KindSpec {
  const https = collection === 'targetHttpsProxies';
  return {
    collection,
    scope,
    kind: https ? 'compute#targetHttpsProxy' : 'compute#targetHttpProxy',
    fingerprint: true,
    prepare(proxy) {
      if (https) proxy.quicOverride ??= 'NONE';
      if (Array.isArray(proxy.sslCertificates) && proxy.sslCertificates.length === 0) delete proxy.sslCertificates;
    },
    validate(proxy, kc) {
      if (typeof proxy.urlMap !== 'string' || proxy.urlMap === '') throw requiredField('resource.urlMap');
      const map = kc.resolve(proxy.urlMap, 'resource.urlMap');
      const own = ownScope(kc);
      if (collectionOf(map) !== 'urlMaps' || scopeOf(map) !== own) {
        throw badField('resource.urlMap', proxy.urlMap, `Must be a URL map of ${scopeName(own)}.`);
      }
      if (!https) return;
      // Certificates are required but not existence-checked: sslCertificates is not emulated.
      const certs = (proxy.sslCertificates as string[] | undefined) ?? [];
      if (proxy.certificateMap === undefined && certs.length === 0) throw requiredField('resource.sslCertificates');
      if (certs.length > 15) {
        throw badField('resource.sslCertificates', '', 'At most 15 SSL certificates can be specified.');
      }
      certs.forEach((c, i) => {
        kc.resolve(c, `resource.sslCertificates[${i}]`);
      });
    },
    refs: (proxy) => (typeof proxy.urlMap === 'string' ? [{ field: 'resource.urlMap', link: proxy.urlMap }] : []),
  };
}

/**
 * URL maps and target proxies of both scopes, with the proxies' verbs where the client libraries call
 * them: global `projects/{p}/targetHttpProxies/{x}/setUrlMap` (no `global/` in that path), regional
 * `projects/{p}/regions/{r}/targetHttpProxies/{x}/setUrlMap`; HTTPS also `setSslCertificates`.
 */
export function registerUrlMapsAndProxies(compute: ComputeService, router: Router): void {
  for (const scope of ['global', 'region'] as const) {
    compute.collections.define(router, urlMapSpec(scope));
    const prefix = scope === 'global' ? V1 : `${V1}/regions/:region`;
    for (const collection of ['targetHttpProxies', 'targetHttpsProxies'] as const) {
      const spec = proxySpec(collection, scope);
      compute.collections.define(router, spec);
      router.add('POST', `${prefix}/${collection}/:name/setUrlMap`, { api: 'compute', write: true }, (req) =>
        customMutation(compute, spec, req, 'setUrlMap', (next, body) => {
          next.urlMap = body.urlMap;
        }),
      );
      if (collection === 'targetHttpsProxies') {
        router.add('POST', `${prefix}/${collection}/:name/setSslCertificates`, { api: 'compute', write: true }, (req) =>
          customMutation(compute, spec, req, 'setSslCertificates', (next, body) => {
            next.sslCertificates = body.sslCertificates;
          }),
        );
      }
    }
  }
}
