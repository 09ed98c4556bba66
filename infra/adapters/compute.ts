import { httpStatusOf } from '../../shared/core/errors';
import type { ComputeClients } from '../../shared/gcp/clients';
import { type MutationResult, waitForOperation } from '../../shared/gcp/operations';
import { isObj } from '../diff';
import type { Adapter, AdapterContext, FieldChange, Json, Kind, Live, Resource } from '../types';

type ComputeKind = Exclude<
  Kind,
  | 'dnsManagedZone'
  | 'dnsRecordSet'
  | 'pubsubTopic'
  | 'pubsubTopicIam'
  | 'notificationChannel'
  | 'alertPolicy'
  | 'serviceAccount'
  | 'projectIamBindings'
>;

interface Spec {
  client: keyof ComputeClients;
  /** Request field naming the resource (`backendService`, `healthCheck`…). */
  key: string;
  /** Request field carrying the body (`backendServiceResource`…). */
  resourceKey: string;
  regional: boolean;
  /** How owned fields are changed: merge-patch (with the fingerprint when the API wants one), or per-field setters. */
  patch?: 'plain' | 'fingerprint';
  setters?: Record<string, (ctx: AdapterContext, r: Resource, value: unknown) => Promise<MutationResult>>;
}

const c = (ctx: AdapterContext) =>
  ctx.gcp.compute as unknown as Record<string, Record<string, (req: Json) => Promise<unknown>>>;

const SPECS: Record<ComputeKind, Spec> = {
  network: { client: 'networks', key: 'network', resourceKey: 'networkResource', regional: false, patch: 'plain' },
  subnetwork: {
    client: 'subnetworks',
    key: 'subnetwork',
    resourceKey: 'subnetworkResource',
    regional: true,
    patch: 'fingerprint',
    setters: {
      // "can be both set at resource creation time and updated using setPrivateIpGoogleAccess"
      // (https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks): not through patch.
      privateIpGoogleAccess: (ctx, r, privateIpGoogleAccess) =>
        c(ctx).subnetworks!.setPrivateIpGoogleAccess!({
          project: ctx.project,
          region: r.region,
          subnetwork: r.name,
          subnetworksSetPrivateIpGoogleAccessRequestResource: { privateIpGoogleAccess },
        }) as Promise<MutationResult>,
    },
  },
  firewall: { client: 'firewalls', key: 'firewall', resourceKey: 'firewallResource', regional: false, patch: 'plain' },
  router: { client: 'routers', key: 'router', resourceKey: 'routerResource', regional: true, patch: 'plain' },
  regionUrlMap: {
    client: 'regionUrlMaps',
    key: 'urlMap',
    resourceKey: 'urlMapResource',
    regional: true,
    patch: 'fingerprint',
  },
  regionTargetHttpProxy: {
    client: 'regionTargetHttpProxies',
    key: 'targetHttpProxy',
    resourceKey: 'targetHttpProxyResource',
    regional: true,
    setters: {
      urlMap: (ctx, r, urlMap) =>
        c(ctx).regionTargetHttpProxies!.setUrlMap!({
          project: ctx.project,
          region: r.region,
          targetHttpProxy: r.name,
          urlMapReferenceResource: { urlMap },
        }) as Promise<MutationResult>,
    },
  },
  regionTargetHttpsProxy: {
    client: 'regionTargetHttpsProxies',
    key: 'targetHttpsProxy',
    resourceKey: 'targetHttpsProxyResource',
    regional: true,
    setters: {
      urlMap: (ctx, r, urlMap) =>
        c(ctx).regionTargetHttpsProxies!.setUrlMap!({
          project: ctx.project,
          region: r.region,
          targetHttpsProxy: r.name,
          urlMapReferenceResource: { urlMap },
        }) as Promise<MutationResult>,
      sslCertificates: (ctx, r, sslCertificates) =>
        c(ctx).regionTargetHttpsProxies!.setSslCertificates!({
          project: ctx.project,
          region: r.region,
          targetHttpsProxy: r.name,
          regionTargetHttpsProxiesSetSslCertificatesRequestResource: { sslCertificates },
        }) as Promise<MutationResult>,
    },
  },
  healthCheck: {
    client: 'healthChecks',
    key: 'healthCheck',
    resourceKey: 'healthCheckResource',
    regional: false,
    patch: 'plain',
  },
  regionHealthCheck: {
    client: 'regionHealthChecks',
    key: 'healthCheck',
    resourceKey: 'healthCheckResource',
    regional: true,
    patch: 'plain',
  },
  instanceTemplate: {
    client: 'instanceTemplates',
    key: 'instanceTemplate',
    resourceKey: 'instanceTemplateResource',
    regional: false,
  },
  regionInstanceGroupManager: {
    client: 'regionInstanceGroupManagers',
    key: 'instanceGroupManager',
    resourceKey: 'instanceGroupManagerResource',
    regional: true,
    patch: 'fingerprint',
  },
  regionAutoscaler: {
    client: 'regionAutoscalers',
    key: 'autoscaler',
    resourceKey: 'autoscalerResource',
    regional: true,
    patch: 'plain',
  },
  backendService: {
    client: 'backendServices',
    key: 'backendService',
    resourceKey: 'backendServiceResource',
    regional: false,
    patch: 'fingerprint',
  },
  regionBackendService: {
    client: 'regionBackendServices',
    key: 'backendService',
    resourceKey: 'backendServiceResource',
    regional: true,
    patch: 'fingerprint',
  },
  urlMap: { client: 'urlMaps', key: 'urlMap', resourceKey: 'urlMapResource', regional: false, patch: 'fingerprint' },
  targetHttpProxy: {
    client: 'targetHttpProxies',
    key: 'targetHttpProxy',
    resourceKey: 'targetHttpProxyResource',
    regional: false,
    setters: {
      urlMap: (ctx, r, urlMap) =>
        c(ctx).targetHttpProxies!.setUrlMap!({
          project: ctx.project,
          targetHttpProxy: r.name,
          urlMapReferenceResource: { urlMap },
        }) as Promise<MutationResult>,
    },
  },
  targetHttpsProxy: {
    client: 'targetHttpsProxies',
    key: 'targetHttpsProxy',
    resourceKey: 'targetHttpsProxyResource',
    regional: false,
    setters: {
      urlMap: (ctx, r, urlMap) =>
        c(ctx).targetHttpsProxies!.setUrlMap!({
          project: ctx.project,
          targetHttpsProxy: r.name,
          urlMapReferenceResource: { urlMap },
        }) as Promise<MutationResult>,
      sslCertificates: (ctx, r, sslCertificates) =>
        c(ctx).targetHttpsProxies!.setSslCertificates!({
          project: ctx.project,
          targetHttpsProxy: r.name,
          targetHttpsProxiesSetSslCertificatesRequestResource: { sslCertificates },
        }) as Promise<MutationResult>,
    },
  },
  globalAddress: { client: 'globalAddresses', key: 'address', resourceKey: 'addressResource', regional: false },
  address: { client: 'addresses', key: 'address', resourceKey: 'addressResource', regional: true },
  globalForwardingRule: {
    client: 'globalForwardingRules',
    key: 'forwardingRule',
    resourceKey: 'forwardingRuleResource',
    regional: false,
    setters: {
      target: (ctx, r, target) =>
        c(ctx).globalForwardingRules!.setTarget!({
          project: ctx.project,
          forwardingRule: r.name,
          targetReferenceResource: { target },
        }) as Promise<MutationResult>,
    },
  },
  forwardingRule: {
    client: 'forwardingRules',
    key: 'forwardingRule',
    resourceKey: 'forwardingRuleResource',
    regional: true,
  },
};

export const isComputeKind = (kind: Kind): kind is ComputeKind => kind in SPECS;

/** Plain JSON of what a Compute client returned (protobuf message objects carry prototypes). */
const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

function ids(ctx: AdapterContext, spec: Spec, r: Resource): Json {
  return { project: ctx.project, ...(spec.regional ? { region: r.region } : {}), [spec.key]: r.name };
}

async function wait(ctx: AdapterContext, r: Resource, verb: string, result: unknown): Promise<void> {
  const op = (result as MutationResult)[0];
  const name = (op.latestResponse as { name?: string } | undefined)?.name ?? op.name ?? '?';
  ctx.progress(`  ${r.id}: ${verb}, waiting on operation ${name}`);
  await waitForOperation(ctx.gcp, result as MutationResult, { what: `${verb} ${r.id}` });
}

/** Live backends keep the fields georoute does not own (capacityScaler…); `patch` replaces the array whole. */
function mergeBackends(desired: unknown, live: unknown): unknown {
  if (!Array.isArray(desired)) return desired;
  const current = Array.isArray(live) ? (live as Json[]) : [];
  const key = (g: unknown) => (typeof g === 'string' ? g.slice(g.indexOf('projects/')) : '');
  return desired.map((d) => {
    if (!isObj(d)) return d;
    const have = current.find((l) => key(l.group) === key(d.group));
    const merged: Json = { ...(have ?? { capacityScaler: 1 }), ...d };
    if (d.balancingMode === 'RATE') delete merged.maxUtilization;
    if (d.balancingMode === 'UTILIZATION') delete merged.maxRatePerInstance;
    return merged;
  });
}

export const computeAdapter: Adapter = {
  async read(ctx, r) {
    const spec = SPECS[r.kind as ComputeKind];
    try {
      const [live] = (await c(ctx)[spec.client]!.get!(ids(ctx, spec, r))) as [unknown];
      return plain(live);
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  },

  async create(ctx, r) {
    const spec = SPECS[r.kind as ComputeKind];
    const req = { project: ctx.project, ...(spec.regional ? { region: r.region } : {}), [spec.resourceKey]: r.body };
    await wait(ctx, r, 'insert', await c(ctx)[spec.client]!.insert!(req));
  },

  async update(ctx, r, live: Live, changes: FieldChange[]) {
    const spec = SPECS[r.kind as ComputeKind];
    const mutable = changes.filter((ch) => !r.immutable?.includes(ch.field));
    const viaSetter = mutable.filter((ch) => spec.setters?.[ch.field]);
    for (const ch of viaSetter) {
      await wait(ctx, r, `set ${ch.field}`, await spec.setters![ch.field]!(ctx, r, r.owned[ch.field]));
    }
    const viaPatch = mutable.filter((ch) => !spec.setters?.[ch.field]);
    if (viaPatch.length === 0) return;
    if (!spec.patch)
      throw new Error(`${r.id}: ${viaPatch.map((ch) => ch.field).join(', ')} cannot be changed in place`);
    const body: Json = {};
    for (const ch of viaPatch) {
      body[ch.field] = ch.field === 'backends' ? mergeBackends(r.owned.backends, live.backends) : r.owned[ch.field];
    }
    if (spec.patch === 'fingerprint') {
      // A setter above changed the fingerprint: the patch must carry the current one (else 412).
      const current = viaSetter.length > 0 ? await computeAdapter.read(ctx, r) : live;
      body.fingerprint = current?.fingerprint;
    }
    await wait(ctx, r, 'patch', await c(ctx)[spec.client]!.patch!({ ...ids(ctx, spec, r), [spec.resourceKey]: body }));
  },

  async remove(ctx, r) {
    const spec = SPECS[r.kind as ComputeKind];
    await wait(ctx, r, 'delete', await c(ctx)[spec.client]!.delete!(ids(ctx, spec, r)));
  },
};
