import { ApiError, alreadyExists, conditionNotMet, invalid, notFound } from '../core/api-error';
import { clone, isPlainObject, mergePatch } from '../core/merge-patch';
import type { ApiRequest, Handler, RouteOptions, Router } from '../core/router';
import type { EmulatorContext } from '../core/world';
import { canonicalPath, listResponse, NAME_RE, type Scope, scopePath, selfLink } from './links';
import type { Operations } from './operations';
import { computeHasMethod } from './schema';
import type { ComputeResource, ComputeState, OperationRecord } from './state';

/** What a resource kind's hooks can see and do. */
export interface KindContext {
  ctx: EmulatorContext;
  state: ComputeState;
  project: string;
  scope: Scope;
  /** Canonical path of a reference (throws 400 naming `field` if malformed). */
  resolve(ref: string, field: string): string;
  get(path: string): ComputeResource | undefined;
  /** Every resource whose path starts with `prefix`. */
  list(prefix: string): ComputeResource[];
  newId(): string;
}

/** A reference from one resource to another, checked to exist on write and blocking deletes. */
export interface Reference {
  field: string;
  link: string;
}

/**
 * One Compute collection (`global/backendServices`, `regions/{r}/autoscalers`…). The generic
 * handlers give every kind Google's common behaviour: names validated, 409 on duplicates, ids,
 * selfLinks and timestamps set by the server, references checked, deletes refused while another
 * resource uses it, fingerprints required and checked on update/patch (412 `conditionNotMet`),
 * JSON merge patch, `requestId` de-duplication, and an Operation for every mutation.
 */
export interface KindSpec {
  collection: string;
  scope: 'global' | 'region';
  kind: string;
  /** The resource carries a `fingerprint` that update/patch must echo. */
  fingerprint?: boolean;
  /**
   * Update/patch address the resource by this optional query parameter instead of the path
   * (regionAutoscalers); without it the body's `name` says which.
   */
  nameInQuery?: string;
  /**
   * A mutation (update, patch, delete, custom verbs) while an operation on the resource is not DONE is
   * refused with 400 `resourceNotReady` (Operations.refuseIfBusy): Google does so for backend services,
   * URL maps, MIGs and autoscalers (sources there).
   */
  busyWhileOperating?: boolean;
  /** Fields the server owns: ignored in requests and kept across updates. */
  serverFields?: string[];
  /** Fills defaults and server-computed fields before validation. */
  prepare?(resource: ComputeResource, kc: KindContext, previous?: ComputeResource): void;
  /** Throws an ApiError when Google would refuse the resource. */
  validate?(resource: ComputeResource, kc: KindContext, previous?: ComputeResource): void;
  refs?(resource: ComputeResource): Reference[];
  afterWrite?(resource: ComputeResource, kc: KindContext, previous?: ComputeResource): void;
  /** Throws an ApiError when Google would refuse to delete the resource (beyond "in use"). */
  beforeDelete?(resource: ComputeResource, kc: KindContext): void;
  afterDelete?(resource: ComputeResource, kc: KindContext): void;
}

const ALWAYS_SERVER = ['kind', 'id', 'selfLink', 'creationTimestamp', 'fingerprint', 'region', 'selfLinkWithId'];

export class Collections {
  readonly kinds: KindSpec[] = [];

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly state: () => ComputeState,
    private readonly ops: Operations,
  ) {}

  kindContext(project: string, scope: Scope): KindContext {
    const state = this.state();
    return {
      ctx: this.ctx,
      state,
      project,
      scope,
      resolve: (ref, field) => canonicalPath(ref, project, field),
      get: (path) => state.resources[path],
      list: (prefix) =>
        Object.entries(state.resources)
          .filter(([p]) => p.startsWith(prefix))
          .map(([, r]) => r),
      newId: () => String(state.nextId++),
    };
  }

  /** All references to `path` from other resources (for "resource in use" checks). */
  usersOf(path: string): Array<{ user: string; field: string }> {
    const users: Array<{ user: string; field: string }> = [];
    for (const [userPath, resource] of Object.entries(this.state().resources)) {
      const spec = this.kinds.find((k) => resource.kind === k.kind);
      if (!spec?.refs) continue;
      const project = userPath.split('/')[1] as string;
      for (const ref of spec.refs(resource)) {
        let target: string;
        try {
          target = canonicalPath(ref.link, project, ref.field);
        } catch {
          continue;
        }
        if (target === path) users.push({ user: userPath, field: ref.field });
      }
    }
    return users;
  }

  /**
   * Starts an operation for a mutation that has already been applied (or that fails: `failure`).
   * Shared with custom methods (resize, getHealth is read-only).
   */
  operation(
    req: ApiRequest,
    project: string,
    scope: Scope,
    operationType: string,
    target: ComputeResource | { selfLink: string; id?: string },
    failure?: OperationRecord['failure'],
  ): Record<string, unknown> {
    return this.ops.create(
      { project, scope, operationType, targetLink: target.selfLink, targetId: target.id, failure },
      req.query.get('requestId'),
    );
  }

  /** Registers the collection's methods, those Compute v1 has for it (compute/schema.ts). */
  define(target: Router, spec: KindSpec): void {
    this.kinds.push(spec);
    const router = {
      add: (method: string, pattern: string, options: RouteOptions, handler: Handler) => {
        if (computeHasMethod(method, pattern)) target.add(method, pattern, options, handler);
      },
      get: (pattern: string, api: 'compute', handler: Handler) => {
        if (computeHasMethod('GET', pattern)) target.get(pattern, api, handler);
      },
    };
    const scopeSegment = spec.scope === 'global' ? 'global' : 'regions/:region';
    const base = `/compute/v1/projects/:project/${scopeSegment}/${spec.collection}`;
    const item = `${base}/:name`;

    router.get(base, 'compute', (req) => {
      const { project, scope } = this.where(req);
      const prefix = `${scopePath(project, scope)}/${spec.collection}/`;
      const items = Object.entries(this.state().resources)
        .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map(([, r]) => clone(r));
      return listResponse(`${spec.kind}List`, prefix, items, req);
    });

    router.get(item, 'compute', (req) => clone(this.find(req, spec, req.params.name as string)));

    router.add('POST', base, { api: 'compute', write: true }, (req) => {
      const { project, scope } = this.where(req);
      const replay = this.ops.replay(project, req.query.get('requestId'));
      if (replay) return replay;
      const body = this.body(req);
      const name = body.name;
      if (typeof name !== 'string' || !NAME_RE.test(name)) {
        throw invalid(
          `Invalid value for field 'resource.name': '${String(name ?? '')}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
          'resource.name',
        );
      }
      const path = `${scopePath(project, scope)}/${spec.collection}/${name}`;
      if (this.state().resources[path]) throw alreadyExists(path);
      const kc = this.kindContext(project, scope);
      const resource = this.strip(body, spec) as ComputeResource;
      Object.assign(resource, {
        kind: spec.kind,
        id: kc.newId(),
        name,
        selfLink: selfLink(path),
        creationTimestamp: new Date(this.ctx.clock.now()).toISOString(),
      });
      if (scope.kind === 'region') resource.region = selfLink(`projects/${project}/regions/${scope.region}`);
      if (spec.fingerprint) resource.fingerprint = newFingerprint(this.ctx.random);
      this.commit(spec, kc, path, resource);
      return this.operation(req, project, scope, 'insert', resource);
    });

    const mutate = (method: 'PATCH' | 'PUT') => (req: ApiRequest) => {
      const { project, scope } = this.where(req);
      const replay = this.ops.replay(project, req.query.get('requestId'));
      if (replay) return replay;
      const body = this.body(req);
      // `autoscaler` is optional (https://cloud.google.com/compute/docs/reference/rest/v1/regionAutoscalers/patch):
      // without it the resource is the one the body names (Google's behaviour there is undocumented).
      const name = spec.nameInQuery ? (req.query.get(spec.nameInQuery) ?? body.name) : req.params.name;
      if (typeof name !== 'string' || name === '') {
        throw invalid("Required field 'resource.name' not specified", 'resource.name');
      }
      const previous = this.find(req, spec, name);
      if (spec.busyWhileOperating) this.ops.refuseIfBusy(previous);
      if (body.name !== undefined && body.name !== name) {
        throw invalid(
          `Invalid value for field 'resource.name': '${String(body.name)}'. Resource name cannot change.`,
          'resource.name',
        );
      }
      if (spec.fingerprint) checkFingerprint(body.fingerprint, previous.fingerprint as string);
      const stripped = this.strip(body, spec);
      const kept = Object.fromEntries(
        [...ALWAYS_SERVER, ...(spec.serverFields ?? []), 'name']
          .filter((f) => previous[f] !== undefined)
          .map((f) => [f, previous[f]]),
      );
      const next = (
        method === 'PATCH' ? { ...(mergePatch(previous, stripped) as object), ...kept } : { ...stripped, ...kept }
      ) as ComputeResource;
      if (spec.fingerprint) next.fingerprint = newFingerprint(this.ctx.random);
      const kc = this.kindContext(project, scope);
      this.commit(spec, kc, previous.selfLink.slice(selfLink('').length), next, previous);
      return this.operation(req, project, scope, method === 'PATCH' ? 'patch' : 'update', next);
    };
    router.add('PATCH', spec.nameInQuery ? base : item, { api: 'compute', write: true }, mutate('PATCH'));
    router.add('PUT', spec.nameInQuery ? base : item, { api: 'compute', write: true }, mutate('PUT'));

    router.add('DELETE', item, { api: 'compute', write: true }, (req) => {
      const { project, scope } = this.where(req);
      const replay = this.ops.replay(project, req.query.get('requestId'));
      if (replay) return replay;
      const resource = this.find(req, spec, req.params.name as string);
      if (spec.busyWhileOperating) this.ops.refuseIfBusy(resource);
      spec.beforeDelete?.(resource, this.kindContext(project, scope));
      const path = resource.selfLink.slice(selfLink('').length);
      const users = this.usersOf(path);
      if (users.length > 0) {
        throw new ApiError(
          400,
          `The ${spec.kind.replace('compute#', '')} resource '${path}' is already being used by '${users[0]!.user}'`,
          { reason: 'resourceInUseByAnotherResource' },
        );
      }
      delete this.state().resources[path];
      spec.afterDelete?.(resource, this.kindContext(project, scope));
      return this.operation(req, project, scope, 'delete', resource);
    });
  }

  /** Validates, checks references and stores. Nothing is stored if anything throws. */
  private commit(
    spec: KindSpec,
    kc: KindContext,
    path: string,
    resource: ComputeResource,
    previous?: ComputeResource,
  ): void {
    spec.prepare?.(resource, kc, previous);
    spec.validate?.(resource, kc, previous);
    for (const ref of spec.refs?.(resource) ?? []) {
      const target = kc.resolve(ref.link, ref.field);
      if (!kc.state.resources[target]) {
        throw new ApiError(404, `The resource '${target}' was not found`, { reason: 'notFound', location: ref.field });
      }
    }
    kc.state.resources[path] = resource;
    spec.afterWrite?.(resource, kc, previous);
  }

  where(req: ApiRequest): { project: string; scope: Scope } {
    const project = req.params.project as string;
    const scope: Scope = req.params.region ? { kind: 'region', region: req.params.region } : { kind: 'global' };
    return { project, scope };
  }

  find(req: ApiRequest, spec: KindSpec, name: string): ComputeResource {
    const { project, scope } = this.where(req);
    const path = `${scopePath(project, scope)}/${spec.collection}/${name}`;
    const resource = this.state().resources[path];
    if (!resource) throw notFound(path);
    return resource;
  }

  private body(req: ApiRequest): Record<string, unknown> {
    if (!isPlainObject(req.body)) throw invalid("Required field 'resource' not specified", 'resource');
    return clone(req.body);
  }

  private strip(body: Record<string, unknown>, spec: KindSpec): Record<string, unknown> {
    const out = { ...body };
    for (const f of [...ALWAYS_SERVER, ...(spec.serverFields ?? [])]) if (f !== 'fingerprint') delete out[f];
    delete out.fingerprint;
    return out;
  }
}

/** 8 random bytes in base64, like Google's fingerprints; from the twin's (seedable) randomness. */
export function newFingerprint(random: () => number): string {
  return Buffer.from(Array.from({ length: 8 }, () => Math.floor(random() * 256))).toString('base64');
}

export function checkFingerprint(given: unknown, current: string): void {
  if (typeof given !== 'string' || given === '') {
    throw conditionNotMet(
      'Supplied fingerprint does not match current metadata fingerprint. An up-to-date fingerprint must be provided in order to update the resource.',
      'resource.fingerprint',
    );
  }
  if (given !== current) {
    throw conditionNotMet('Supplied fingerprint does not match current metadata fingerprint.', 'resource.fingerprint');
  }
}
