import { randomUUID } from 'node:crypto';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../emulator';
import { GcpClients } from '../../../shared/gcp/clients';

export const P = 'p1';
export const R = 'us-central1';
export const BASE = 'https://www.googleapis.com/compute/v1/';
export const BOOT_MS = 60_000;
export const WARMUP_MS = 30_000;

export interface MigWorld {
  emu: Emulator;
  gcp: GcpClients;
}

/**
 * A real-time clock (speed 1) so nothing boots by itself while a test looks: VM lifecycles move
 * only when a test advances virtual time. Operations take 0.1 s.
 */
export async function startMigWorld(options: EmulatorOptions = {}): Promise<MigWorld> {
  const emu = await startEmulator({
    clockSpeed: 1,
    timings: { operationPendingMs: 50, operationRunningMs: 50, vmBootMs: BOOT_MS, vmWarmupMs: WARMUP_MS },
    ...options,
  });
  const gcp = new GcpClients({ projectId: P, emulator: emu.restUrl, pubsubHost: emu.pubsubHost });
  return { emu, gcp };
}

export async function stopMigWorld(w: MigWorld): Promise<void> {
  await w.gcp.close();
  await w.emu.stop();
}

/** Moves virtual time forward and runs the simulation. */
export function advance(w: MigWorld, ms: number): void {
  w.emu.ctx.clock.advance(ms);
  w.emu.tick();
}

interface OpLike {
  name?: string | null;
  status?: unknown;
  region?: string | null;
  error?: unknown;
}

/** Waits on `regionOperations.wait` / `globalOperations.wait` until DONE; asserts no error. */
export async function done(w: MigWorld, result: [unknown, ...unknown[]]): Promise<OpLike> {
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

/** The decoded error of a rejected client call: `code` is the HTTP status, `message` the raw JSON body. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: number; message: string };
  }
  throw new Error('expected the call to fail');
}

let counter = 0;
export const uniq = (prefix: string): string => `${prefix}-${++counter}-${randomUUID().slice(0, 6)}`;

/** An L4 GPU instance template through the official client. */
export async function gpuTemplate(w: MigWorld, name = uniq('tpl')): Promise<string> {
  await done(
    w,
    await w.gcp.compute.instanceTemplates.insert({
      project: P,
      instanceTemplateResource: {
        name,
        properties: {
          machineType: 'g2-standard-8',
          guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 1 }],
          scheduling: { onHostMaintenance: 'TERMINATE' },
        },
      },
    }),
  );
  return `${BASE}projects/${P}/global/instanceTemplates/${name}`;
}

export interface MigOptions {
  name?: string;
  targetSize?: number;
  zones?: string[];
  targetShape?: 'EVEN' | 'BALANCED' | 'ANY' | 'ANY_SINGLE_ZONE';
  template?: string;
  autoHealing?: { healthCheck: string; initialDelaySec: number };
}

/** A regional MIG through the official client; returns its name. */
export async function createMig(w: MigWorld, o: MigOptions = {}): Promise<string> {
  const name = o.name ?? uniq('mig');
  const template = o.template ?? (await gpuTemplate(w));
  const shape = o.targetShape ?? 'EVEN';
  await done(
    w,
    await w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: R,
      instanceGroupManagerResource: {
        name,
        baseInstanceName: name.slice(0, 40),
        instanceTemplate: template,
        targetSize: o.targetSize ?? 0,
        namedPorts: [{ name: 'http', port: 8080 }],
        distributionPolicy: {
          targetShape: shape,
          ...(o.zones ? { zones: o.zones.map((z) => ({ zone: `${BASE}projects/${P}/zones/${z}` })) } : {}),
        },
        ...(shape === 'EVEN' ? {} : { updatePolicy: { instanceRedistributionType: 'NONE' } }),
        ...(o.autoHealing ? { autoHealingPolicies: [o.autoHealing] } : {}),
      },
    }),
  );
  return name;
}

export interface ManagedInstanceView {
  instance?: string | null;
  instanceStatus?: string | null;
  currentAction?: string | null;
  id?: string | number | null;
  lastAttempt?: { errors?: { errors?: Array<{ code?: string | null; message?: string | null }> | null } | null } | null;
}

export async function managed(w: MigWorld, mig: string): Promise<ManagedInstanceView[]> {
  const [items] = await w.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  return items as ManagedInstanceView[];
}

export interface MigErrorView {
  timestamp?: string | null;
  instanceActionDetails?: { instance?: string | null; action?: string | null } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

export async function errors(w: MigWorld, mig: string): Promise<MigErrorView[]> {
  const [items] = await w.gcp.compute.regionInstanceGroupManagers.listErrors({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  return items as MigErrorView[];
}

export const zoneOf = (instanceUrl: string | null | undefined): string =>
  String(instanceUrl).split('/zones/')[1]?.split('/')[0] ?? '';

/** A control-API call to the emulator. */
export async function control<T = unknown>(w: MigWorld, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(w.emu.restUrl + path, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
