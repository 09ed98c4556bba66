/** Turns zod issues into `path: message` lines, e.g. `regions[2].maxReplicas: expected number, received string`. */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** `['regions', 2, 'maxReplicas']` → `regions[2].maxReplicas`; the root is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const k = String(key);
      out += /^[A-Za-z0-9_-]+$/.test(k) ? (out ? `.${k}` : k) : `[${JSON.stringify(k)}]`;
    }
  }
  return out || '(root)';
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function bound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `must have ${small ? 'at least' : 'at most'} ${limit} item${Number(limit) === 1 ? '' : 's'}`;
    case 'string':
      return small && Number(limit) === 1
        ? 'must not be empty'
        : `must have ${small ? 'at least' : 'at most'} ${limit} characters`;
    default: {
      const op = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
      const got = 'input' in issue && issue.input !== undefined ? `, got ${show(issue.input)}` : '';
      return `must be ${op} ${limit}${got}`;
    }
  }
}

function message(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'integer' : issue.expected;
      if (issue.input === undefined) return `required (expected ${expected})`;
      const received = typeOf(issue.input);
      return `expected ${expected}, received ${received === 'number' && expected === 'integer' ? show(issue.input) : received}`;
    }
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_value':
      return `expected one of ${issue.values.map(show).join(' | ')}, received ${show(issue.input)}`;
    default:
      return issue.message;
  }
}

/** One line per problem; an unknown key is reported at its own path. */
export function formatIssues(issues: readonly Issue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
    } else {
      lines.push(`${formatPath(issue.path)}: ${message(issue)}`);
    }
  }
  return lines;
}
