import type { PubsubBroker } from '../core/broker';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';

/** Placeholder: Cloud Monitoring v3. */
export class MonitoringService implements EmulatorService {
  readonly name = 'monitoring';
  constructor(
    readonly ctx: EmulatorContext,
    readonly broker: PubsubBroker,
  ) {}
  register(_router: Router): void {}
}
