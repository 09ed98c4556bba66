/** A Cloud Monitoring notification (schema 1.2) as the pubsub channel delivers it. */
export function incident(
  id: string,
  state: 'open' | 'closed' | 'OPEN' | 'CLOSED',
  region: string,
  at: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const seconds = Math.floor(at / 1000);
  const closed = state.toLowerCase() === 'closed';
  return {
    version: '1.2',
    incident: {
      incident_id: id,
      scoping_project_id: 'georoute-test',
      scoping_project_number: 12345,
      url: `https://console.cloud.google.com/monitoring/alerting/incidents/${id}`,
      started_at: closed ? seconds - 300 : seconds,
      ended_at: closed ? seconds : null,
      state,
      summary: `Error ratio for ${region} is above the threshold of 0.05 with a value of 0.42.`,
      apigee_url: null,
      observed_value: '0.42',
      resource: { type: 'https_lb_rule', labels: { project_id: 'georoute-test', backend_scope: region } },
      resource_type_display_name: 'Application Load Balancer Rule',
      metric: {
        type: 'loadbalancing.googleapis.com/https/backend_request_count',
        displayName: 'Backend request count',
        labels: {},
      },
      metadata: { system_labels: {}, user_labels: {} },
      policy_name: `georoute ${region} error ratio`,
      policy_user_labels: { 'georoute-region': region, 'georoute-alert': 'error-ratio' },
      documentation: null,
      condition: {},
      condition_name: 'error ratio > 0.05',
      threshold_value: '0.05',
      ...overrides,
    },
  };
}
