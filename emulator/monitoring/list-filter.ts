import { badRequest } from './errors';

/**
 * The list filters of alertPolicies / notificationChannels, as far as needed: clauses
 * `field = "value"` (or `!=`) joined by AND, where field is `display_name`, `type`, `enabled`,
 * `user_labels.k` or `labels.k`.
 */
export function listFilter<T extends object>(items: T[], filter: string | null): T[] {
  if (!filter) return items;
  const clauses = filter.split(/\s+AND\s+/).map((clause) => {
    const m = /^\s*([\w.]+)\s*(!=|=)\s*"?([^"]*)"?\s*$/.exec(clause);
    if (!m) throw badRequest(`The filter "${filter}" is not supported.`);
    return { path: m[1]!.replace(/_([a-z])/g, (_x, c: string) => c.toUpperCase()), op: m[2]!, value: m[3]! };
  });
  return items.filter((item) =>
    clauses.every(({ path, op, value }) => {
      let v: unknown = item;
      for (const part of path.split('.'))
        v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
      const hit = v !== undefined && String(v) === value;
      return op === '=' ? hit : !hit;
    }),
  );
}
