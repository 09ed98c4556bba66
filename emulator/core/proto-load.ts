import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FieldSchema, MessageSchema, Schema } from './proto-schema';

/** Bumped when the cached JSON's shape changes. */
const FORMAT = 3;

/** One RPC's REST binding (google.api.http): `POST /compute/v1/projects/{project}/…` with its body. */
export interface HttpRule {
  rpc: string;
  verb: string;
  template: string;
  requestType: string;
  /** Absent in hand-written definitions (Cloud DNS). */
  responseType?: string;
  /** `*` (the whole request), a request field (proto name), or none. */
  body?: string;
}

export interface ApiDefinition {
  schema: Schema;
  rules: HttpRule[];
}

type Node = {
  nested?: Record<string, Node>;
  fields?: Record<string, { type: string; rule?: string; keyType?: string }>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<
    string,
    { requestType: string; responseType: string; parsedOptions?: Array<Record<string, unknown>> }
  >;
};

export interface LoadOptions {
  /** Namespaces to keep (`google.cloud.compute.v1`); types they use elsewhere are kept too. */
  namespaces: string[];
  /**
   * Compute's generated protos type enum fields as `string` with a nested enum named after the field
   * (`Backend.balancingMode` → `Backend.BalancingMode`, or `…Enum` when that name is taken, as
   * `ForwardingRule.IPProtocolEnum`); their `UNDEFINED_*` zero values are client-side sentinels.
   */
  enumStrings?: boolean;
  /**
   * The package's .proto file (relative to build/protos) whose comments list enum values missing from
   * protos.json: "Additional supported values which may be not listed in the enum directly due to
   * technical reasons" (e.g. InstanceGroupManagerUpdatePolicy.InstanceRedistributionType: NONE, PROACTIVE).
   */
  protoFile?: string;
}

/** Reads a protobuf.js JSON tree (a client package's `build/protos/protos.json`) into a Schema and HTTP rules. */
export function fromProtobufJson(root: Node, options: LoadOptions): ApiDefinition {
  const all = new Map<string, Node>();
  const walk = (node: Node, name: string): void => {
    if (name) all.set(name, node);
    for (const [k, child] of Object.entries(node.nested ?? {})) walk(child, name ? `${name}.${k}` : k);
  };
  walk(root, '');
  const resolve = (ref: string, scope: string): string => {
    if (ref.startsWith('.')) return ref.slice(1);
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const candidate = s ? `${s}.${ref}` : ref;
      if (all.has(candidate)) return candidate;
      if (!s) return ref; // a scalar
    }
  };
  const def: ApiDefinition = { schema: { messages: {}, enums: {} }, rules: [] };
  const kept = (name: string) => options.namespaces.some((ns) => name.startsWith(`${ns}.`));
  const pending = [...all.keys()].filter(kept);
  const done = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (done.has(name)) continue;
    done.add(name);
    const node = all.get(name) as Node;
    if (node.values) def.schema.enums[name] = enumValues(node.values, options.enumStrings === true);
    if (node.fields) {
      def.schema.messages[name] = message(node, name, resolve, options.enumStrings === true);
      for (const f of Object.values(def.schema.messages[name].fields)) {
        for (const t of [f.type, f.enumOf]) if (t && all.has(t) && !done.has(t)) pending.push(t);
      }
    }
    for (const [rpc, m] of Object.entries(node.methods ?? {})) {
      for (const rule of httpRules(m.parsedOptions)) {
        const types = { requestType: resolve(m.requestType, name), responseType: resolve(m.responseType, name) };
        def.rules.push({ rpc: `${name}.${rpc}`, ...types, ...rule });
      }
    }
  }
  return def;
}

function enumValues(values: Record<string, number>, dropSentinel: boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !(dropSentinel && k.startsWith('UNDEFINED_'))));
}

function message(node: Node, name: string, resolve: (r: string, s: string) => string, enumStrings: boolean) {
  const out: MessageSchema = { fields: {} };
  for (const [key, f] of Object.entries(node.fields ?? {})) {
    const field: FieldSchema = { type: resolve(f.type, name) };
    if (f.rule === 'repeated') field.repeated = true;
    if (f.keyType) field.keyType = f.keyType;
    if (enumStrings && f.type === 'string') {
      const pascal = key.charAt(0).toUpperCase() + key.slice(1);
      const nested = [pascal, `${pascal}Enum`].find((n) => node.nested?.[n]?.values);
      if (nested) field.enumOf = `${name}.${nested}`;
    }
    out.fields[key] = field;
  }
  const oneofs = Object.entries(node.oneofs ?? {}).filter(([k]) => !k.startsWith('_'));
  if (oneofs.length > 0) out.oneofs = Object.fromEntries(oneofs.map(([k, v]) => [k, v.oneof]));
  return out;
}

const VERBS = ['get', 'post', 'put', 'patch', 'delete'];

function httpRules(parsed: Array<Record<string, unknown>> | undefined): Array<Omit<HttpRule, 'rpc' | 'requestType'>> {
  const http = parsed?.find((o) => o['(google.api.http)'])?.['(google.api.http)'] as
    | Record<string, unknown>
    | undefined;
  if (!http) return [];
  const one = (h: Record<string, unknown>) =>
    VERBS.filter((v) => typeof h[v] === 'string').map((v) => ({
      verb: v.toUpperCase(),
      template: h[v] as string,
      ...(typeof h.body === 'string' ? { body: h.body } : {}),
    }));
  const extra = http.additional_bindings;
  const more = Array.isArray(extra) ? extra : extra ? [extra] : [];
  return [...one(http), ...more.flatMap((h) => one(h as Record<string, unknown>))];
}

/**
 * An API definition from an installed client package, cached as JSON next to node_modules (Compute's
 * protos.json is 11.7 MB: ~0.5 s to read and convert, a few ms from the cache). The cache is keyed by
 * the package version, so an upgrade re-derives it.
 */
export function loadApiDefinition(pkg: string, options: LoadOptions): ApiDefinition {
  const pkgJson = require.resolve(`${pkg}/package.json`);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const dir = path.join(path.dirname(pkgJson), '..', '..', '.cache', 'georoute-emulator');
  // Keyed by everything the result depends on: the package version, the options, this file's format.
  const key = createHash('sha1')
    .update(JSON.stringify([FORMAT, version, options]))
    .digest('hex')
    .slice(0, 12);
  const file = path.join(dir, `${pkg.replace(/\W/g, '_')}@${version}-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ApiDefinition;
  const protos = path.join(path.dirname(pkgJson), 'build/protos');
  const root = JSON.parse(readFileSync(path.join(protos, 'protos.json'), 'utf8'));
  const def = fromProtobufJson(root as Node, options);
  if (options.protoFile) {
    const extra = additionalEnumValues(readFileSync(path.join(protos, options.protoFile), 'utf8'));
    for (const [name, values] of extra) {
      const full = `${options.namespaces[0]}.${name}`;
      const known = def.schema.enums[full];
      if (known) for (const v of values) known[v] ??= -1;
    }
  }
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(def));
    renameSync(tmp, file); // atomic: parallel test workers never read half a file
  } catch {
    // a read-only install: derive again next time
  }
  return def;
}

/** `Message.Enum` → the values a .proto lists in comments only (see LoadOptions.protoFile). */
export function additionalEnumValues(proto: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const scopes: Array<{ indent: number; name: string; message: boolean }> = [];
  let extra: string[] | undefined;
  for (const line of proto.split('\n')) {
    const open = /^(\s*)(message|enum|oneof|service) (\w+) \{/.exec(line);
    if (open) {
      if (open[2] === 'enum' && extra?.length) {
        out.set([...scopes.filter((s) => s.message).map((s) => s.name), open[3]].join('.'), extra);
      }
      scopes.push({ indent: (open[1] as string).length, name: open[3] as string, message: open[2] === 'message' });
      extra = undefined;
    } else if (/^\s*\}\s*$/.test(line)) {
      if (scopes.at(-1)?.indent === line.indexOf('}')) scopes.pop();
    } else if (line.includes('Additional supported values which may be not listed in the enum')) {
      extra = [];
    } else if (extra && /^\s*\/\/ [A-Z0-9_]+\s*$/.test(line)) {
      extra.push(line.replace(/^\s*\/\/ /, '').trim());
    } else if (!/^\s*\/\//.test(line)) {
      extra = undefined;
    }
  }
  return out;
}

/** A path template (`/v3/{name=projects/*}/alertPolicies`, `…/{project}/…`) as an anchored regex. */
export function templateRegex(template: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  let out = '';
  let rest = template;
  for (let m = /\{([^}=]+)(?:=([^}]*))?\}/.exec(rest); m; m = /\{([^}=]+)(?:=([^}]*))?\}/.exec(rest)) {
    out += esc(rest.slice(0, m.index));
    const pattern = m[2] ?? '*';
    out += pattern
      .split('/')
      .map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^/]+' : esc(seg)))
      .join('/');
    rest = rest.slice(m.index + m[0].length);
  }
  return new RegExp(`^${out}${esc(rest)}$`);
}
