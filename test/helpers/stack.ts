import { bootstrap, type Profile } from '../../infra';
import type { GeorouteConfig } from '../../shared/config';
import { parseConfig } from '../../shared/config';
import type { GcpClients } from '../../shared/gcp/clients';

/** A small 3-region config for integration tests (the shipped example has 5). */
export function testConfig(overrides: Record<string, unknown> = {}): GeorouteConfig {
  const region = (name: string, zones: string[], residency: string) => ({
    name,
    zones,
    minReplicas: 1,
    maxReplicas: 6,
    replicaThroughputRps: 4,
    residency,
  });
  const result = parseConfig({
    project: 'georoute-test',
    regions: [
      region('us-central1', ['us-central1-a', 'us-central1-b'], 'us'),
      region('us-east4', ['us-east4-a', 'us-east4-c'], 'us'),
      region('europe-west4', ['europe-west4-a', 'europe-west4-b'], 'eu'),
    ],
    clientLocations: [
      { location: 'us-central1' },
      { location: 'us-east4' },
      { location: 'us-west1' },
      { location: 'europe-west4', residency: 'eu' },
      { location: 'europe-west1' },
    ],
    dns: { managedZone: 'georoute-test', recordName: 'infer.example.com.' },
    gpuBudget: { maxTotalAccelerators: 20 },
    guardrails: { minHealthyWindowSec: 60, recoveryStepSec: 60, scaleOutCooldownSec: 0, scaleInCooldownSec: 600 },
    ...overrides,
  });
  if (!result.ok) throw new Error(`test config invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

/**
 * Builds georoute's stack with the real bootstrap (infra/): health checks, per region a GPU template, MIG,
 * autoscaler and entry point (address → regional forwarding rule → regional backend service), the global
 * load balancer, the Cloud DNS zone and geo record, Pub/Sub topics, alert policies and service accounts.
 */
export async function buildStack(gcp: GcpClients, config: GeorouteConfig, profile?: Profile): Promise<void> {
  const result = await bootstrap(gcp, config, { out: () => undefined, profile });
  if (result.exitCode !== 0) throw new Error(`bootstrap failed at ${result.failure?.id}: ${result.failure?.message}`);
}
