import { badRequest } from './errors';

/**
 * The Monitoring filter language, as far as georoute and its tests need it:
 * `metric.type = "…"`, `resource.type`, `metric.label(s).k`, `resource.label(s).k`,
 * `metadata.system_labels.k` / `metadata.user_labels.k`, `project`; operators `=`, `!=`, `:` (has
 * substring); values: strings, `starts_with()`, `ends_with()`, `has_substring()`, `one_of()`,
 * `monitoring.regex.full_match()`; `AND`, `OR`, `NOT`, `-`, parentheses, and juxtaposition as AND.
 */
export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'cmp'; selector: string; op: '=' | '!=' | ':'; match: ValueMatch };

type ValueMatch =
  | { fn: 'eq'; value: string }
  | { fn: 'starts_with' | 'ends_with' | 'has_substring'; value: string }
  | { fn: 'one_of'; values: string[] }
  | { fn: 'regex'; re: RegExp };

/** What a filter is evaluated against. */
export interface FilterSubject {
  project?: string;
  metric: { type: string; labels?: Record<string, string> };
  resource?: { type: string; labels?: Record<string, string> };
  systemLabels?: Record<string, string>;
  userLabels?: Record<string, string>;
}

type Token = { t: 'str' | 'word' | 'op' | '(' | ')' | ','; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) throw badRequest(`The filter "${src}" has an unterminated string.`);
      // A quoted segment right after a dot belongs to the selector: metric.labels."key".
      const prev = out[out.length - 1];
      if (prev?.t === 'word' && prev.v.endsWith('.')) prev.v += s;
      else out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if (src.startsWith('!=', i) || src.startsWith('>=', i) || src.startsWith('<=', i)) {
      out.push({ t: 'op', v: src.slice(i, i + 2) });
      i += 2;
    } else if ('=:<>'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else if (c === '-' && /[a-zA-Z(]/.test(src[i + 1] ?? '')) {
      out.push({ t: 'word', v: 'NOT' });
      i++;
    } else {
      const m = /^[\w.\-/]+/.exec(src.slice(i));
      if (!m) throw badRequest(`The filter "${src}" could not be parsed at position ${i}.`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

export function parseFilter(src: string): FilterNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw badRequest(`The filter "${src}" is invalid: ${why}`);
  };

  const parseOr = (): FilterNode => {
    const items = [parseAnd()];
    while (peek()?.t === 'word' && peek()!.v === 'OR') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const parseAnd = (): FilterNode => {
    const items = [parseUnary()];
    for (;;) {
      const t = peek();
      if (!t || t.t === ')' || (t.t === 'word' && t.v === 'OR')) break;
      if (t.t === 'word' && t.v === 'AND') pos++;
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const parseUnary = (): FilterNode => {
    const t = peek() ?? fail('unexpected end');
    if (t.t === 'word' && t.v === 'NOT') {
      pos++;
      return { kind: 'not', item: parseUnary() };
    }
    if (t.t === '(') {
      pos++;
      const inner = parseOr();
      if (peek()?.t !== ')') fail('missing )');
      pos++;
      return inner;
    }
    if (t.t !== 'word') fail(`unexpected "${t.v}"`);
    pos++;
    const opTok = peek();
    if (opTok?.t !== 'op') return fail(`expected an operator after "${t.v}"`);
    if (!['=', '!=', ':'].includes(opTok.v)) fail(`operator ${opTok.v} is not supported here`);
    pos++;
    return { kind: 'cmp', selector: normaliseSelector(t.v, src), op: opTok.v as '=' | '!=' | ':', match: parseValue() };
  };
  const parseValue = (): ValueMatch => {
    const t = peek() ?? fail('missing value');
    pos++;
    if (t.t === 'str') return { fn: 'eq', value: t.v };
    if (t.t !== 'word') return fail(`unexpected "${t.v}"`);
    if (peek()?.t !== '(') return { fn: 'eq', value: t.v };
    pos++;
    const args: string[] = [];
    while (peek() && peek()!.t !== ')') {
      const a = peek()!;
      if (a.t === ',') {
        pos++;
        continue;
      }
      if (a.t !== 'str' && a.t !== 'word') fail('bad function argument');
      args.push(a.v);
      pos++;
    }
    if (peek()?.t !== ')') fail('missing )');
    pos++;
    switch (t.v) {
      case 'starts_with':
      case 'ends_with':
      case 'has_substring':
        if (args.length !== 1) fail(`${t.v} takes one argument`);
        return { fn: t.v, value: args[0]! };
      case 'one_of':
        if (args.length === 0) fail('one_of needs arguments');
        return { fn: 'one_of', values: args };
      case 'monitoring.regex.full_match':
        try {
          return { fn: 'regex', re: new RegExp(`^(?:${args[0] ?? ''})$`) };
        } catch {
          return fail('bad regular expression');
        }
      default:
        return fail(`unknown function ${t.v}`);
    }
  };

  if (tokens.length === 0) fail('empty filter');
  const node = parseOr();
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]!.v}"`);
  return node;
}

function normaliseSelector(sel: string, src: string): string {
  const m = /^(metric|resource)\.labels?\.(.+)$/.exec(sel);
  if (m) return `${m[1]}.labels.${m[2]}`;
  const meta = /^metadata\.(system_labels|user_labels)\.(.+)$/.exec(sel);
  if (meta) return `metadata.${meta[1]}.${meta[2]}`;
  if (['metric.type', 'resource.type', 'project', 'metric.display_name'].includes(sel)) return sel;
  throw badRequest(`The filter "${src}" uses an unsupported selector: ${sel}`);
}

function lookup(subject: FilterSubject, selector: string): string | undefined {
  if (selector === 'metric.type') return subject.metric.type;
  if (selector === 'resource.type') return subject.resource?.type;
  if (selector === 'project') return subject.project;
  if (selector.startsWith('metric.labels.')) return subject.metric.labels?.[selector.slice(14)];
  if (selector.startsWith('resource.labels.')) return subject.resource?.labels?.[selector.slice(16)];
  if (selector.startsWith('metadata.system_labels.')) return subject.systemLabels?.[selector.slice(23)];
  if (selector.startsWith('metadata.user_labels.')) return subject.userLabels?.[selector.slice(21)];
  return undefined;
}

function matches(m: ValueMatch, v: string): boolean {
  switch (m.fn) {
    case 'eq':
      return v === m.value;
    case 'starts_with':
      return v.startsWith(m.value);
    case 'ends_with':
      return v.endsWith(m.value);
    case 'has_substring':
      return v.includes(m.value);
    case 'one_of':
      return m.values.includes(v);
    case 'regex':
      return m.re.test(v);
  }
}

export function evaluateFilter(node: FilterNode, subject: FilterSubject): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((n) => evaluateFilter(n, subject));
    case 'or':
      return node.items.some((n) => evaluateFilter(n, subject));
    case 'not':
      return !evaluateFilter(node.item, subject);
    case 'cmp': {
      const v = lookup(subject, node.selector);
      if (node.op === ':')
        return v !== undefined && (node.match.fn === 'eq' ? v.includes(node.match.value) : matches(node.match, v));
      if (v === undefined) return node.op === '!=';
      const hit = matches(node.match, v);
      return node.op === '=' ? hit : !hit;
    }
  }
}

/**
 * The one metric type a filter names, or undefined. "When listing time series, you must specify
 * exactly one metric type" (https://cloud.google.com/monitoring/api/v3/filters): a
 * `metric.type = "…"` equality that every matching series must satisfy (a top-level conjunct),
 * and no other clause about `metric.type` (prefixes, alternatives, negations).
 */
export function singleMetricType(node: FilterNode): string | undefined {
  const top = node.kind === 'and' ? node.items : [node];
  const exact = top.filter(
    (n): n is Extract<FilterNode, { kind: 'cmp' }> =>
      n.kind === 'cmp' && n.selector === 'metric.type' && n.op === '=' && n.match.fn === 'eq',
  );
  const types = new Set(exact.map((n) => (n.match as { value: string }).value));
  const mentions = (n: FilterNode): number =>
    n.kind === 'cmp'
      ? n.selector === 'metric.type'
        ? 1
        : 0
      : n.kind === 'not'
        ? mentions(n.item)
        : n.items.reduce((a, i) => a + mentions(i), 0);
  if (types.size !== 1 || mentions(node) !== exact.length) return undefined;
  return [...types][0];
}

/** Whether the filter restricts `selector` (e.g. `metric.type`) somewhere, as Google requires. */
export function restricts(node: FilterNode, selector: string): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.items.some((n) => restricts(n, selector));
    case 'not':
      return restricts(node.item, selector);
    case 'cmp':
      return node.selector === selector && node.op !== '!=';
  }
}
