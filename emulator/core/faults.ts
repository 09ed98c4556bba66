import { ApiError } from './api-error';
import type { ApiName } from './router';

/**
 * A fault rule. Matching requests are delayed by `latencyMs` (+ up to `jitterMs`) and, with
 * `probability` (default 1), answered with one of `statuses` instead of reaching the API.
 * `count` bounds how many requests the rule fails (then it is spent); `pathPattern` is a regular
 * expression tested against the request path (for Pub/Sub: the gRPC method, e.g. `Publisher/Publish`).
 */
export interface FaultRule {
  id?: string;
  api?: ApiName;
  method?: string;
  pathPattern?: string;
  /** Only mutations (true) or only reads (false). */
  writes?: boolean;
  latencyMs?: number;
  jitterMs?: number;
  statuses?: number[];
  probability?: number;
  count?: number;
  /**
   * Let the request reach the API (the change is made) and replace only the answer with the error:
   * a response lost after the commit, the case `requestId` de-duplication exists for.
   */
  afterApply?: boolean;
  /**
   * Google's `errors[].reason` and message for the injected error, so a test can answer as Google
   * shapes a known error: `{statuses: [400], reason: 'resourceNotReady'}`,
   * `{statuses: [403], reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded'}`
   * (https://cloud.google.com/compute/api-quota). Default: the status's usual reason and a message
   * naming the rule.
   */
  reason?: string;
  message?: string;
}

export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
  afterApply?: boolean;
}

/** Injected faults, shared by the REST server and the Pub/Sub gRPC server. */
export class Faults {
  private rules: Array<FaultRule & { id: string; compiled?: RegExp; failed: number }> = [];
  private nextId = 0;
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  add(rule: FaultRule): string {
    const id = rule.id ?? `fault-${++this.nextId}`;
    const compiled = rule.pathPattern ? new RegExp(rule.pathPattern) : undefined;
    this.rules.push({ ...rule, id, compiled, failed: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ compiled: _c, failed: _f, ...rule }) => rule);
  }

  decide(request: { api: ApiName; method: string; path: string; write: boolean }): FaultDecision {
    let delayMs = 0;
    let error: ApiError | undefined;
    let afterApply = false;
    for (const rule of this.rules) {
      if (rule.api && rule.api !== request.api) continue;
      if (rule.method && rule.method.toUpperCase() !== request.method.toUpperCase()) continue;
      if (rule.writes !== undefined && rule.writes !== request.write) continue;
      if (rule.compiled && !rule.compiled.test(request.path)) continue;
      delayMs += (rule.latencyMs ?? 0) + (rule.jitterMs ? this.random() * rule.jitterMs : 0);
      if (error || !rule.statuses?.length) continue;
      if (rule.count !== undefined && rule.failed >= rule.count) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      rule.failed++;
      const status = rule.statuses[Math.floor(this.random() * rule.statuses.length)] as number;
      error = new ApiError(status, rule.message ?? `Injected fault (${rule.id}): HTTP ${status}`, {
        reason: rule.reason,
      });
      afterApply = rule.afterApply === true;
    }
    return { delayMs, error, afterApply };
  }
}
