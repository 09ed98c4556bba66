import { reconcile } from '../../../shared/reconcile/reconcile';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

/**
 * docs/PLANNER.md rule 11 on the twin: a region coming up is warming until it first serves, even once
 * its MIG reports a VM up (RUNNING, no current action) that its load balancer does not count yet. On
 * Google the MIG judges a VM with its autohealing check and the region's load balancer with its own,
 * probed apart and read apart (listManagedInstances, getHealth), so the MIG's view can run ahead of the
 * load balancer's; a MIG without autohealing runs ahead by the whole model load. Before the fix the
 * region was drained there ("0/1 backends healthy"), a few minutes into its start-up
 * (test/google-clock/startup.test.ts under CPU load).
 */
const config = testConfig();
let w: World;
let n = 0;
const tick = () => reconcile(w.deps, config, { kind: 'tick', eventId: `tick-${++n}` });

beforeEach(async () => {
  // `stack` timings: a VM is RUNNING 60 s after creation and serves (health check) 30 s later.
  w = await startWorld(config, { boot: false });
});
afterEach(() => w.close());

async function scalerOf(region: string): Promise<number | undefined> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return bs.backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler ?? undefined;
}

test('a starting region whose MIG reports its VM up before its load balancer counts it is held, not drained', async () => {
  const at = { project: config.project, region: 'us-east4', instanceGroupManager: 'georoute-mig-us-east4' };
  // The MIG's view runs ahead of the load balancer's: here for the whole model load (no autohealing,
  // so no VERIFYING: the VM has no current action once RUNNING).
  // (A raw PATCH: the client library drops an empty list from the body.)
  const [mig] = await w.gcp.compute.regionInstanceGroupManagers.get(at);
  const patched = await fetch(
    `${w.emu.restUrl}/compute/v1/projects/${at.project}/regions/${at.region}/instanceGroupManagers/${at.instanceGroupManager}`,
    {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ autoHealingPolicies: [], fingerprint: mig.fingerprint }),
    },
  );
  expect(patched.status).toBe(200);
  w.advance(1_000); // the operation is done

  const first = await tick();
  expect(first.errors).toEqual([]);
  expect(first.plan.regions['us-east4']?.reasons).toContain('warming');

  w.advance(70_000); // booted, model still loading
  const [vms] = await w.gcp.compute.regionInstanceGroupManagers.listManagedInstances(at);
  expect(vms.map((v) => [v.instanceStatus, v.currentAction])).toEqual(vms.map(() => ['RUNNING', 'NONE']));
  const [health] = await w.gcp.compute.regionBackendServices.getHealth({
    project: config.project,
    region: 'us-east4',
    backendService: 'georoute-be-us-east4',
    resourceGroupReferenceResource: {
      group: `projects/${config.project}/regions/us-east4/instanceGroups/georoute-mig-us-east4`,
    },
  });
  expect((health.healthStatus ?? []).filter((s) => s.healthState === 'HEALTHY')).toEqual([]);

  const booted = await tick();
  expect(booted.errors).toEqual([]);
  expect(booted.reasons.filter((r) => r.code === 'drain-unhealthy')).toEqual([]);
  expect(booted.plan.regions['us-east4']?.reasons).toContain('warming');
  expect(await scalerOf('us-east4')).toBe(1);

  w.advance(60_000); // serving, and seen by the load balancer's health check
  const serving = await tick();
  expect(serving.errors).toEqual([]);
  expect(serving.plan.regions['us-east4']?.state).toBe('serving');
  expect(await scalerOf('us-east4')).toBe(1);
});
