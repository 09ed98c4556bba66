import type { PubsubBroker } from '../core/broker';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';

/** Placeholder: Pub/Sub over gRPC. */
export class PubsubService implements EmulatorService, PubsubBroker {
  readonly name = 'pubsub';
  constructor(readonly ctx: EmulatorContext) {}
  register(_router: Router): void {}
  /** Starts the gRPC server; resolves to `127.0.0.1:<port>`. */
  async listen(_port: number): Promise<string> {
    return '127.0.0.1:0';
  }
  publish(_topic: string, _data: Buffer, _attributes?: Record<string, string>): string {
    throw new Error('not implemented');
  }
  async close(): Promise<void> {}
}
