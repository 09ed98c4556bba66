import type { PubsubBroker } from '../core/broker';
import { isPlainObject } from '../core/merge-patch';
import { monitoringPaging, type Page, paginate } from '../core/paginate';
import type { ApiRequest, Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import {
  channelDescriptor,
  channelDescriptors,
  channelJson,
  createChannel,
  deleteChannel,
  getChannel,
  updateChannel,
} from './channels';
import { encodeEnums, wantsIntEnums } from './enums';
import { badRequest, notFound } from './errors';
import { closePolicyIncidents, type EvalDeps, evaluateAll, flushNotifications } from './evaluator';
import { listFilter } from './list-filter';
import {
  createDescriptor,
  createTimeSeries,
  deleteDescriptor,
  descriptorJson,
  findDescriptor,
  listDescriptors,
  listTimeSeries,
  prune,
  writeInternal,
} from './metrics';
import { buildPolicy, checkPolicyBody, getPolicy, mergeForUpdate } from './policies';
import { formatTimestamp } from './proto-json';
import { resourceDescriptor, resourceDescriptors } from './resources';
import { responseTypeOf } from './schema';
import type { AlertPolicy, Incident, MonitoringState, MutationRecord, ProjectState } from './types';

/** Time series points are kept this long (virtual time). */
export const RETENTION_MS = 6 * 3600_000;
/** Deepest metric type path served (`custom.googleapis.com/a/b/c…`). */
const MAX_TYPE_SEGMENTS = 12;

function emptyState(): MonitoringState {
  return { projects: {}, incidents: {}, evalState: {}, deliveries: [], lastEvaluation: 0, seq: 0 };
}

/**
 * Cloud Monitoring v3 (REST, as google-gax's fallback speaks it): metric descriptors, time series,
 * notification channels and alert policies, with threshold/absence conditions evaluated on the virtual
 * clock into incidents published (schema 1.2 JSON) to `pubsub` channels' topics.
 */
export class MonitoringService implements EmulatorService {
  readonly name = 'monitoring';
  private state: MonitoringState = emptyState();

  constructor(
    readonly ctx: EmulatorContext,
    readonly broker: PubsubBroker,
  ) {}

  register(router: Router): void {
    const v3 = '/v3/projects/:project';
    const api = { api: 'monitoring' as const };
    const read = { api: 'monitoring' as const, write: false };
    const route = (
      method: string,
      path: string,
      opts: typeof api,
      fn: (req: ApiRequest, ps: ProjectState, project: string) => unknown,
    ) =>
      router.add(method, path, opts, (req) => {
        const project = req.params.project!;
        const body = fn(req, this.project(project), project);
        const type = wantsIntEnums(req) ? responseTypeOf(method, req.path) : undefined;
        return type ? encodeEnums(body, type) : body;
      });

    // metric descriptors
    route('POST', `${v3}/metricDescriptors`, api, (req, ps, p) => descriptorJson(createDescriptor(ps, p, req.body)));
    route('GET', `${v3}/metricDescriptors`, read, (req, ps, p) => {
      const all = listDescriptors(ps, p, req.query.get('filter') ?? '');
      const page = paginate(all, req.query, monitoringPaging(10_000), req.path);
      return { metricDescriptors: page.items.map(descriptorJson), ...nextOf(page) };
    });
    for (let n = 1; n <= MAX_TYPE_SEGMENTS; n++) {
      const segs = Array.from({ length: n }, (_, i) => `:t${i}`).join('/');
      const typeOf = (req: ApiRequest) => Array.from({ length: n }, (_, i) => req.params[`t${i}`]).join('/');
      route('GET', `${v3}/metricDescriptors/${segs}`, read, (req, ps, p) => {
        const d = findDescriptor(ps, p, typeOf(req));
        if (!d) throw notFound(`Could not find descriptor for metric '${typeOf(req)}'.`);
        return descriptorJson(d);
      });
      route('DELETE', `${v3}/metricDescriptors/${segs}`, api, (req, ps, p) => {
        deleteDescriptor(ps, p, typeOf(req));
        return {};
      });
    }

    // monitored-resource descriptors (data: monitoring/resources.ts)
    route('GET', `${v3}/monitoredResourceDescriptors`, read, (req, _ps, p) => {
      const all = resourceDescriptors(p, req.query.get('filter') ?? '');
      const page = paginate(all, req.query, monitoringPaging(), req.path);
      return { resourceDescriptors: page.items, ...nextOf(page) };
    });
    route('GET', `${v3}/monitoredResourceDescriptors/:type`, read, (req, _ps, p) => {
      const d = resourceDescriptor(p, req.params.type as string);
      if (!d) throw notFound(`Could not find monitored resource descriptor for type '${req.params.type}'.`);
      return d;
    });

    // time series
    route('POST', `${v3}/timeSeries`, api, (req, ps, p) => {
      const body = isPlainObject(req.body) ? req.body : {};
      createTimeSeries(ps, p, body.timeSeries, this.ctx.clock.now(), this.ctx.timings);
      return {};
    });
    route('GET', `${v3}/timeSeries`, read, (req, ps, p) => listTimeSeries(ps, p, req.query, this.ctx.clock.now()));

    // notification channel descriptors and channels
    route('GET', `${v3}/notificationChannelDescriptors`, read, (_req, _ps, p) => ({
      channelDescriptors: channelDescriptors(p),
    }));
    route('GET', `${v3}/notificationChannelDescriptors/:type`, read, (req, _ps, p) =>
      channelDescriptor(p, req.params.type!),
    );
    route('POST', `${v3}/notificationChannels`, api, (req, ps, p) =>
      channelJson(createChannel(ps, p, req.body, this.newId(), this.record())),
    );
    route('GET', `${v3}/notificationChannels`, read, (req, ps) => {
      const all = listFilter(Object.values(ps.channels), req.query.get('filter'));
      const page = paginate(all, req.query, monitoringPaging(), req.path);
      return { notificationChannels: page.items.map(channelJson), totalSize: all.length, ...nextOf(page) };
    });
    const channelName = (req: ApiRequest) => `projects/${req.params.project}/notificationChannels/${req.params.id}`;
    route('GET', `${v3}/notificationChannels/:id`, read, (req, ps) => channelJson(getChannel(ps, channelName(req))));
    route('PATCH', `${v3}/notificationChannels/:id`, api, (req, ps) =>
      channelJson(updateChannel(ps, channelName(req), req.body, maskOf(req), this.record())),
    );
    route('DELETE', `${v3}/notificationChannels/:id`, api, (req, ps) => {
      deleteChannel(ps, channelName(req), req.query.get('force') === 'true');
      return {};
    });

    // alert policies
    route('POST', `${v3}/alertPolicies`, api, (req, ps, p) => {
      const body = checkPolicyBody(req.body);
      if (body.name)
        throw badRequest('The name of a new alert policy must be left empty; it is assigned by the server.');
      const policy = this.buildPolicy(ps, p, body, `projects/${p}/alertPolicies/${this.newId()}`, undefined);
      ps.policies[policy.name] = policy;
      return policy;
    });
    route('GET', `${v3}/alertPolicies`, read, (req, ps) => {
      const all = listFilter(Object.values(ps.policies), req.query.get('filter'));
      const page = paginate(all, req.query, monitoringPaging(), req.path);
      return { alertPolicies: page.items, totalSize: all.length, ...nextOf(page) };
    });
    const policyName = (req: ApiRequest) => `projects/${req.params.project}/alertPolicies/${req.params.id}`;
    route('GET', `${v3}/alertPolicies/:id`, read, (req, ps) => getPolicy(ps, policyName(req)));
    route('PATCH', `${v3}/alertPolicies/:id`, api, (req, ps, p) => {
      const current = getPolicy(ps, policyName(req));
      const merged = mergeForUpdate(current, checkPolicyBody(req.body), maskOf(req));
      const next = this.buildPolicy(ps, p, merged, current.name, current);
      ps.policies[next.name] = next;
      // Incidents of conditions that are gone close (silently), as their conditions no longer exist.
      closePolicyIncidents(this.state, next.name, this.ctx.clock.now(), new Set(next.conditions.map((c) => c.name)));
      return next;
    });
    route('DELETE', `${v3}/alertPolicies/:id`, api, (req, ps) => {
      const policy = getPolicy(ps, policyName(req));
      delete ps.policies[policy.name];
      closePolicyIncidents(this.state, policy.name, this.ctx.clock.now());
      return {};
    });

    // control
    router.get('/__emulator/monitoring/incidents', 'control', () => this.incidentsView());
    router.add('POST', '/__emulator/monitoring/evaluate', { api: 'control' }, () => {
      this.evaluate();
      return this.incidentsView();
    });
  }

  /** Evaluates alert policies every `timings.alertEvaluationMs` and publishes notifications that are due. */
  tick(now: number): void {
    if (now - this.state.lastEvaluation >= this.ctx.timings.alertEvaluationMs) this.evaluate(now);
    else flushNotifications(this.deps(), now);
  }

  /** Evaluates every alert policy now (control route `POST /__emulator/monitoring/evaluate`). */
  evaluate(now = this.ctx.clock.now()): void {
    for (const ps of Object.values(this.state.projects)) prune(ps, now - RETENTION_MS);
    const deps = this.deps();
    evaluateAll(deps, now);
    flushNotifications(deps, now);
  }

  private deps(): EvalDeps {
    return {
      state: this.state,
      random: this.ctx.random,
      publish: (topic, data) => this.broker.publish(topic, data, {}),
      notificationDelayMs: this.ctx.timings.alertNotificationMs,
    };
  }

  /**
   * For the emulator's own world simulation: writes TimeSeries (proto3 JSON; times may also be epoch-ms
   * numbers) to any metric, built-in ones included, without the client-only rules (one point per
   * request, ordering, 5 s spacing, user-defined types only).
   */
  write(project: string, series: unknown | unknown[]): void {
    writeInternal(
      this.project(project),
      project,
      Array.isArray(series) ? series : [series],
      this.ctx.clock.now(),
      this.ctx.timings,
    );
  }

  incidents(): Incident[] {
    return Object.values(this.state.incidents).sort((a, b) => a.startedAt - b.startedAt);
  }

  snapshot(): unknown {
    return JSON.parse(JSON.stringify(this.state));
  }

  restore(saved: unknown): void {
    if (!isPlainObject(saved) || !isPlainObject(saved.projects)) return;
    this.state = { ...emptyState(), ...(JSON.parse(JSON.stringify(saved)) as Partial<MonitoringState>) };
  }

  reset(): void {
    this.state = emptyState();
  }

  private incidentsView(): Record<string, unknown> {
    return {
      incidents: this.incidents().map((i) => ({
        ...i,
        startedAt: formatTimestamp(i.startedAt),
        endedAt: i.endedAt === null ? null : formatTimestamp(i.endedAt),
      })),
      deliveries: this.state.deliveries.map((d) => ({ ...d, at: formatTimestamp(d.at) })),
      lastEvaluation: this.state.lastEvaluation ? formatTimestamp(this.state.lastEvaluation) : null,
    };
  }

  private project(id: string): ProjectState {
    this.state.projects[id] ??= { descriptors: {}, series: {}, channels: {}, policies: {} };
    return this.state.projects[id];
  }

  private buildPolicy(
    ps: ProjectState,
    project: string,
    body: Record<string, unknown>,
    name: string,
    previous: AlertPolicy | undefined,
  ): AlertPolicy {
    return buildPolicy(body, name, previous, this.record(), {
      newId: () => this.newId(),
      channelExists: (ch) =>
        ch.startsWith(`projects/${project}/notificationChannels/`) && ps.channels[ch] !== undefined,
    });
  }

  /** Numeric ids like Google's (19 digits), unique per emulator. */
  private newId(): string {
    const seq = String(++this.state.seq).padStart(6, '0');
    const tail = Array.from({ length: 12 }, () => Math.floor(this.ctx.random() * 10)).join('');
    return `1${seq}${tail}`;
  }

  private record(): MutationRecord {
    return { mutateTime: formatTimestamp(this.ctx.clock.now()), mutatedBy: 'emulator@georoute.local' };
  }
}

const nextOf = (page: Page<unknown>) => (page.nextPageToken ? { nextPageToken: page.nextPageToken } : {});

function maskOf(req: ApiRequest): string[] {
  return (req.query.get('updateMask') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
