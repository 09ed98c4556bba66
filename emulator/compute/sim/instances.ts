import { acceleratorZones } from '../../../shared/config/gpu-catalog';
import type { Router } from '../../core/router';
import type { ComputeService } from '../index';
import { canonicalPath, selfLink } from '../links';
import type { ComputeResource, ComputeState, InstanceAction, SimInstance } from '../state';
import { acceleratorsOf, quotaMetric } from './accelerators';
import { AutoscalerEvaluator } from './autoscaling';
import { registerSimControl } from './control';
import { type HealthState, type ProbeVerdict, probe, probeSettings } from './health-probes';
import {
  autoHealing,
  canonicalPathOrEmpty,
  keyOf,
  MIG_KIND,
  pathOf,
  projectOf,
  regionOf,
  shapeOf,
  templateOf,
  zonesOf,
} from './mig-util';

/** A failed creation is retried this long (virtual ms) after the failure, as a MIG keeps retrying. */
export const RETRY_MS = 30_000;
/** BALANCED/ANY placement avoids a zone for this long after a creation there failed. */
export const AVOID_MS = 5 * 60_000;
/** A killed VM is noticed and recreated by its MIG after this long. */
export const REPAIR_DELAY_MS = 10_000;
/** A deleted VM stays STOPPING for at most this long. */
export const DELETE_MAX_MS = 10_000;
/**
 * Default `autoHealingPolicies[].initialDelaySec`: "The value of initial delay must be between 0 and
 * 3600 seconds. The default value is 0."
 * (https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers).
 */
export const DEFAULT_INITIAL_DELAY_SEC = 0;
/** The project-wide GPU quota metric, and the key it is stored under in `gpuQuota`. */
export const GPUS_ALL_REGIONS = 'GPUS_ALL_REGIONS';
export const GLOBAL_QUOTA = 'global';
/** listErrors keeps this many entries in all (oldest dropped). */
const MAX_ERRORS = 5_000;

export type InstanceStatus = 'PROVISIONING' | 'STAGING' | 'RUNNING' | 'STOPPING' | 'TERMINATED';
export type { HealthState };

/**
 * The VMs of regional managed instance groups: each tick every MIG converges on its target size
 * across its zones (creating, retrying failed creations, deleting extras, recreating dead VMs),
 * stockouts and GPU quota make creations fail as Google reports them, and autoscalers drive the
 * target sizes. Health per VM feeds backend services' getHealth.
 */
export class InstanceSimulation {
  readonly autoscalers: AutoscalerEvaluator;

  constructor(readonly compute: ComputeService) {
    this.autoscalers = new AutoscalerEvaluator(this);
  }

  get state(): ComputeState {
    return this.compute.state;
  }

  now(): number {
    return this.compute.ctx.clock.now();
  }

  registerControl(router: Router): void {
    registerSimControl(this, router);
  }

  tick(now: number): void {
    const migs = Object.values(this.state.resources).filter((r) => r.kind === MIG_KIND);
    this.autoscalers.evaluate(now);
    for (const mig of migs) this.converge(mig, now);
    const autoscaled = this.autoscalers.byTarget();
    for (const mig of migs) this.refresh(mig, autoscaled.get(pathOf(mig)));
  }

  /** Per-instance health of the MIG behind an instance group (`projects/p/regions/r/instanceGroups/x`). */
  groupHealth(
    instanceGroupPath: string,
  ): Array<{ instance: string; ipAddress: string; healthState: 'HEALTHY' | 'UNHEALTHY' }> {
    const now = this.now();
    const migPath = instanceGroupPath.replace('/instanceGroups/', '/instanceGroupManagers/');
    return this.instancesOf(migPath)
      .filter((i) => i.provisioned)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => ({ instance: this.instanceUrl(i), ipAddress: i.ip, healthState: this.healthOf(i, now) }));
  }

  /** Replicas wanted by utilization for a MIG (`undefined` clears it). */
  setDemand(migPath: string, replicas: number | undefined): void {
    if (replicas === undefined) delete this.state.demand[migPath];
    else this.state.demand[migPath] = replicas;
    this.autoscalers.markDirty();
  }

  instancesOf(migPath: string): SimInstance[] {
    return Object.values(this.state.instances).filter((i) => i.mig === migPath);
  }

  instanceUrl(i: SimInstance): string {
    return selfLink(`projects/${projectOf(i.mig)}/zones/${i.zone}/instances/${i.name}`);
  }

  statusOf(i: SimInstance, now: number): InstanceStatus | undefined {
    if (!i.provisioned) return undefined;
    if (i.terminatedAt !== undefined) return 'TERMINATED';
    if (i.action === 'DELETING') return 'STOPPING';
    const boot = this.compute.ctx.timings.vmBootMs;
    if (now < i.createdAt + boot / 2) return 'PROVISIONING';
    if (now < i.runningAt) return 'STAGING';
    return 'RUNNING';
  }

  /** Health as backend services report it: HEALTHY once the health check says so. */
  healthOf(i: SimInstance, now: number): HealthState {
    return this.verdictOf(i, now) === 'HEALTHY' ? 'HEALTHY' : 'UNHEALTHY';
  }

  /** The health check's verdict (probes on the resource's interval and thresholds); UNKNOWN before one. */
  verdictOf(i: SimInstance, now: number): ProbeVerdict {
    if (this.statusOf(i, now) !== 'RUNNING') return 'UNHEALTHY';
    return probe(i, probeSettings(this.state, i.mig), now);
  }

  /** Forces (or clears) a VM's health: its server answers probes or not from now on. */
  forceHealth(i: SimInstance, health: HealthState | undefined, now: number): void {
    this.healthOf(i, now); // probes up to now judge the old behaviour
    i.healthOverride = health;
  }

  /** `listManagedInstances` entries of a MIG. */
  managedInstances(mig: ComputeResource, now: number): Array<Record<string, unknown>> {
    const healing = autoHealing(mig);
    const healthCheck = typeof healing?.healthCheck === 'string' ? healing.healthCheck : undefined;
    return this.instancesOf(pathOf(mig))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => {
        const out: Record<string, unknown> = { instance: this.instanceUrl(i), name: i.name };
        if (i.provisioned) out.id = i.id;
        const status = this.statusOf(i, now);
        if (status) out.instanceStatus = status;
        out.currentAction = i.action;
        out.version = { instanceTemplate: selfLink(i.template) };
        if (i.lastError) out.lastAttempt = { errors: { errors: [{ ...i.lastError }] } };
        if (healthCheck && i.provisioned) {
          out.instanceHealth = [
            {
              healthCheck: selfLink(canonicalPath(healthCheck, projectOf(i.mig), 'healthCheck')),
              detailedHealthState: this.verdictOf(i, now),
            },
          ];
        }
        return out;
      });
  }

  /** `listErrors` entries of a MIG, oldest first. */
  errors(migPath: string): Array<Record<string, unknown>> {
    return this.state.migErrors
      .filter((e) => e.mig === migPath)
      .map((e) => ({
        timestamp: new Date(e.timestamp).toISOString(),
        instanceActionDetails: {
          instance: selfLink(`projects/${projectOf(migPath)}/zones/${e.zone}/instances/${e.instance}`),
          action: e.action,
          version: { instanceTemplate: selfLink(this.state.instances[keyOf(migPath, e.instance)]?.template ?? '') },
        },
        error: { code: e.code, message: e.message },
      }));
  }

  /** Kills running VMs (they go TERMINATED and their MIG recreates them). Returns their names. */
  kill(instances: SimInstance[], now: number): string[] {
    const killed: string[] = [];
    for (const i of instances) {
      if (!i.provisioned || i.terminatedAt !== undefined || i.action === 'DELETING') continue;
      i.terminatedAt = now;
      i.action = 'RECREATING';
      i.repairAt = now + REPAIR_DELAY_MS;
      killed.push(i.name);
    }
    return killed;
  }

  /** Drops everything a deleted MIG owned. */
  forgetMig(migPath: string): void {
    for (const [key, i] of Object.entries(this.state.instances))
      if (i.mig === migPath) delete this.state.instances[key];
    this.state.migErrors = this.state.migErrors.filter((e) => e.mig !== migPath);
    delete this.state.demand[migPath];
    delete this.state.zoneAvoid[migPath];
  }

  /** One convergence step of a MIG toward its target size. */
  private converge(mig: ComputeResource, now: number): void {
    const migPath = pathOf(mig);
    const instances = this.instancesOf(migPath);
    const healing = autoHealing(mig);
    for (const i of instances) {
      if (i.action === 'DELETING' && now >= (i.goneAt ?? now)) {
        delete this.state.instances[keyOf(migPath, i.name)];
        continue;
      }
      if (
        healing &&
        (i.action === 'NONE' || i.action === 'VERIFYING') &&
        this.statusOf(i, now) === 'RUNNING' &&
        now >= i.runningAt + Number(healing.initialDelaySec ?? DEFAULT_INITIAL_DELAY_SEC) * 1000 &&
        this.verdictOf(i, now) === 'UNHEALTHY'
      ) {
        // Autohealing: after the initial delay, a VM its health check judges UNHEALTHY is recreated.
        i.terminatedAt = now;
        i.action = 'RECREATING';
        i.repairAt = now;
      }
      if (i.terminatedAt !== undefined && i.repairAt !== undefined && now >= i.repairAt) {
        i.repairAt = undefined;
        if (!this.attempt(i, now)) i.retryAt = now + RETRY_MS;
      } else if (!i.provisioned && i.retryAt !== undefined && now >= i.retryAt) {
        this.place(i, mig, now);
      }
      if (i.provisioned && i.terminatedAt === undefined && i.action !== 'DELETING' && i.action !== 'NONE') {
        // Once RUNNING, a MIG with an autohealing health check verifies the VM: "waiting until [that]
        // health check reports HEALTHY" (ManagedInstance.currentAction VERIFYING,
        // https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/listManagedInstances).
        if (now >= i.runningAt) i.action = healing && this.healthOf(i, now) !== 'HEALTHY' ? 'VERIFYING' : 'NONE';
      }
    }

    const live = this.instancesOf(migPath).filter((i) => i.action !== 'DELETING');
    const target = Math.max(0, Number(mig.targetSize ?? 0));
    for (let n = live.length; n < target; n++) {
      const i = this.newInstance(mig, now);
      if (!i) break;
      this.place(i, mig, now);
    }
    for (let n = live.length; n > target; n--) this.deleteOne(mig, now);
  }

  private newInstance(mig: ComputeResource, now: number): SimInstance | undefined {
    const migPath = pathOf(mig);
    const template = templateOf(mig);
    if (!template) return undefined;
    const base = String(mig.baseInstanceName ?? mig.name);
    let name: string;
    do {
      let suffix = '';
      for (let k = 0; k < 4; k++) suffix += SUFFIX_CHARS[Math.floor(this.compute.ctx.random() * SUFFIX_CHARS.length)];
      name = `${base}-${suffix}`;
    } while (this.state.instances[keyOf(migPath, name)]);
    const zone = this.pickZone(mig, now, new Set()) ?? zonesOf(mig)[0] ?? '';
    const i: SimInstance = {
      name,
      zone,
      mig: migPath,
      template,
      ip: '',
      id: '',
      action: 'CREATING',
      provisioned: false,
      createdAt: now,
      runningAt: now,
      servingAt: now,
    };
    this.state.instances[keyOf(migPath, name)] = i;
    return i;
  }

  /**
   * Tries to create a VM that does not exist yet. EVEN keeps trying its zone; the other shapes
   * move a failed creation to another zone that has not failed recently.
   */
  private place(i: SimInstance, mig: ComputeResource, now: number): void {
    const shape = shapeOf(mig);
    const tried = new Set<string>();
    for (;;) {
      if (this.attempt(i, now)) return;
      // Quota is regional: another zone would fail the same way.
      if (shape === 'EVEN' || i.action === 'RECREATING' || i.lastError?.code === 'QUOTA_EXCEEDED') break;
      const avoid = this.state.zoneAvoid[i.mig] ?? {};
      this.state.zoneAvoid[i.mig] = avoid;
      avoid[i.zone] = now + AVOID_MS;
      tried.add(i.zone);
      const next = this.pickZone(mig, now, tried, i);
      if (!next) break;
      i.zone = next;
    }
    i.retryAt = now + RETRY_MS;
  }

  /** One creation attempt of `i` in its zone. Records the error in listErrors when it fails. */
  private attempt(i: SimInstance, now: number): boolean {
    const failure = this.creationFailure(i);
    if (failure) {
      i.lastError = failure;
      i.provisioned = false;
      i.terminatedAt = undefined;
      this.state.migErrors.push({
        mig: i.mig,
        timestamp: now,
        instance: i.name,
        zone: i.zone,
        action: i.action === 'RECREATING' ? 'RECREATING' : 'CREATING',
        ...failure,
      });
      if (this.state.migErrors.length > MAX_ERRORS)
        this.state.migErrors.splice(0, this.state.migErrors.length - MAX_ERRORS);
      return false;
    }
    const { vmBootMs, gpuDriverMs, vmWarmupMs } = this.compute.ctx.timings;
    const gpus = acceleratorsOf(this.state.resources[i.template]).length > 0;
    i.provisioned = true;
    i.terminatedAt = undefined;
    i.retryAt = undefined;
    i.lastError = undefined;
    i.createdAt = now;
    i.runningAt = now + vmBootMs;
    // A GPU VM installs its driver before the model server can start (timings.ts).
    i.servingAt = i.runningAt + (gpus ? gpuDriverMs : 0) + vmWarmupMs;
    i.probe = undefined;
    if (!i.id) i.id = String(this.state.nextId++);
    if (!i.ip) {
      const n = this.state.nextId++;
      i.ip = `10.${128 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
    }
    return true;
  }

  /** Why a VM of `i`'s template cannot be created in `i.zone` now (a zone without its GPUs, quota, stock). */
  private creationFailure(i: SimInstance): { code: string; message: string } | undefined {
    const accelerators = acceleratorsOf(this.state.resources[i.template]);
    const project = projectOf(i.mig);
    const region = regionOf(i.mig);
    for (const acc of accelerators) {
      // GPUs exist only in some zones (shared/config/gpu-catalog.ts ACCELERATOR_ZONES; a region the table
      // does not know counts as lacking them). Google's answer for a missing accelerator or machine type
      // is "The resource 'projects/p/zones/z/acceleratorTypes/t' was not found"
      // (https://github.com/fastai/course-v3/pull/430, https://github.com/hashicorp/terraform-provider-google/issues/5860);
      // the listErrors code RESOURCE_NOT_FOUND is ours (Compute's operation error code for it, not seen for this case).
      if (acceleratorZones(acc.type, region)?.includes(i.zone)) continue;
      const missing = acc.machineType ? `machineTypes/${acc.machineType}` : `acceleratorTypes/${acc.type}`;
      return {
        code: 'RESOURCE_NOT_FOUND',
        message: `The resource 'projects/${project}/zones/${i.zone}/${missing}' was not found`,
      };
    }
    const exceeded = (metric: string, limit: number, where: string) => ({
      code: 'QUOTA_EXCEEDED',
      // Compute's quota wording, two spaces after the period: "Quota 'N2_CPUS' exceeded.  Limit: 8.0 in
      // region northamerica-northeast1." (https://github.com/GoogleCloudPlatform/pubsec-declarative-toolkit/issues/625),
      // "Quota 'GPUS_ALL_REGIONS' exceeded.  Limit: 0.0 globally." (observed API output).
      message: `Instance '${i.name}' creation failed: Quota '${metric}' exceeded.  Limit: ${limit.toFixed(1)} ${where}.`,
    });
    const gpusOf = (other: SimInstance, type?: string): number =>
      acceleratorsOf(this.state.resources[other.template])
        .filter((a) => !type || a.type === type)
        .reduce((n, a) => n + a.count, 0);
    const holding = Object.values(this.state.instances).filter(
      (o) => o !== i && o.provisioned && o.terminatedAt === undefined && projectOf(o.mig) === project,
    );
    // Per region and accelerator type (NVIDIA_L4_GPUS, …): https://cloud.google.com/compute/resource-usage.
    const limits = this.state.gpuQuota[`${project}/${region}`] ?? {};
    for (const acc of accelerators) {
      const metric = quotaMetric(acc.type);
      const limit = limits[metric];
      if (limit === undefined) continue;
      const used = holding.filter((o) => regionOf(o.mig) === region).reduce((n, o) => n + gpusOf(o, acc.type), 0);
      if (used + acc.count > limit) return exceeded(metric, limit, `in region ${region}`);
    }
    // All GPUs of the project in every region (GPUS_ALL_REGIONS).
    const global = this.state.gpuQuota[`${project}/${GLOBAL_QUOTA}`]?.[GPUS_ALL_REGIONS];
    const wanted = accelerators.reduce((n, a) => n + a.count, 0);
    if (global !== undefined && wanted > 0) {
      const used = holding.reduce((n, o) => n + gpusOf(o), 0);
      if (used + wanted > global) return exceeded(GPUS_ALL_REGIONS, global, 'globally');
    }
    const zonePath = `projects/${project}/zones/${i.zone}`;
    for (const s of this.state.stockouts) {
      if (s.zone !== i.zone) continue;
      if (!s.acceleratorType) {
        return {
          code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
          message: `The zone '${zonePath}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
        };
      }
      if (accelerators.some((a) => a.type === s.acceleratorType)) {
        return {
          code: 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS',
          message: `The zone '${zonePath}' does not have enough resources available to fulfill the request.  '(resource type:compute)'.`,
        };
      }
    }
    return undefined;
  }

  /** The zone for a new (or moved) instance according to the MIG's target shape. */
  private pickZone(mig: ComputeResource, now: number, exclude: Set<string>, moving?: SimInstance): string | undefined {
    const zones = zonesOf(mig).filter((z) => !exclude.has(z));
    if (zones.length === 0) return undefined;
    const counts = new Map(zones.map((z) => [z, 0]));
    const live = this.instancesOf(pathOf(mig)).filter((i) => i.action !== 'DELETING' && i !== moving);
    for (const i of live) if (counts.has(i.zone)) counts.set(i.zone, (counts.get(i.zone) ?? 0) + 1);
    const fewest = (candidates: string[]): string | undefined =>
      candidates.reduce<string | undefined>(
        (best, z) => (best === undefined || (counts.get(z) ?? 0) < (counts.get(best) ?? 0) ? z : best),
        undefined,
      );
    const shape = shapeOf(mig);
    if (shape === 'EVEN') return fewest(zones);
    const avoid = this.state.zoneAvoid[pathOf(mig)] ?? {};
    const open = zones.filter((z) => (avoid[z] ?? 0) <= now);
    if (shape === 'ANY_SINGLE_ZONE') {
      const used = live.find((i) => i.provisioned && counts.has(i.zone))?.zone;
      if (used) return used;
      return open[0] ?? (moving ? undefined : zones[0]);
    }
    // A moved creation only goes to zones not known to fail; a new one falls back to any zone.
    return fewest(open) ?? (moving ? undefined : fewest(zones));
  }

  /** Scale-in: VMs that do not exist or are not running go first, then the fullest zone, newest first. */
  private deleteOne(mig: ComputeResource, now: number): void {
    const live = this.instancesOf(pathOf(mig)).filter((i) => i.action !== 'DELETING');
    const counts = new Map<string, number>();
    for (const i of live) counts.set(i.zone, (counts.get(i.zone) ?? 0) + 1);
    const rank = (i: SimInstance): number => (!i.provisioned ? 0 : i.terminatedAt !== undefined ? 1 : 2);
    const victim = live.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (counts.get(b.zone) ?? 0) - (counts.get(a.zone) ?? 0) ||
        b.createdAt - a.createdAt ||
        b.name.localeCompare(a.name),
    )[0];
    if (!victim) return;
    if (!victim.provisioned) {
      delete this.state.instances[keyOf(victim.mig, victim.name)];
      return;
    }
    victim.action = 'DELETING';
    victim.repairAt = undefined;
    victim.goneAt = now + Math.min(DELETE_MAX_MS, this.compute.ctx.timings.vmBootMs);
  }

  /** Server-computed fields of the MIG and its instance group. */
  private refresh(mig: ComputeResource, autoscaler: string | undefined): void {
    const instances = this.instancesOf(pathOf(mig));
    const count = (a: InstanceAction): number => instances.filter((i) => i.action === a).length;
    mig.currentActions = {
      abandoning: 0,
      creating: count('CREATING'),
      creatingWithoutRetries: 0,
      deleting: count('DELETING'),
      none: count('NONE'),
      recreating: count('RECREATING'),
      refreshing: 0,
      restarting: 0,
      resuming: 0,
      starting: 0,
      stopping: 0,
      suspending: 0,
      verifying: count('VERIFYING'),
    };
    const stable = instances.length === Number(mig.targetSize ?? 0) && instances.every((i) => i.action === 'NONE');
    const status: Record<string, unknown> = {
      isStable: stable,
      versionTarget: { isReached: true },
      stateful: { hasStatefulConfig: false, perInstanceConfigs: { allEffective: true } },
    };
    if (autoscaler) status.autoscaler = autoscaler;
    mig.status = status;
    const group =
      typeof mig.instanceGroup === 'string' ? this.state.resources[canonicalPathOrEmpty(mig.instanceGroup)] : undefined;
    if (group) group.size = instances.filter((i) => i.provisioned).length;
  }
}

const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
