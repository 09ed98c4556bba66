import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import { Collections } from './collection';
import { TimedOperations } from './operation-timing';
import type { Operations } from './operations';
import { registerAutoscalers } from './resources/autoscalers';
import { registerBackendServices } from './resources/backend-services';
import { registerAddressesAndRules } from './resources/forwarding-rules';
import { registerHealthChecks } from './resources/health-checks';
import { registerInstanceGroupManagers } from './resources/instance-group-managers';
import { registerInstanceTemplates } from './resources/instance-templates';
import { registerUrlMapsAndProxies } from './resources/url-maps-proxies';
import { registerVpc } from './resources/vpc';
import { InstanceSimulation } from './sim/instances';
import { type ComputeState, emptyComputeState } from './state';

/** Compute Engine v1 (REST), the subset georoute uses. */
export class ComputeService implements EmulatorService {
  readonly name = 'compute';
  state: ComputeState = emptyComputeState();
  readonly ops: Operations;
  readonly collections: Collections;
  readonly sim: InstanceSimulation;

  constructor(readonly ctx: EmulatorContext) {
    this.ops = new TimedOperations(() => this.state, ctx);
    this.collections = new Collections(ctx, () => this.state, this.ops);
    this.sim = new InstanceSimulation(this);
  }

  register(router: Router): void {
    this.ops.register(router);
    registerVpc(this, router);
    registerHealthChecks(this, router);
    registerInstanceTemplates(this, router);
    registerInstanceGroupManagers(this, router);
    registerAutoscalers(this, router);
    registerBackendServices(this, router);
    registerUrlMapsAndProxies(this, router);
    registerAddressesAndRules(this, router);
    this.sim.registerControl(router);
  }

  tick(now: number): void {
    this.sim.tick(now);
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = { ...emptyComputeState(), ...(state as Partial<ComputeState>) };
  }

  reset(): void {
    this.state = emptyComputeState();
  }
}
