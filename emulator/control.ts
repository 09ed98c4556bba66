import { invalid } from './core/api-error';
import type { FaultRule } from './core/faults';
import { isPlainObject } from './core/merge-patch';
import type { RateLimits } from './core/rate-quota';
import { Reply, type Router } from './core/router';
import type { EmulatorContext, EmulatorService } from './core/world';

/**
 * The control API, under `/__emulator/` (a prefix no Google API uses): the clock, injected faults,
 * the request log, state snapshots and reset. Services add their own routes under
 * `/__emulator/<service>/…` (stockouts, instance deaths, geo queries, Pub/Sub delivery modes).
 */
export function registerControl(
  router: Router,
  ctx: EmulatorContext,
  services: EmulatorService[],
  tick: () => void,
): void {
  router.get('/__emulator/health', 'control', () => ({ ok: true }));

  router.get('/__emulator/clock', 'control', () => ({
    now: ctx.clock.now(),
    iso: ctx.clock.iso(),
    speed: ctx.clock.speed,
  }));
  router.add('POST', '/__emulator/clock', { api: 'control' }, (req) => {
    const body = objectBody(req.body);
    if (body.speed !== undefined) {
      const speed = Number(body.speed);
      if (!(speed > 0) || !Number.isFinite(speed)) throw invalid(`clock speed must be > 0, got ${String(body.speed)}`);
      ctx.clock.setSpeed(speed);
    }
    if (body.advanceMs !== undefined) ctx.clock.advance(Number(body.advanceMs));
    tick();
    return { now: ctx.clock.now(), iso: ctx.clock.iso(), speed: ctx.clock.speed };
  });

  router.get('/__emulator/compute/rate-quota', 'control', () => ({ limits: ctx.rateQuota.get() }));
  router.add('POST', '/__emulator/compute/rate-quota', { api: 'control' }, (req) => {
    try {
      ctx.rateQuota.set(objectBody(req.body) as RateLimits);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    return { limits: ctx.rateQuota.get() };
  });

  router.get('/__emulator/faults', 'control', () => ({ faults: ctx.faults.list() }));
  router.add('POST', '/__emulator/faults', { api: 'control' }, (req) => {
    const rule = objectBody(req.body) as FaultRule;
    try {
      return { id: ctx.faults.add(rule) };
    } catch (err) {
      throw invalid(`bad fault rule: ${(err as Error).message}`);
    }
  });
  router.add('DELETE', '/__emulator/faults', { api: 'control' }, () => {
    ctx.faults.clear();
    return {};
  });
  router.add('DELETE', '/__emulator/faults/:id', { api: 'control' }, (req) =>
    ctx.faults.remove(req.params.id as string) ? {} : new Reply(404, { error: 'no such fault' }),
  );

  router.get('/__emulator/requests', 'control', (req) => {
    const since = req.query.get('since');
    const api = req.query.get('api');
    return {
      mark: ctx.log.mark,
      requests: ctx.log.list({ since: since ? Number(since) : undefined, api: (api as never) ?? undefined }),
    };
  });
  router.add('DELETE', '/__emulator/requests', { api: 'control' }, () => {
    ctx.log.clear();
    return {};
  });

  router.get('/__emulator/state', 'control', () =>
    Object.fromEntries(services.filter((s) => s.snapshot).map((s) => [s.name, s.snapshot!()])),
  );
  router.add('POST', '/__emulator/reset', { api: 'control' }, () => {
    for (const s of services) s.reset?.();
    ctx.faults.clear();
    ctx.rateQuota.set({});
    ctx.log.clear();
    return {};
  });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw invalid('expected a JSON object');
  return body;
}
