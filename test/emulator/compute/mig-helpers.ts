import type { Twin } from '../../helpers/twin';

/** Helpers for managed instance groups through the official clients, on a `startTwin({ timings: 'mig' })` twin. */
export const P = 'p1'; // the twin's default project
export const R = 'us-central1';
export const BASE = 'https://www.googleapis.com/compute/v1/';
/** The `mig` preset's VM boot and warm-up (virtual ms). */
export const BOOT_MS = 60_000;
export const WARMUP_MS = 30_000;
/**
 * Google's default health check probes every 5 s and needs 2 good probes (healthy) or 2 failed ones,
 * each failing after its 5 s timeout (unhealthy): https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks.
 */
export const PROBE_MS = 5_000;
/** From serving to HEALTHY: the second good probe. */
export const TO_HEALTHY_MS = 2 * PROBE_MS;

/** An L4 GPU instance template through the official client. */
export async function gpuTemplate(w: Twin, name = w.uniq('tpl')): Promise<string> {
  await w.done(
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
export async function createMig(w: Twin, o: MigOptions = {}): Promise<string> {
  const name = o.name ?? w.uniq('mig');
  const template = o.template ?? (await gpuTemplate(w));
  const shape = o.targetShape ?? 'EVEN';
  await w.done(
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

export async function managed(w: Twin, mig: string): Promise<ManagedInstanceView[]> {
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

export async function errors(w: Twin, mig: string): Promise<MigErrorView[]> {
  const [items] = await w.gcp.compute.regionInstanceGroupManagers.listErrors({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  return items as MigErrorView[];
}

export const zoneOf = (instanceUrl: string | null | undefined): string =>
  String(instanceUrl).split('/zones/')[1]?.split('/')[0] ?? '';
