import type { GcpClients as Clients } from '../../../../shared/gcp/clients';

let GcpClients: typeof Clients;
/**
 * The functions bundle's guard (in the bundle, IN_BUNDLE is true): its protos hold only the listed
 * RPCs, so any other method fails at once with a message naming the fix, and unlisted clients are refused.
 * Nothing here reaches a server: the refusals happen before any request.
 */
describe('in the functions bundle', () => {
  let gcp: Clients;
  beforeAll(() => {
    jest.isolateModules(() => {
      jest.doMock('../../../../shared/coldstart/bundle-mode', () => ({ IN_BUNDLE: true }));
      ({ GcpClients } = require('../../../../shared/gcp/clients') as typeof import('../../../../shared/gcp/clients'));
    });
    gcp = new GcpClients({ projectId: 'p', emulator: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    jest.dontMock('../../../../shared/coldstart/bundle-mode');
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
