import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { ApiError } from '../core/api-error';
import type { EmulatorContext } from '../core/world';
import type { PubsubEngine } from './engine';
import { invalidArgument } from './errors';
import { unary } from './grpc-server';

/** Google's etag for a policy never written (bytes 0x00 0x20). */
const EMPTY_ETAG = Buffer.from('ACAB', 'base64');
const ROLE = /^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[A-Za-z0-9_.]+$/;
const MEMBER =
  /^(user|serviceAccount|group|domain|principal|principalSet|deleted:[a-zA-Z]+):.+$|^(allUsers|allAuthenticatedUsers)$/;

interface Binding {
  role: string;
  members: string[];
  condition?: unknown;
}
interface StoredPolicy {
  version: number;
  bindings: Binding[];
  seq: number;
}

/**
 * `google.iam.v1.IAMPolicy` on the Pub/Sub endpoint (what `topic.iam.getPolicy()` / `setPolicy()`
 * and the subscription equivalents call): per-resource policies with etag preconditions. Policies
 * are stored, validated and returned as Google does; they are NOT enforced on calls (see
 * docs/emulator/pubsub.md).
 */
export class PubsubIam {
  private readonly policies = new Map<string, StoredPolicy>();
  private seq = 0;

  constructor(private readonly engine: PubsubEngine) {}

  clear(): void {
    this.policies.clear();
  }

  /** The policy of a resource as the API answers it. */
  get(resource: unknown): { version: number; bindings: Binding[]; etag: Buffer } {
    const name = this.resolve(resource);
    const p = this.policies.get(name);
    if (!p) return { version: 0, bindings: [], etag: EMPTY_ETAG };
    return {
      version: p.version,
      bindings: p.bindings.map((b) => ({ ...b, members: [...b.members] })),
      etag: etagOf(p.seq),
    };
  }

  set(resource: unknown, policy: Record<string, unknown> | undefined): ReturnType<PubsubIam['get']> {
    const name = this.resolve(resource);
    if (!policy) throw invalidArgument('policy is required.');
    const current = this.policies.get(name);
    const etag = policy.etag as Buffer | string | undefined;
    const given = typeof etag === 'string' ? etag : etag && etag.length > 0 ? etag.toString('base64') : undefined;
    const now = current ? etagOf(current.seq).toString('base64') : EMPTY_ETAG.toString('base64');
    if (given !== undefined && given !== now) {
      throw ApiError.of(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    }
    const bindings = validate(policy.bindings);
    this.policies.set(name, { version: Number(policy.version) || 1, bindings, seq: ++this.seq });
    return this.get(name);
  }

  private resolve(resource: unknown): string {
    if (typeof resource !== 'string' || resource === '') throw invalidArgument('resource is required.');
    if (/^projects\/[^/]+\/topics\/[^/]+$/.test(resource)) this.engine.getTopic(resource);
    else if (/^projects\/[^/]+\/subscriptions\/[^/]+$/.test(resource)) this.engine.getSubscription(resource);
    else throw invalidArgument(`Invalid resource name given (name=${resource}).`);
    return resource;
  }
}

function etagOf(seq: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeUInt32BE(0x07070000, 0);
  buf.writeUInt32BE(seq, 4);
  return buf;
}

function validate(raw: unknown): Binding[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidArgument('bindings must be a list.');
  const out: Binding[] = [];
  raw.forEach((b: Record<string, unknown>, i) => {
    if (typeof b?.role !== 'string' || !ROLE.test(b.role)) throw invalidArgument(`Invalid role: ${String(b?.role)}.`);
    const members = Array.isArray(b.members) ? (b.members as unknown[]) : [];
    for (const m of members)
      if (typeof m !== 'string' || !MEMBER.test(m))
        throw invalidArgument(`Invalid member type for member ${String(m)} (bindings[${i}]).`);
    if (members.length === 0) return;
    const condition = b.condition ?? undefined;
    const same = out.find((x) => x.role === b.role && JSON.stringify(x.condition) === JSON.stringify(condition));
    if (same) {
      for (const m of members as string[]) if (!same.members.includes(m)) same.members.push(m);
    } else {
      out.push({ role: b.role, members: [...new Set(members as string[])], ...(condition ? { condition } : {}) });
    }
  });
  return out;
}

/** The gRPC implementation, logged and fault-injectable like the other Pub/Sub RPCs. */
export function iamPolicyImplementation(iam: PubsubIam, ctx: EmulatorContext): UntypedServiceImplementation {
  return {
    GetIamPolicy: unary(ctx, 'IAMPolicy/GetIamPolicy', false, (req) => iam.get(req.resource)),
    SetIamPolicy: unary(ctx, 'IAMPolicy/SetIamPolicy', true, (req) =>
      iam.set(req.resource, req.policy as Record<string, unknown> | undefined),
    ),
    TestIamPermissions: unary(ctx, 'IAMPolicy/TestIamPermissions', false, (req) => {
      iam.get(req.resource);
      // Not enforced: every permission asked about is granted (documented as not emulated).
      return { permissions: (req.permissions ?? []) as string[] };
    }),
  };
}
