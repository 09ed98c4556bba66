import type { Router } from '../../core/router';
import type { ComputeService } from '../index';

/** Placeholder: VM lifecycle, stockouts and health of MIG instances. */
export class InstanceSimulation {
  constructor(readonly compute: ComputeService) {}
  registerControl(_router: Router): void {}
  tick(_now: number): void {}
}
