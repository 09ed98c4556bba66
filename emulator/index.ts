import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ComputeService } from './compute';
import { computeBodies } from './compute/schema';
import { registerControl } from './control';
import { FrontEnd } from './core/front-end';
import { startRestServer } from './core/http-server';
import type { RateLimits } from './core/rate-quota';
import { Router } from './core/router';
import type { Timings } from './core/timings';
import { createContext, type EmulatorContext, type EmulatorService } from './core/world';
import { DnsService } from './dns';
import { dnsBodies } from './dns/schema';
import { IamService } from './iam';
import { MonitoringService } from './monitoring';
import { monitoringBodies } from './monitoring/schema';
import { PubsubService } from './pubsub';
import { WorldService } from './world';
import { dnsHealthCheck, probeLoadBalancer } from './world/probe';

export interface EmulatorOptions {
  /** REST port for Compute, Cloud DNS, Monitoring and the control API (0 = any free port). */
  port?: number;
  /** gRPC port for Pub/Sub (0 = any free port). */
  pubsubPort?: number;
  /** Load state from this file at start (if it exists) and save it there on stop. */
  stateFile?: string;
  /** Virtual clock speed (1 = real time). */
  clockSpeed?: number;
  /** Virtual time at start (epoch ms); defaults to now. */
  startTime?: number;
  timings?: Partial<Timings>;
  /** Source of randomness (fault dice, ids); inject a seeded one for reproducible runs. */
  random?: () => number;
  /** Compute request-rate quotas per project (none by default: Google publishes no default limits). */
  rateQuota?: RateLimits;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: what `GEOROUTE_EMULATOR` should be set to. */
  restUrl: string;
  /** `127.0.0.1:<port>`: what `PUBSUB_EMULATOR_HOST` should be set to. */
  pubsubHost: string;
  ctx: EmulatorContext;
  compute: ComputeService;
  dns: DnsService;
  iam: IamService;
  monitoring: MonitoringService;
  pubsub: PubsubService;
  /** The world simulation (client load, routing, metrics): idle until `world.configure(...)`. */
  world: WorldService;
  /** Runs the simulation up to the current virtual time now (also done every `tickRealMs`). */
  tick(): void;
  /** What the twin serves: REST routes (control routes included) and Pub/Sub gRPC methods. */
  methods(): { rest: ReturnType<Router['list']>; grpc: string[] };
  stop(): Promise<void>;
}

/** Starts the local twin in this process. Every test gets its own, on ephemeral ports. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const ctx = createContext(options);
  const pubsub = new PubsubService(ctx);
  const compute = new ComputeService(ctx);
  const dns = new DnsService(ctx);
  const monitoring = new MonitoringService(ctx, pubsub);
  const iam = new IamService(ctx);
  const world = new WorldService(ctx, compute, monitoring);
  // Cloud DNS probes external endpoints with Compute's health checks, through the world's load balancers.
  dns.setHealthSource({
    healthCheck: (project, link) => dnsHealthCheck(compute, project, link),
    probe: (ip, check) => probeLoadBalancer(compute, ip, check),
  });
  const services: EmulatorService[] = [compute, dns, monitoring, pubsub, iam, world];

  if (options.stateFile && existsSync(options.stateFile)) {
    const saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as Record<string, unknown>;
    for (const s of services) if (saved[s.name] !== undefined) s.restore?.(saved[s.name]);
  }

  let ticking = false;
  const tick = (): void => {
    if (ticking) return; // a service's tick may call back into tick (e.g. through the clock)
    ticking = true;
    try {
      const now = ctx.clock.now();
      ctx.scheduler.runDue(now);
      for (const s of services) s.tick?.(now);
      ctx.scheduler.runDue(ctx.clock.now());
    } finally {
      ticking = false;
    }
  };

  const router = new Router();
  registerControl(router, ctx, services, tick);
  for (const s of services) s.register(router);

  const frontEnd = new FrontEnd([computeBodies, dnsBodies, monitoringBodies]);
  const rest = await startRestServer(
    { router, frontEnd, faults: ctx.faults, log: ctx.log, clock: ctx.clock, rateQuota: ctx.rateQuota },
    options.port ?? 0,
  );
  let pubsubHost: string;
  try {
    pubsubHost = await pubsub.listen(options.pubsubPort ?? 0);
  } catch (err) {
    await closeServer(rest.server);
    throw err;
  }
  const timer = setInterval(tick, ctx.timings.tickRealMs);
  timer.unref();

  let stopped = false;
  return {
    restUrl: rest.url,
    pubsubHost,
    ctx,
    compute,
    dns,
    iam,
    monitoring,
    pubsub,
    world,
    tick,
    methods: () => ({ rest: router.list(), grpc: pubsub.rpcs() }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (options.stateFile) {
        const snapshot = Object.fromEntries(services.filter((s) => s.snapshot).map((s) => [s.name, s.snapshot!()]));
        writeFileSync(options.stateFile, JSON.stringify(snapshot, null, 2));
      }
      for (const s of services) await s.close?.();
      await closeServer(rest.server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
