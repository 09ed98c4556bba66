import { isPlainObject } from '../../core/merge-patch';
import type { Router } from '../../core/router';
import type { KindSpec } from '../collection';
import type { ComputeService } from '../index';
import type { ComputeResource } from '../state';
import { badField, dropEmptyMaps, intField, oneOf, requiredField } from './lb-helpers';

/** Health check type → its sub-object and default port. */
const TYPES: Record<string, { field: string; port: number }> = {
  HTTP: { field: 'httpHealthCheck', port: 80 },
  HTTPS: { field: 'httpsHealthCheck', port: 443 },
  HTTP2: { field: 'http2HealthCheck', port: 443 },
  TCP: { field: 'tcpHealthCheck', port: 80 },
  SSL: { field: 'sslHealthCheck', port: 443 },
};
const SUB_OBJECTS = [...Object.values(TYPES).map((t) => t.field), 'grpcHealthCheck', 'grpcTlsHealthCheck'];
const HTTP_LIKE = ['HTTP', 'HTTPS', 'HTTP2'];
/** `sourceRegions` health checks only support these (SSL, HTTP2 and gRPC are refused). */
const SOURCE_REGION_TYPES = ['HTTP', 'HTTPS', 'TCP'];
const REGION_RE = /^[a-z]+-[a-z]+[0-9]+$/;

export function healthCheckSpec(scope: 'global' | 'region'): KindSpec {
  return {
    collection: 'healthChecks',
    scope,
    kind: 'compute#healthCheck',
    prepare(hc) {
      dropEmptyMaps(hc, ['labels']);
      // Google's documented defaults: every 5 s, 5 s timeout, 2 successes / 2 failures.
      intField(hc, 'checkIntervalSec', 'resource.checkIntervalSec', { min: 1, max: 300, def: 5 });
      intField(hc, 'timeoutSec', 'resource.timeoutSec', { min: 1, max: 300, def: 5 });
      intField(hc, 'healthyThreshold', 'resource.healthyThreshold', { min: 1, max: 10, def: 2 });
      intField(hc, 'unhealthyThreshold', 'resource.unhealthyThreshold', { min: 1, max: 10, def: 2 });
      const type = typeof hc.type === 'string' ? TYPES[hc.type] : undefined;
      if (!type) return;
      const sub = (isPlainObject(hc[type.field]) ? hc[type.field] : {}) as Record<string, unknown>;
      if (sub.port === undefined && sub.portName === undefined) sub.port = type.port;
      if (sub.proxyHeader === undefined) sub.proxyHeader = 'NONE';
      if (HTTP_LIKE.includes(hc.type as string) && sub.requestPath === undefined) sub.requestPath = '/';
      hc[type.field] = sub;
    },
    validate(hc) {
      if (hc.type === undefined) throw requiredField('resource.type');
      oneOf(hc.type, Object.keys(TYPES), 'resource.type');
      const type = TYPES[hc.type as string]!;
      for (const field of SUB_OBJECTS) {
        if (field !== type.field && hc[field] !== undefined) {
          throw badField(`resource.${field}`, '', `Health check type ${hc.type as string} does not match ${field}.`);
        }
      }
      const sub = hc[type.field] as Record<string, unknown>;
      intField(sub, 'port', `resource.${type.field}.port`, { min: 1, max: 65535 });
      if ((hc.timeoutSec as number) > (hc.checkIntervalSec as number)) {
        throw badField('resource.timeoutSec', hc.timeoutSec, 'TimeoutSec should be less than checkIntervalSec.');
      }
      validateSourceRegions(hc, scope, type.field);
    },
  };
}

/** `sourceRegions`: global only, exactly 3 regions, interval ≥ 30 s, HTTP/HTTPS/TCP without proxy header. */
function validateSourceRegions(hc: ComputeResource, scope: 'global' | 'region', subField: string): void {
  const regions = hc.sourceRegions;
  if (regions === undefined || (Array.isArray(regions) && regions.length === 0)) {
    delete hc.sourceRegions;
    return;
  }
  if (scope === 'region') {
    throw badField('resource.sourceRegions', '', 'sourceRegions can only be set for global health checks.');
  }
  if ((regions as string[]).length !== 3) {
    throw badField('resource.sourceRegions', '', 'Exactly 3 source regions must be specified.');
  }
  (regions as string[]).forEach((r, i) => {
    if (!REGION_RE.test(r)) {
      throw badField(`resource.sourceRegions[${i}]`, r, 'Must be a valid Google Cloud region name.');
    }
  });
  if (new Set(regions as string[]).size !== (regions as string[]).length) {
    throw badField('resource.sourceRegions', '', 'Source regions must be distinct.');
  }
  if ((hc.checkIntervalSec as number) < 30) {
    throw badField(
      'resource.checkIntervalSec',
      hc.checkIntervalSec,
      'checkIntervalSec must be at least 30 for health checks with sourceRegions.',
    );
  }
  if (!SOURCE_REGION_TYPES.includes(hc.type as string)) {
    throw badField('resource.type', hc.type, 'This type is not supported for health checks with sourceRegions.');
  }
  const sub = hc[subField] as Record<string, unknown>;
  if (sub.proxyHeader !== 'NONE') {
    throw badField(
      `resource.${subField}.proxyHeader`,
      sub.proxyHeader,
      'proxyHeader is not supported for health checks with sourceRegions.',
    );
  }
  if (hc.type === 'TCP' && sub.request !== undefined) {
    throw badField(
      'resource.tcpHealthCheck.request',
      sub.request,
      'request is not supported for health checks with sourceRegions.',
    );
  }
}

export function registerHealthChecks(compute: ComputeService, router: Router): void {
  compute.collections.define(router, healthCheckSpec('global'));
  compute.collections.define(router, healthCheckSpec('region'));
}
