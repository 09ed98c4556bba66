import * as grpc from '@grpc/grpc-js';
import type { PubsubBroker } from '../core/broker';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import { registerPubsubControl } from './control';
import { PubsubEngine } from './engine';
import { publisherImplementation, subscriberImplementation } from './grpc-server';
import { iamPolicyImplementation, PubsubIam } from './iam';
import { loadPubsubProtos } from './proto';
import { PushDeliverer } from './push';

/**
 * Pub/Sub over gRPC (what `PUBSUB_EMULATOR_HOST` points at): Publisher and Subscriber services as the
 * official client speaks them, push delivery as Eventarc delivers to functions, and the control
 * routes under `/__emulator/pubsub/`. See docs/emulator/pubsub.md.
 */
export class PubsubService implements EmulatorService, PubsubBroker {
  readonly name = 'pubsub';
  readonly engine: PubsubEngine;
  private readonly push: PushDeliverer;
  readonly iam: PubsubIam;
  private server?: grpc.Server;

  constructor(readonly ctx: EmulatorContext) {
    this.engine = new PubsubEngine(ctx);
    this.push = new PushDeliverer(this.engine, ctx);
    this.iam = new PubsubIam(this.engine);
  }

  register(router: Router): void {
    registerPubsubControl(router, this.engine, this.push);
  }

  /** Starts the gRPC server; resolves to `127.0.0.1:<port>`. */
  /** The gRPC methods served (`google.pubsub.v1.Publisher/CreateTopic`…). */
  rpcs(): string[] {
    const services = {
      'google.pubsub.v1.Publisher': publisherImplementation(this.engine, this.ctx),
      'google.pubsub.v1.Subscriber': subscriberImplementation(this.engine, this.ctx),
      'google.iam.v1.IAMPolicy': iamPolicyImplementation(this.iam, this.ctx),
    };
    return Object.entries(services).flatMap(([s, impl]) => Object.keys(impl).map((m) => `${s}/${m}`));
  }

  async listen(port: number): Promise<string> {
    const protos = loadPubsubProtos();
    // Above Google's 10 MB publish limit, so an oversized publish gets Google's INVALID_ARGUMENT.
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 32 * 1024 * 1024 });
    server.addService(protos.publisher, publisherImplementation(this.engine, this.ctx));
    server.addService(protos.subscriber, subscriberImplementation(this.engine, this.ctx));
    server.addService(protos.iamPolicy, iamPolicyImplementation(this.iam, this.ctx));
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    this.server = server;
    return `127.0.0.1:${bound}`;
  }

  /** For internal publishers (Monitoring notification channels): Publish without log or faults. */
  publish(topic: string, data: Buffer, attributes: Record<string, string> = {}): string {
    const [id] = this.engine.publish(topic, [{ data, attributes }]);
    return id as string;
  }

  tick(now: number): void {
    this.engine.tick(now);
  }

  /**
   * Whether push delivery owes work at `now`: a request waits for its endpoint, or a message on a push
   * subscription is deliverable (not leased, not backing off). The simulator skips time only when not.
   */
  pushBusy(now: number): boolean {
    if (this.push.inFlightCount > 0) return true;
    for (const sub of this.engine.subs.values()) {
      if (!sub.config.pushConfig.pushEndpoint) continue;
      if (sub.pending.some((p) => !p.lease && p.availableAt <= now)) return true;
    }
    return false;
  }

  snapshot(): unknown {
    return this.engine.snapshot();
  }

  restore(state: unknown): void {
    this.engine.restore(state);
  }

  reset(): void {
    this.engine.clear();
    this.iam.clear();
  }

  async close(): Promise<void> {
    this.push.close();
    const server = this.server;
    this.server = undefined;
    if (server) server.forceShutdown();
  }
}
