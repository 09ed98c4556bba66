import { randomUUID } from 'node:crypto';
import { type Emulator, startEmulator } from '../../emulator';
import { EmulatorControl } from '../../emulator/control-client';
import { FAST_TIMINGS, type Timings } from '../../emulator/core/timings';
import { seededRandom } from '../../emulator/world/model';
import { GcpClients } from '../../shared/gcp/clients';
import type { RetryPolicies } from '../../shared/gcp/retry';

/** Named timing sets (virtual ms) and the clock speed that goes with them. */
export const TWIN_PRESETS = {
  /** Google's clock (emulator/core/timings.ts) in real time. */
  google: { clockSpeed: 1, timings: {} },
  /**
   * Not about time (emulator/core/timings.ts FAST_TIMINGS): operations in 3 ms, DNS served in 0.1 s,
   * metrics and notifications at once, no push latency or cold start; VMs boot 60 s + warm up 30 s.
   * A test that uses it (or a preset built on it) says why.
   */
  fast: { clockSpeed: 1, timings: FAST_TIMINGS },
  /** Operations done in 0.1 s; real-time clock, so VMs boot and warm up only when a test advances time. */
  mig: { clockSpeed: 1, timings: { ...FAST_TIMINGS, operationPendingMs: 50, operationRunningMs: 50 } },
  /** Operations done in 0.2 s on a clock running 50× real time. */
  lb: { clockSpeed: 50, timings: { ...FAST_TIMINGS, operationPendingMs: 100, operationRunningMs: 100 } },
  /** Cloud DNS changes stay `pending` for a virtual minute: until a test advances time. */
  dns: { clockSpeed: 1, timings: { ...FAST_TIMINGS, dnsChangeMs: 60_000 } },
  /** georoute's stack (test/helpers/world.ts): fast operations, 1 s DNS changes, 90 s to a healthy VM. */
  stack: {
    clockSpeed: 1,
    timings: { ...FAST_TIMINGS, operationPendingMs: 5, operationRunningMs: 10, dnsChangeMs: 1_000 },
  },
  /** Bootstrap runs (test/infra/fixture.ts): operations and DNS changes nearly instant. */
  instant: { clockSpeed: 1, timings: FAST_TIMINGS },
} satisfies Record<string, { clockSpeed: number; timings: Partial<Timings> }>;

export { FAST_TIMINGS };

export type TwinPreset = keyof typeof TWIN_PRESETS;

export interface TwinOptions {
  /** The project the clients default to (default `p1`). */
  project?: string;
  /** A preset name, or durations over Google's (emulator/core/timings.ts). */
  timings?: TwinPreset | Partial<Timings>;
  /** Virtual clock speed (default: the preset's, else 1). */
  clockSpeed?: number;
  /** A seed, or a source of randomness: seeded runs are reproducible (fingerprints, ids, fault dice). */
  random?: number | (() => number);
  startTime?: number;
  stateFile?: string;
  /** How the clients retry (default Google-call policies; tests with persistent faults narrow them). */
  retry?: Partial<RetryPolicies>;
}

/** A Compute mutation as the official client resolves it: `[LROperation, …]`, the Operation in `latestResponse`. */
export type Mutation = [unknown, ...unknown[]];

export interface OperationView {
  name?: string | null;
  status?: unknown;
  region?: string | null;
  selfLink?: string | null;
  error?: unknown;
  operationType?: string | null;
  targetLink?: string | null;
}

/** What an official REST client rejects with: `code` is the HTTP status, `message` the raw JSON error. */
export interface ClientError {
  code: number;
  message: string;
}

/** One emulator world: the twin, its control client and the official clients pointed at it. */
export interface Twin {
  emu: Emulator;
  control: EmulatorControl;
  gcp: GcpClients;
  project: string;
  /** Moves virtual time on and runs the simulation (VM boots, DNS changes, alerts, schedules). */
  advance(ms: number): void;
  /** Waits on the official `operations.wait` until the operation is DONE; asserts it has no error. */
  done(result: Mutation): Promise<OperationView>;
  /** The error a client call rejects with (fails the test if it resolves). */
  failure(promise: Promise<unknown>): Promise<ClientError>;
  /** A fresh name per call, so tests sharing a twin do not collide. */
  uniq(prefix: string): string;
  close(): Promise<void>;
}

let counter = 0;

export async function startTwin(options: TwinOptions = {}): Promise<Twin> {
  const preset = typeof options.timings === 'string' ? TWIN_PRESETS[options.timings] : undefined;
  const timings = preset ? preset.timings : (options.timings as Partial<Timings> | undefined);
  const random = typeof options.random === 'number' ? seededRandom(options.random) : options.random;
  const emu = await startEmulator({
    clockSpeed: options.clockSpeed ?? preset?.clockSpeed ?? 1,
    timings,
    random,
    startTime: options.startTime,
    stateFile: options.stateFile,
  });
  const project = options.project ?? 'p1';
  const gcp = new GcpClients(
    { projectId: project, emulator: emu.restUrl, pubsubHost: emu.pubsubHost },
    { retry: options.retry },
  );
  const twin: Twin = {
    emu,
    control: new EmulatorControl(emu.restUrl),
    gcp,
    project,
    advance(ms) {
      emu.ctx.clock.advance(ms);
      emu.tick();
    },
    async done(result) {
      let op = (result[0] as { latestResponse: OperationView }).latestResponse;
      const opProject = /\/projects\/([^/]+)\//.exec(op.selfLink ?? '')?.[1] ?? project;
      for (let i = 0; i < 100 && op.status !== 'DONE'; i++) {
        const region = op.region ? op.region.slice(op.region.lastIndexOf('/') + 1) : undefined;
        const operation = op.name as string;
        const [next] = region
          ? await gcp.compute.regionOperations.wait({ project: opProject, region, operation })
          : await gcp.compute.globalOperations.wait({ project: opProject, operation });
        op = next as OperationView;
      }
      expect(op.status).toBe('DONE');
      expect(op.error).toBeFalsy();
      return op;
    },
    async failure(promise) {
      try {
        await promise;
      } catch (e) {
        return e as ClientError;
      }
      throw new Error('expected the call to fail');
    },
    uniq: (prefix) => `${prefix}-${++counter}-${randomUUID().slice(0, 6)}`,
    async close() {
      await gcp.close();
      await emu.stop();
    },
  };
  return twin;
}
