import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigSchema } from '../../../shared/config';

/**
 * docs/CONFIG.md is the reference of georoute.yaml; the zod schema is the contract. This test walks the
 * schema and checks the doc's tables against it: every key has a row, every row names a real key, and
 * the documented scalar defaults are the schema's.
 */
const DOC = readFileSync(path.join(__dirname, '../../../docs/CONFIG.md'), 'utf8');

/** `segments` drop the `[]` of `path`; a section or sub-object (`regions[].subnet`) has `children`. */
type Key = { path: string; segments: string[]; default?: unknown; children: boolean };

/** Strips the wrappers that do not change a key's shape: default, prefault, optional, pipe (its input). */
function unwrap(s: z.core.$ZodType): { inner: z.core.$ZodType; default?: unknown } {
  let dflt: unknown;
  for (;;) {
    if (s instanceof z.ZodDefault) {
      dflt ??= s.def.defaultValue;
      s = s.unwrap();
    } else if (
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable ||
      s instanceof z.ZodNonOptional ||
      s instanceof z.ZodReadonly
    ) {
      s = s.unwrap();
    } else if (s instanceof z.ZodPipe) {
      s = s.in;
    } else {
      return { inner: s, default: dflt };
    }
  }
}

/** Every key path of the schema, e.g. `autoscaling.targetPerReplica`, `regions[].zones`. Records are leaves. */
function keyPaths(schema: z.core.$ZodType, prefix: string[] = []): Key[] {
  let { inner } = unwrap(schema);
  let arrayLevel = false;
  while (inner instanceof z.ZodArray) {
    inner = unwrap(inner.element).inner;
    arrayLevel = true;
  }
  if (!(inner instanceof z.ZodObject)) return [];
  const keys: Key[] = [];
  const base = arrayLevel && prefix.length > 0 ? [...prefix.slice(0, -1), `${prefix.at(-1)}[]`] : prefix;
  for (const [name, child] of Object.entries(inner.shape as Record<string, z.core.$ZodType>)) {
    const segments = [...base, name];
    const below = keyPaths(child, segments);
    keys.push({
      path: segments.join('.'),
      segments: segments.map(bare),
      default: unwrap(child).default,
      children: below.length > 0,
    });
    keys.push(...below);
  }
  return keys;
}

const bare = (segment: string) => segment.replace(/\[\]$/, '');

/** Table rows of the doc, split into cells (`\|` is an escaped pipe inside a cell). */
const rows = DOC.split('\n')
  .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l) && !/^\|\s*Key\s*\|/.test(l))
  .map((l) => ({ line: l, cells: l.split(/(?<!\\)\|/).slice(1, -1) }));

/** Words inside the backticked spans of a text: `{type: nvidia-l4, count: 1}` gives type, nvidia, l4, count, 1. */
const backtickedWords = (text: string) =>
  new Set([...text.matchAll(/`([^`]+)`/g)].flatMap((m) => (m[1] as string).split(/[^A-Za-z0-9_]+/)));

/**
 * The key patterns a row's Key cell names: its first backticked span is an absolute path
 * (`regions[].mig`, `loadBalancer.*`, `pubsub.publishers.<topic>`); later spans with a dot are absolute
 * too, and bare names (`autoscaler`) are siblings of the first (they replace its last segment).
 */
function rowPatterns(keyCell: string): string[][] {
  const spans = [...keyCell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  const toSegments = (p: string) => p.split('.').map(bare);
  const first = spans[0] ? toSegments(spans[0]) : [];
  return spans.map((s, i) => (i === 0 || s.includes('.') ? toSegments(s) : [...first.slice(0, -1), bare(s)]));
}

const isWildcard = (segment: string) => segment === '*' || /^<.*>$/.test(segment);
const concrete = (pattern: string[]) => pattern.filter((s) => !isWildcard(s));
const startsWith = (a: string[], prefix: string[]) => prefix.every((s, i) => a[i] === s);

/** The rows documenting a key: one naming it exactly, or naming an ancestor and the key's name in backticks. */
function rowsOf(key: Key) {
  const leaf = key.segments.at(-1) as string;
  return rows.filter((r) => {
    const patterns = rowPatterns(r.cells[0] ?? '').map(concrete);
    return patterns.some(
      (p) =>
        p.length > 0 &&
        startsWith(key.segments, p) &&
        (p.length === key.segments.length || backtickedWords(r.line).has(leaf)),
    );
  });
}

const KEYS = keyPaths(ConfigSchema);
const SCHEMA_PATHS = new Set(KEYS.map((k) => k.segments.join('.')));

test('the walk finds the schema keys (sanity)', () => {
  const paths = KEYS.map((k) => k.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'project',
      'regions[].zones',
      'regions[].entry.sslCertificates',
      'latency.overrides[].rttMs',
      'pubsub.publishers.deadLetter',
      'autoscaling.targetPerReplica',
      'instance.coolDownPeriodSec',
    ]),
  );
  expect(KEYS.find((k) => k.path === 'instance.coolDownPeriodSec')?.default).toBe(900);
});

test('docs/CONFIG.md has a row for every key of the schema', () => {
  // A section or sub-object is documented through its keys.
  const missing = KEYS.filter((k) => !k.children && rowsOf(k).length === 0).map((k) => k.path);
  expect(missing).toEqual([]);
});

test('every key docs/CONFIG.md names exists in the schema', () => {
  const unknown = rows
    .flatMap((r) => rowPatterns(r.cells[0] ?? '').map((p) => concrete(p).join('.')))
    .filter((p) => p !== '' && !SCHEMA_PATHS.has(p));
  expect(unknown).toEqual([]);
});

test('documented scalar defaults are the schema defaults', () => {
  const wrong: string[] = [];
  for (const key of KEYS) {
    const d = key.default;
    if (!['number', 'boolean', 'string'].includes(typeof d)) continue;
    const documented = rowsOf(key);
    const ok = documented.some((r) => {
      // A row of this one key says `default N` in its type cell; a grouped row must at least mention N.
      const patterns = rowPatterns(r.cells[0] ?? '').map((p) => concrete(p).join('.'));
      const exact = patterns.length === 1 && patterns[0] === key.segments.join('.');
      const value = String(d).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (typeof d === 'string') return new RegExp(`(?<![\\w./-])${value}(?![\\w./-])`).test(r.line);
      if (exact) return new RegExp(`default\\s+${value}(?![\\d.])`).test(r.cells[1] ?? '');
      return new RegExp(`(?<![\\d.])${value}(?![\\d.])`).test(r.line);
    });
    if (documented.length > 0 && !ok) wrong.push(`${key.path}: schema default ${JSON.stringify(d)}`);
  }
  expect(wrong).toEqual([]);
});
