import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';

/** Placeholder: Cloud DNS v1. */
export class DnsService implements EmulatorService {
  readonly name = 'dns';
  constructor(readonly ctx: EmulatorContext) {}
  register(_router: Router): void {}
}
