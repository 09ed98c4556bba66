import { ApiError, invalid, notFound } from '../core/api-error';
import { sleep } from '../core/http-server';
import type { Router } from '../core/router';
import type { EmulatorContext } from '../core/world';
import { listResponse, type Scope, scopePath, selfLink } from './links';
import type { ComputeState, OperationRecord } from './state';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `operations.wait` blocks at most this long in real time, then answers with the current status. */
const WAIT_REAL_CAP_MS = 5_000;

export interface NewOperation {
  project: string;
  scope: Scope;
  operationType: string;
  targetLink: string;
  targetId?: string;
  failure?: OperationRecord['failure'];
}

export class Operations {
  /** Operations a client is blocked on in `wait`, with how many waits each. */
  private readonly waited = new Map<OperationRecord, number>();

  constructor(
    private readonly state: () => ComputeState,
    private readonly ctx: EmulatorContext,
  ) {}

  /**
   * Validates a mutation's `requestId` and returns the operation it already produced, if any:
   * Google ignores a retried request whose requestId it has seen and answers with the same operation.
   */
  replay(project: string, requestId: string | null): Record<string, unknown> | undefined {
    if (requestId === null || requestId === '') return undefined;
    if (!UUID_RE.test(requestId) || /^[0-]+$/.test(requestId)) {
      throw invalid(`Invalid value for field 'requestId': '${requestId}'. Must be a valid UUID.`, 'requestId');
    }
    const path = this.state().requestIds[`${project}/${requestId.toLowerCase()}`];
    const op = path ? this.state().operations[path] : undefined;
    return op ? this.view(op) : undefined;
  }

  /**
   * Refuses a mutation of `target` while an operation on it is not DONE, as Google does for a busy
   * resource: 400 `resourceNotReady`, "The resource '<path>' is not ready"
   * (https://github.com/kubernetes/ingress-gce/issues/396,
   * https://github.com/hashicorp/terraform-provider-google/issues/13033). Call it after the requestId
   * replay: a retried request answers its first operation, busy or not.
   */
  refuseIfBusy(target: { selfLink: string }): void {
    const now = this.ctx.clock.now();
    const ops = Object.values(this.state().operations);
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i] as OperationRecord;
      if (op.json.targetLink === target.selfLink && now < op.doneAt) {
        const path = target.selfLink.slice(selfLink('').length);
        throw new ApiError(400, `The resource '${path}' is not ready`, { reason: 'resourceNotReady' });
      }
    }
  }

  create(spec: NewOperation, requestId: string | null): Record<string, unknown> {
    const state = this.state();
    const now = this.ctx.clock.now();
    const name = `operation-${now}-${(state.nextId++).toString(16)}-${Math.floor(this.ctx.random() * 0xffffffff).toString(16)}`;
    const path = `${scopePath(spec.project, spec.scope)}/operations/${name}`;
    const json: Record<string, unknown> = {
      kind: 'compute#operation',
      id: String(state.nextId++),
      name,
      operationType: spec.operationType,
      targetLink: spec.targetLink,
      targetId: spec.targetId,
      user: 'georoute-emulator@example.iam.gserviceaccount.com',
      insertTime: new Date(now).toISOString(),
      selfLink: selfLink(path),
    };
    if (spec.scope.kind === 'region') json.region = selfLink(`projects/${spec.project}/regions/${spec.scope.region}`);
    if (spec.scope.kind === 'zone') json.zone = selfLink(`projects/${spec.project}/zones/${spec.scope.zone}`);
    const runningAt = now + this.ctx.timings.operationPendingMs;
    const record: OperationRecord = {
      path,
      json,
      insertAt: now,
      runningAt,
      doneAt: runningAt + this.ctx.timings.operationRunningMs,
      failure: spec.failure,
    };
    state.operations[path] = record;
    if (requestId) state.requestIds[`${spec.project}/${requestId.toLowerCase()}`] = path;
    return this.view(record);
  }

  /** The operation as Google shows it at the current virtual time. */
  view(op: OperationRecord): Record<string, unknown> {
    const now = this.ctx.clock.now();
    const status = now >= op.doneAt ? 'DONE' : now >= op.runningAt ? 'RUNNING' : 'PENDING';
    const out: Record<string, unknown> = { ...op.json, status };
    if (status !== 'PENDING') out.startTime = new Date(op.runningAt).toISOString();
    out.progress = status === 'DONE' ? 100 : status === 'RUNNING' ? 50 : 0;
    if (status === 'DONE') {
      out.endTime = new Date(op.doneAt).toISOString();
      if (op.failure) {
        out.error = { errors: op.failure.errors };
        out.httpErrorStatusCode = op.failure.httpStatus;
        out.httpErrorMessage = op.failure.httpStatus === 412 ? 'PRECONDITION FAILED' : 'BAD REQUEST';
      }
    }
    return out;
  }

  register(router: Router): void {
    for (const scope of ['global', 'regions/:region']) {
      const base = `/compute/v1/projects/:project/${scope}/operations`;
      router.get(`${base}/:operation`, 'compute', (req) => this.view(this.find(req.params)));
      router.get(base, 'compute', (req) => {
        const prefix = `${this.scopeOf(req.params)}/operations/`;
        const items = Object.values(this.state().operations)
          .filter((op) => op.path.startsWith(prefix))
          .map((op) => this.view(op));
        return listResponse('compute#operationList', prefix, items, req);
      });
      router.add('DELETE', `${base}/:operation`, { api: 'compute', write: true }, (req) => {
        const op = this.find(req.params);
        delete this.state().operations[op.path];
        return {};
      });
      router.add('POST', `${base}/:operation/wait`, { api: 'compute', write: false }, async (req) => {
        // Like Google: block until DONE or a deadline, and possibly return before DONE.
        const op = this.find(req.params);
        const deadline = Date.now() + WAIT_REAL_CAP_MS;
        this.waited.set(op, (this.waited.get(op) ?? 0) + 1);
        try {
          while (this.ctx.clock.now() < op.doneAt && Date.now() < deadline) {
            await sleep(Math.min(50, Math.max(1, this.ctx.clock.realDelayUntil(op.doneAt))));
          }
        } finally {
          const n = (this.waited.get(op) ?? 1) - 1;
          if (n > 0) this.waited.set(op, n);
          else this.waited.delete(op);
        }
        return this.view(op);
      });
    }
  }

  /**
   * The earliest time an operation a client is blocked on (`wait`) is DONE, if any is not yet: what a
   * pacer may skip to while the client has nothing else to do (demo/pacer.ts `bootstrapClock`).
   */
  waitedUntil(now: number): number | undefined {
    let until: number | undefined;
    for (const op of this.waited.keys())
      if (op.doneAt > now && (until === undefined || op.doneAt < until)) until = op.doneAt;
    return until;
  }

  private scopeOf(params: Record<string, string>): string {
    const project = params.project as string;
    return params.region ? `projects/${project}/regions/${params.region}` : `projects/${project}/global`;
  }

  /**
   * By name or by numeric id: "Name of the Operations resource to return, or its unique numeric
   * identifier" (https://cloud.google.com/compute/docs/reference/rest/v1/regionOperations/get,
   * https://cloud.google.com/compute/docs/reference/rest/v1/globalOperations/wait).
   */
  private find(params: Record<string, string>): OperationRecord {
    const prefix = `${this.scopeOf(params)}/operations/`;
    const ops = this.state().operations;
    const op =
      ops[prefix + params.operation] ??
      (/^\d+$/.test(params.operation ?? '')
        ? Object.values(ops).find((o) => o.path.startsWith(prefix) && o.json.id === params.operation)
        : undefined);
    if (!op) throw notFound(prefix + params.operation);
    return op;
  }
}
