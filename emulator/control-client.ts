import type { FaultRule } from './core/faults';
import type { RateLimits } from './core/rate-quota';
import type { RequestLogEntry } from './core/request-log';
import type { GeoAnswer } from './dns/resolve';
import type { EndpointHealth } from './dns/types';
import type { DeliverySettings } from './pubsub/engine';
import type { EjectionState } from './world/ejections';
import type { WorldEvent, WorldSample, WorldSetup } from './world/types';

/** A control call the emulator refused: `status` is the HTTP status, `body` its parsed answer. */
export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** Which simulated VMs a compute control call is about (see docs/emulator/compute-mig.md). */
export interface InstanceSelector {
  instance?: string;
  mig?: string;
  region?: string;
  project?: string;
  zone?: string;
}

export interface GeoQuery {
  project: string;
  name: string;
  type?: string;
  /** A Google Cloud region; without it the answer lists every region's answer. */
  location?: string;
  zone?: string;
  /**
   * `served` (default): what the name servers serve; `api`: what the API shows (pending changes
   * included); `resolver`: through the location's caching resolver (answers kept for their TTL).
   */
  view?: 'served' | 'api' | 'resolver';
}

export type GeoResult = Partial<GeoAnswer> & {
  zone: string;
  answers?: Record<string, string[]>;
  /** `view=resolver`: the cached answer is kept until then (ISO time). */
  cachedUntil?: string;
};

export interface TopicMessage {
  topic: string;
  messageId: string;
  data: string;
  text: string;
  attributes: Record<string, string>;
  publishTime: string;
  orderingKey?: string;
}

export interface SubscriptionView {
  name: string;
  topic: string;
  pushEndpoint: string | null;
  backlog: number;
  outstanding: number;
  [stat: string]: unknown;
}

/**
 * A typed client of the emulator's control API (`/__emulator/…`), for tests, the demo and scripts
 * that talk to an emulator running in another process. Uses only `fetch`.
 */
export class EmulatorControl {
  constructor(readonly restUrl: string) {}

  async health(): Promise<boolean> {
    try {
      return (await this.call<{ ok: boolean }>('GET', '/__emulator/health')).ok;
    } catch {
      return false;
    }
  }

  clock(): Promise<{ now: number; iso: string; speed: number }> {
    return this.call('GET', '/__emulator/clock');
  }

  /** Moves virtual time forward and runs everything that became due (VM boots, alerts, deliveries). */
  advance(ms: number): Promise<{ now: number }> {
    return this.call('POST', '/__emulator/clock', { advanceMs: ms });
  }

  setClockSpeed(speed: number): Promise<{ now: number }> {
    return this.call('POST', '/__emulator/clock', { speed });
  }

  async addFault(rule: FaultRule): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/__emulator/faults', rule)).id;
  }

  async faults(): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>('GET', '/__emulator/faults')).faults;
  }

  async removeFault(id: string): Promise<void> {
    await this.call('DELETE', `/__emulator/faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/__emulator/faults');
  }

  /** Requests answered since `since` (a `mark`), optionally for one API. */
  requests(options: { since?: number; api?: string } = {}): Promise<{ mark: number; requests: RequestLogEntry[] }> {
    return this.call('GET', `/__emulator/requests?${query(options)}`);
  }

  async mark(): Promise<number> {
    return (await this.requests({ since: Number.MAX_SAFE_INTEGER })).mark;
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/__emulator/requests');
  }

  /** Every service's state (what `--state FILE` saves). */
  state(): Promise<Record<string, unknown>> {
    return this.call('GET', '/__emulator/state');
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__emulator/reset');
  }

  // ---- Compute: the VM simulation (docs/emulator/compute-mig.md)

  /** Compute's per-project request-rate quotas per minute (an absent group is unlimited). */
  setRateQuota(limits: RateLimits): Promise<{ limits: RateLimits }> {
    return this.call('POST', '/__emulator/compute/rate-quota', limits);
  }

  /** Marks a zone (optionally one accelerator type) out of stock, or back in stock. */
  stockout(body: { zone: string; acceleratorType?: string; outOfStock: boolean }) {
    return this.call<{ stockouts: Array<{ zone: string; acceleratorType?: string }> }>(
      'POST',
      '/__emulator/compute/stockouts',
      body,
    );
  }

  /**
   * Sets (or with `limit: null` removes) a GPU quota: per region and accelerator (`NVIDIA_L4_GPUS`,
   * `region` required) or project-wide (`GPUS_ALL_REGIONS`, no region).
   */
  setQuota(body: { project: string; region?: string; metric: string; limit: number | null }) {
    return this.call<{ quota: Record<string, Record<string, number>> }>('POST', '/__emulator/compute/quota', body);
  }

  /** Replicas a MIG's utilization asks its autoscaler for (`null` clears it). */
  setDemand(body: { mig: string; region?: string; project?: string; replicas: number | null }) {
    return this.call<{ mig: string; replicas: number | null }>('POST', '/__emulator/compute/demand', body);
  }

  /** The simulated VMs, optionally of one MIG. */
  async instances(selector: { mig?: string; region?: string } = {}): Promise<Array<Record<string, unknown>>> {
    return (
      await this.call<{ instances: Array<Record<string, unknown>> }>(
        'GET',
        `/__emulator/compute/instances?${query(selector)}`,
      )
    ).instances;
  }

  /** Kills VMs (their MIG recreates them); answers the names killed. */
  async killInstances(selector: InstanceSelector & { count?: number }): Promise<string[]> {
    return (await this.call<{ killed: string[] }>('POST', '/__emulator/compute/instances/kill', selector)).killed;
  }

  /** Forces health checks to answer HEALTHY / UNHEALTHY, or back to the lifecycle (`auto`). */
  async setHealth(selector: InstanceSelector & { health: 'HEALTHY' | 'UNHEALTHY' | 'auto' }): Promise<string[]> {
    return (await this.call<{ updated: string[] }>('POST', '/__emulator/compute/instances/health', selector)).updated;
  }

  // ---- Cloud DNS

  /** The answer a client in `location` gets from the name servers (docs/emulator/dns.md). */
  resolve(q: GeoQuery): Promise<GeoResult> {
    return this.call('GET', `/__emulator/dns/resolve?${query({ ...q })}`);
  }

  /**
   * Cloud DNS's view of health-checked external endpoints: of a project, or of the record set `name`
   * (its policy's targets). Each: healthy or not, passed / failed probes in a row, the last probe's detail.
   */
  async dnsHealth(q: { project: string; name?: string; type?: string; zone?: string }): Promise<EndpointHealth[]> {
    return (await this.call<{ endpoints: EndpointHealth[] }>('GET', `/__emulator/dns/health?${query({ ...q })}`))
      .endpoints;
  }

  // ---- Pub/Sub (docs/emulator/pubsub.md)

  delivery(): Promise<DeliverySettings> {
    return this.call('GET', '/__emulator/pubsub/delivery');
  }

  setDelivery(settings: Partial<DeliverySettings>): Promise<DeliverySettings> {
    return this.call('POST', '/__emulator/pubsub/delivery', settings);
  }

  /** Everything published to a topic (by short id, optionally of one project). */
  async topicMessages(topic: string, project?: string): Promise<TopicMessage[]> {
    const path = `/__emulator/pubsub/topics/${encodeURIComponent(topic)}/messages?${query({ project })}`;
    return (await this.call<{ messages: TopicMessage[] }>('GET', path)).messages;
  }

  async subscriptions(): Promise<SubscriptionView[]> {
    return (await this.call<{ subscriptions: SubscriptionView[] }>('GET', '/__emulator/pubsub/subscriptions'))
      .subscriptions;
  }

  /** Delivers everything due now and waits for push deliveries in flight. */
  async flush(): Promise<void> {
    await this.call('POST', '/__emulator/pubsub/flush');
  }

  // ---- Monitoring, IAM, the world simulation

  incidents(): Promise<{ incidents: Array<Record<string, unknown>>; deliveries: unknown[]; lastEvaluation: unknown }> {
    return this.call('GET', '/__emulator/monitoring/incidents');
  }

  /** Evaluates every alert policy now; answers the incidents view. */
  evaluate(): Promise<{ incidents: Array<Record<string, unknown>>; deliveries: unknown[] }> {
    return this.call('POST', '/__emulator/monitoring/evaluate');
  }

  iamState(): Promise<Record<string, unknown>> {
    return this.call('GET', '/__emulator/iam/state');
  }

  async worldSetup(setup: WorldSetup): Promise<void> {
    await this.call('POST', '/__emulator/world/setup', setup);
  }

  async worldLoad(locations: Record<string, number>): Promise<void> {
    await this.call('POST', '/__emulator/world/load', { locations });
  }

  /** A gray failure: this share of the region's client requests fail with `status` (default 500). */
  async worldFault(region: string, errorRate: number, status?: number): Promise<void> {
    await this.call('POST', '/__emulator/world/faults', { region, errorRate, ...(status ? { status } : {}) });
  }

  /** Outlier detection's records: backend service path → VM name → `{ejections, ejectedAt, ejectedUntil, reason}`. */
  async worldEjections(): Promise<EjectionState> {
    return (await this.call<{ ejections: EjectionState }>('GET', '/__emulator/world/ejections')).ejections;
  }

  async worldSamples(since = 0): Promise<WorldSample[]> {
    return (await this.call<{ samples: WorldSample[] }>('GET', `/__emulator/world/samples?since=${since}`)).samples;
  }

  async worldEvents(since = 0): Promise<WorldEvent[]> {
    return (await this.call<{ events: WorldEvent[] }>('GET', `/__emulator/world/events?since=${since}`)).events;
  }

  /** Any control route, e.g. `call('POST', '/__emulator/compute/stockouts', {...})`. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.restUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok)
      throw new EmulatorControlError(res.status, parsed, `emulator control ${method} ${path} → ${res.status}: ${text}`);
    return parsed as T;
  }
}

/** A query string of the defined values. */
function query(params: Record<string, string | number | undefined>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q;
}
