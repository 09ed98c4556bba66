/**
 * The usual pattern, as the client libraries' samples write it: the package roots required at the
 * top, the clients constructed at module load (module-level singletons). The same clients are then
 * handed to georoute's handler (through GcpClients' cache), so the calls made are the same.
 */
import { GcpClients } from '../../shared/gcp/clients';

const compute = require('@google-cloud/compute') as typeof import('@google-cloud/compute');
const { DNS } = require('@google-cloud/dns') as typeof import('@google-cloud/dns');
const monitoring = require('@google-cloud/monitoring') as typeof import('@google-cloud/monitoring');
const { PubSub } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
const { googleAuthLibrary } = require('google-gax') as typeof import('google-gax');

const url = new URL(process.env.GEOROUTE_EMULATOR as string);
const projectId = process.env.GOOGLE_CLOUD_PROJECT as string;
const authClient = new googleAuthLibrary.PassThroughClient();
const gax = { apiEndpoint: url.hostname, port: Number(url.port), protocol: 'http', authClient };

const dns = new DNS({ projectId, authClient: authClient as never });
dns.baseUrl = `${url.origin}/dns/v1`;
dns.interceptors.push({ request: (reqOpts) => Object.assign(reqOpts, { maxRetries: 0 }) as never });

const prebuilt = new Map<string, unknown>([
  ['compute.backendServices', new compute.BackendServicesClient(gax)],
  ['compute.regionAutoscalers', new compute.RegionAutoscalersClient(gax)],
  ['compute.regionInstanceGroupManagers', new compute.RegionInstanceGroupManagersClient(gax)],
  ['compute.globalOperations', new compute.GlobalOperationsClient(gax)],
  ['compute.regionOperations', new compute.RegionOperationsClient(gax)],
  ['compute.globalAddresses', new compute.GlobalAddressesClient(gax)],
  ['compute.addresses', new compute.AddressesClient(gax)],
  ['monitoring.metrics', new monitoring.MetricServiceClient({ ...gax, fallback: true })],
  ['dns', dns],
  [
    'pubsub',
    new PubSub({ projectId, apiEndpoint: process.env.PUBSUB_EMULATOR_HOST, emulatorMode: true, authClient } as never),
  ],
]);

// GcpClients builds each client on first use through its private `once`: hand it these instead.
const proto = GcpClients.prototype as unknown as { once(key: string, build: () => unknown): unknown };
const once = proto.once;
proto.once = function (this: GcpClients, key: string, build: () => unknown) {
  return prebuilt.has(key) ? prebuilt.get(key) : once.call(this, key, build);
};
