import { startTwin, type Twin } from '../../helpers/twin';

/**
 * monitoredResourceDescriptors.list / get (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.monitoredResourceDescriptors)
 * through the official client; the types and their labels are Google's list,
 * https://cloud.google.com/monitoring/api/resources. The twin did not serve them (404 No such method).
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ project: 'mon-res' });
});
afterAll(() => w.close());

test('the descriptors of the types georoute uses are listed, with their labels', async () => {
  const [all] = await w.gcp.monitoring.metrics.listMonitoredResourceDescriptors({ name: 'projects/mon-res' });
  const types = all.map((d) => d.type);
  for (const t of ['global', 'gce_instance', 'https_lb_rule', 'http_external_regional_lb_rule', 'instance_group']) {
    expect(types).toContain(t);
  }
  const lb = all.find((d) => d.type === 'http_external_regional_lb_rule');
  expect(lb).toMatchObject({
    name: 'projects/mon-res/monitoredResourceDescriptors/http_external_regional_lb_rule',
    displayName: 'Regional External Application Load Balancer Rule',
  });
  expect(lb?.labels?.map((l) => l.key)).toEqual(expect.arrayContaining(['project_id', 'network_name', 'region']));
  // The global rule has no network_name.
  expect(all.find((d) => d.type === 'https_lb_rule')?.labels?.map((l) => l.key)).not.toContain('network_name');
});

test('list takes a filter; get answers one type and 404 for an unknown one', async () => {
  const [gce] = await w.gcp.monitoring.metrics.listMonitoredResourceDescriptors({
    name: 'projects/mon-res',
    filter: 'resource.type = starts_with("gce_")',
  });
  expect(gce.map((d) => d.type)).toEqual(['gce_instance']);
  const [one] = await w.gcp.monitoring.metrics.getMonitoredResourceDescriptor({
    name: 'projects/mon-res/monitoredResourceDescriptors/instance_group',
  });
  expect(one.labels?.map((l) => l.key)).toEqual(['project_id', 'location', 'instance_group_name', 'instance_group_id']);
  await expect(
    w.gcp.monitoring.metrics.getMonitoredResourceDescriptor({
      name: 'projects/mon-res/monitoredResourceDescriptors/no_such_type',
    }),
  ).rejects.toMatchObject({ code: 404 });
});
