import { GcpClients } from '../../../../shared/gcp/clients';

/**
 * The functions bundle's guard (GEOROUTE_BUNDLE=1, set at bundle time): its protos hold only the listed
 * RPCs, so any other method fails at once with a message naming the fix, and unlisted clients are refused.
 * Nothing here reaches a server: the refusals happen before any request.
 */
describe('in the functions bundle', () => {
  const previous = process.env.GEOROUTE_BUNDLE;
  let gcp: GcpClients;
  beforeAll(() => {
    process.env.GEOROUTE_BUNDLE = '1';
    gcp = new GcpClients({ projectId: 'p', emulator: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    process.env.GEOROUTE_BUNDLE = previous;
    await gcp.close();
  });

  test('an RPC the functions do not call is refused with a clear error', async () => {
    await expect(gcp.compute.backendServices.insert({ project: 'p', backendServiceResource: {} })).rejects.toThrow(
      'BackendServices.insert is not in the functions bundle',
    );
    await expect(gcp.monitoring.metrics.createTimeSeries({ name: 'projects/p' })).rejects.toThrow(
      'MetricService.createTimeSeries is not in the functions bundle',
    );
  });

  test('a client the functions do not use is refused', () => {
    expect(() => gcp.compute.urlMaps).toThrow('UrlMaps is not in the functions bundle');
    expect(() => gcp.monitoring.alertPolicies).toThrow('AlertPolicyService is not in the functions bundle');
  });
});
