import { type Handler, type RouteOptions, Router } from '../../core/router';

/**
 * A Router that forwards registrations to another one through `hook`, which may wrap a handler
 * (checks Google makes before the generic collection logic) or drop a route (a verb the API does
 * not have). Lets a kind reuse `Collections.define` without changing the framework.
 */
export class HookedRouter extends Router {
  constructor(
    private readonly target: Router,
    private readonly hook: (method: string, pattern: string, handler: Handler) => Handler | undefined,
  ) {
    super();
  }

  override add(method: string, pattern: string, options: RouteOptions, handler: Handler): void {
    const wrapped = this.hook(method.toUpperCase(), pattern, handler);
    if (wrapped) this.target.add(method, pattern, options, wrapped);
  }
}
