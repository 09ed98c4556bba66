import { selfLink } from '../../../emulator/compute/links';
import type { Twin } from '../../helpers/twin';

/** Helpers for load-balancing resources through the official clients, on a `startTwin({ timings: 'lb' })` twin. */
export const P = 'p1'; // the twin's default project
export const R = 'us-central1';

/**
 * Test fixture: an instance group as the MIG helper creates it when a regional MIG is inserted
 * (`projects/p/regions/r/instanceGroups/name`), written straight into the emulator's state.
 */
export function addInstanceGroup(w: Twin, name: string, region = R): string {
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

export async function globalHealthCheck(w: Twin, name = w.uniq('hc')): Promise<string> {
  await w.done(
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name, type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz' } },
    }),
  );
  return `https://www.googleapis.com/compute/v1/projects/${P}/global/healthChecks/${name}`;
}

/** A global backend service over fresh groups (one per capacity scaler given). */
export async function backendService(
  w: Twin,
  scalers: number[] = [1],
  name = w.uniq('bs'),
): Promise<{ name: string; link: string; groups: string[]; hc: string }> {
  const hc = await globalHealthCheck(w);
  const groups = scalers.map((_, i) => addInstanceGroup(w, w.uniq(`ig${i}`), i % 2 === 0 ? R : 'europe-west4'));
  await w.done(
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
