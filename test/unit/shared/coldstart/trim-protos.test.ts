import {
  COMPUTE_SERVICES,
  FUNCTION_COMPUTE_METHODS,
  FUNCTION_COMPUTE_SERVICES,
} from '../../../../shared/coldstart/function-rpcs';
import {
  COMPUTE_PROTOS,
  installedProtos,
  type Json,
  MONITORING_PROTOS,
  rpcName,
  trimProtos,
} from '../../../../shared/coldstart/trim-protos';

const at = (j: Json, path: string) =>
  path.split('.').reduce<Json | undefined>((n, part) => n?.nested?.[part], j)?.nested ?? {};

test('Compute: every service asked for, the messages they reach, nothing of v1beta/v1small', () => {
  const { full, version } = installedProtos(COMPUTE_PROTOS);
  const trimmed = trimProtos(COMPUTE_PROTOS, full, FUNCTION_COMPUTE_METHODS, version);
  const v1 = at(trimmed, 'google.cloud.compute.v1');
  // Each service keeps exactly the RPCs listed.
  for (const service of FUNCTION_COMPUTE_SERVICES)
    expect(Object.keys(v1[service]?.methods ?? {}).sort()).toEqual(
      FUNCTION_COMPUTE_METHODS[service].map(rpcName).sort(),
    );
  expect(v1.Policy).toBeUndefined(); // reached only through BackendServices.getIamPolicy, not kept
  // What observe and the actuators read and write, reached through the services' methods.
  for (const type of ['BackendService', 'Autoscaler', 'Operation', 'ManagedInstance', 'InstanceManagedByIgmError'])
    expect(v1[type]).toBeDefined();
  expect(v1.UrlMaps).toBeUndefined(); // a service not asked for
  expect(Object.keys(at(trimmed, 'google.cloud.compute'))).toEqual(['v1']);
  const all = at(trimProtos(COMPUTE_PROTOS, full, COMPUTE_SERVICES, version), 'google.cloud.compute.v1');
  expect(Object.keys(v1).length).toBeLessThan(Object.keys(all).length);
  expect(all.UrlMaps).toBeDefined();
  expect(trimmed.georoute).toEqual({
    package: '@google-cloud/compute',
    version,
    services: FUNCTION_COMPUTE_METHODS,
  });
});

test('Monitoring: MetricService and what it reaches; google.api and google.protobuf stay whole', () => {
  const { full, version } = installedProtos(MONITORING_PROTOS);
  const trimmed = trimProtos(MONITORING_PROTOS, full, { MetricService: ['listTimeSeries'] }, version);
  const v3 = at(trimmed, 'google.monitoring.v3');
  expect(Object.keys(v3.MetricService?.methods ?? {})).toEqual(['ListTimeSeries']);
  for (const type of ['ListTimeSeriesRequest', 'TimeSeries', 'Point', 'TypedValue', 'TimeInterval'])
    expect(v3[type]).toBeDefined();
  expect(v3.AlertPolicyService).toBeUndefined();
  expect(v3.CreateTimeSeriesRequest).toBeUndefined(); // an RPC of MetricService not kept
  expect(v3.AlertPolicy).toBeUndefined();
  expect(Object.keys(v3).length).toBeLessThan(Object.keys(at(full, 'google.monitoring.v3')).length);
  expect(Object.keys(at(trimmed, 'google.api'))).toEqual(Object.keys(at(full, 'google.api')));
  expect(Object.keys(at(trimmed, 'google.protobuf'))).toEqual(Object.keys(at(full, 'google.protobuf')));
});

test('an RPC that does not exist is an error, not a silently smaller bundle', () => {
  const { full, version } = installedProtos(MONITORING_PROTOS);
  expect(() => trimProtos(MONITORING_PROTOS, full, { MetricService: ['listTimeSerie'] }, version)).toThrow(
    /MetricService has no RPC ListTimeSerie/,
  );
});
