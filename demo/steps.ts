import type { GeorouteConfig } from '../shared/config';
import type { StepRecord } from './measure';
import { actionOf, diurnalFactor, loadFor, type Scenario, type ScenarioStep } from './scenario';
import type { Stack } from './stack';

/**
 * Plays scenario steps on a stack. Faults reach the stack the way real ones would: through the VMs
 * (killed, health forced), through the world's clients (a share of requests fails at the region while
 * its health checks pass) or through Compute (a zone out of stock). Only `capacityRequest` and
 * `incident` publish messages, as the team's tooling and a flapping alert policy would.
 */
export class StepPlayer {
  private readonly openIds = new Map<string, string>();
  private incidentSeq = 0;
  /** Requests/s per location before the daily rhythm (the scenario's `load`, then its `setLoad` steps). */
  private readonly base: Record<string, number>;

  constructor(
    private readonly stack: Stack,
    private readonly config: GeorouteConfig,
    private readonly scenario: Scenario,
    /** Virtual time of T+0 (the daily rhythm's origin). */
    private readonly t0: number,
  ) {
    this.base = loadFor(scenario.load, config.clientLocations);
  }

  /** Sends the load due at `at` to the world: the base, swung by the daily rhythm if the scenario has one. */
  applyLoad(at: number): void {
    const load: Record<string, number> = {};
    for (const [location, rps] of Object.entries(this.base))
      load[location] = Math.round(rps * diurnalFactor(this.scenario.diurnal, location, at - this.t0) * 100) / 100;
    this.stack.emulator.world.setLoad(load);
  }

  async play(step: ScenarioStep, at: number): Promise<StepRecord> {
    const { emulator: e, control, gcp } = this.stack;
    const config = this.config;
    const action = actionOf(step);
    let region: string | undefined;
    let text = '';
    if (step.setLoad) {
      Object.assign(this.base, loadFor(step.setLoad, config.clientLocations));
      this.applyLoad(at);
      const total = Object.values(e.world.load).reduce((s, v) => s + v, 0);
      const parts = [
        step.setLoad.scale !== undefined ? `×${step.setLoad.scale} of expected` : '',
        ...Object.entries(step.setLoad.locations ?? {}).map(([l, v]) => `${l} ${v} rps`),
      ].filter(Boolean);
      text = `load: ${parts.join(', ')} (total ${total.toFixed(0)} rps)`;
    } else if (step.failRegion) {
      const f = step.failRegion;
      region = f.region;
      const what: string[] = [];
      if (f.health) {
        await control.setHealth({ region: f.region, health: f.health });
        what.push('model server broken (health checks fail)');
      }
      if (f.kill) {
        const killed = await control.killInstances({ region: f.region });
        what.push(`${killed.length} VMs killed`);
      }
      if (f.errorRate !== undefined) {
        e.world.setFault(f.region, f.errorRate);
        what.push(`${Math.round(f.errorRate * 100)}% of requests fail`);
      }
      text = `FAILURE ${f.region}: ${what.join(', ')}`;
    } else if (step.recoverRegion) {
      region = step.recoverRegion.region;
      await control.setHealth({ region, health: 'auto' });
      e.world.setFault(region, 0);
      text = `RECOVERY ${region}: the model server is fixed`;
    } else if (step.stockout) {
      const s = step.stockout;
      await control.stockout({ zone: s.zone, acceleratorType: s.accelerator, outOfStock: s.outOfStock });
      region = s.zone.replace(/-[a-z]$/, '');
      text = `${s.outOfStock ? 'STOCKOUT' : 'stock back'}: ${s.zone}${s.accelerator ? ` (${s.accelerator})` : ''}`;
    } else if (step.capacityRequest) {
      const c = step.capacityRequest;
      await gcp.pubsub.topic(config.pubsub.capacityRequests).publishMessage({ json: c });
      region = c.region;
      text = `capacity request ${c.requestId}: ${c.replicas} × ${c.accelerator} ${c.region ? `in ${c.region}` : `near ${c.near}`}${
        c.durationMinutes ? ` for ${c.durationMinutes} min` : ''
      }${c.reason ? ` (${c.reason})` : ''}`;
    } else if (step.incident) {
      const { region: r, state } = step.incident;
      region = r;
      const id =
        state === 'open' || !this.openIds.has(r)
          ? `0.demo${String(++this.incidentSeq).padStart(6, '0')}`
          : this.openIds.get(r)!;
      if (state === 'open') this.openIds.set(r, id);
      else this.openIds.delete(r);
      await gcp.pubsub
        .topic(config.pubsub.healthAlerts)
        .publishMessage({ json: notification(config, r, id, state, at) });
      text = `alert policy notification: incident ${id} ${state} for ${r}`;
    }
    if (step.note) text += ` — ${step.note}`;
    return { at, action, region, text };
  }
}

/** A Monitoring notification (schema 1.2) like the one a pubsub channel delivers, for a policy of `region`. */
function notification(config: GeorouteConfig, region: string, id: string, state: 'open' | 'closed', at: number) {
  const seconds = Math.floor(at / 1000);
  return {
    version: '1.2',
    incident: {
      incident_id: id,
      scoping_project_id: config.project,
      started_at: seconds,
      ended_at: state === 'closed' ? seconds : null,
      state,
      summary: `5xx share for ${region} ${state === 'open' ? 'is above' : 'returned below'} the threshold.`,
      resource: { type: 'http_external_regional_lb_rule', labels: { project_id: config.project, region } },
      metric: { type: 'loadbalancing.googleapis.com/https/external/regional/request_count', labels: {} },
      policy_name: `georoute ${region} flapping`,
      policy_user_labels: { 'georoute-region': region, 'georoute-alert': 'error-ratio' },
      condition_name: '5xx share',
    },
  };
}
