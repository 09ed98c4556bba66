import { randomUUID } from 'node:crypto';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../emulator';
import { selfLink } from '../../../emulator/compute/links';
import { GcpClients } from '../../../shared/gcp/clients';

export const P = 'p1';
export const R = 'us-central1';

export interface LbWorld {
  emu: Emulator;
  gcp: GcpClients;
}

/** Fast operations (0.2 s virtual) on a clock running 50× real time. */
export async function startLbWorld(options: EmulatorOptions = {}): Promise<LbWorld> {
  const emu = await startEmulator({
    clockSpeed: 50,
    timings: { operationPendingMs: 100, operationRunningMs: 100 },
    ...options,
  });
  const gcp = new GcpClients({ projectId: P, emulator: emu.restUrl, pubsubHost: emu.pubsubHost });
  return { emu, gcp };
}

export async function stopLbWorld(w: LbWorld): Promise<void> {
  await w.gcp.close();
  await w.emu.stop();
}

interface OpLike {
  name?: string | null;
  status?: unknown;
  region?: string | null;
  error?: unknown;
}

/** What the official client's mutations resolve to: `[LROperation]`, the Operation in `latestResponse`. */
type Mutation = [unknown, ...unknown[]];

/** Waits with `globalOperations.wait` / `regionOperations.wait` until the operation is DONE. */
export async function done(w: LbWorld, result: Mutation): Promise<OpLike> {
  let op = (result[0] as { latestResponse: OpLike }).latestResponse;
  for (let i = 0; i < 100 && op.status !== 'DONE'; i++) {
    const region = op.region ? op.region.slice(op.region.lastIndexOf('/') + 1) : undefined;
    const [next] = region
      ? await w.gcp.compute.regionOperations.wait({ project: P, region, operation: op.name as string })
      : await w.gcp.compute.globalOperations.wait({ project: P, operation: op.name as string });
    op = next as OpLike;
  }
  expect(op.status).toBe('DONE');
  expect(op.error).toBeFalsy();
  return op;
}

/**
 * Test fixture: an instance group as the MIG helper creates it when a regional MIG is inserted
 * (`projects/p/regions/r/instanceGroups/name`), written straight into the emulator's state.
 */
export function addInstanceGroup(w: LbWorld, name: string, region = R): string {
  const path = `projects/${P}/regions/${region}/instanceGroups/${name}`;
  w.emu.compute.state.resources[path] = {
    kind: 'compute#instanceGroup',
    id: String(w.emu.compute.state.nextId++),
    name,
    selfLink: selfLink(path),
    creationTimestamp: new Date(w.emu.ctx.clock.now()).toISOString(),
    region: selfLink(`projects/${P}/regions/${region}`),
  };
  return selfLink(path);
}

let counter = 0;
/** A fresh resource name per call, so tests sharing one emulator do not collide. */
export const uniq = (prefix: string): string => `${prefix}-${++counter}-${randomUUID().slice(0, 6)}`;

export async function globalHealthCheck(w: LbWorld, name = uniq('hc')): Promise<string> {
  await done(
    w,
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name, type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz' } },
    }),
  );
  return `https://www.googleapis.com/compute/v1/projects/${P}/global/healthChecks/${name}`;
}

/** A global backend service over fresh groups (one per capacity scaler given). */
export async function backendService(
  w: LbWorld,
  scalers: number[] = [1],
  name = uniq('bs'),
): Promise<{ name: string; link: string; groups: string[]; hc: string }> {
  const hc = await globalHealthCheck(w);
  const groups = scalers.map((_, i) => addInstanceGroup(w, uniq(`ig${i}`), i % 2 === 0 ? R : 'europe-west4'));
  await done(
    w,
    await w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: {
        name,
        healthChecks: [hc],
        backends: groups.map((group, i) => ({ group, capacityScaler: scalers[i] })),
      },
    }),
  );
  return {
    name,
    link: `https://www.googleapis.com/compute/v1/projects/${P}/global/backendServices/${name}`,
    groups,
    hc,
  };
}

/** The decoded error of a rejected client call: `code` is the HTTP status, `message` the raw JSON body. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: number; message: string };
  }
  throw new Error('expected the call to fail');
}
