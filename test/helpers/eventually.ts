export interface EventuallyOptions {
  /** Real milliseconds before giving up (default 10 s). */
  timeoutMs?: number;
  /** Real milliseconds between polls (default 10). */
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
  /** Run between polls, e.g. to move virtual time on so redeliveries happen. */
  between?: (attempt: number) => unknown;
}

/**
 * Polls `check` until it returns a truthy value (deliveries and pushes are asynchronous) and returns
 * that value. A `check` that throws counts as "not yet"; on timeout its last error is rethrown, so an
 * `expect` inside `check` reports what was last seen.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      if (lastError) throw lastError;
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
    await options.between?.(attempt);
  }
}
