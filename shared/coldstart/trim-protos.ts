/**
 * Trims a client package's protos.json to some services of one API version and every message they
 * reach. Each generated client builds a protobuf Root of its package's whole protos.json on first
 * construction: for Compute that is 11.7 MB (v1, v1beta and v1small, ~4,500 types; ~2 s of a cold
 * start here), for Monitoring 300 types of which the functions' one service reaches a third. Run by
 * the build (bundle-functions.mjs), so the result always matches the installed package.
 */
import type { protobuf as Protobuf } from 'google-gax';

export type Json = { nested?: Record<string, Json>; [k: string]: unknown };

export interface TrimTarget {
  /** npm package whose `build/protos/protos.json` is trimmed. */
  package: string;
  /** The API version's namespace, e.g. `google.cloud.compute.v1`; its siblings are dropped. */
  namespace: string;
}

export const COMPUTE_PROTOS: TrimTarget = { package: '@google-cloud/compute', namespace: 'google.cloud.compute.v1' };
export const MONITORING_PROTOS: TrimTarget = { package: '@google-cloud/monitoring', namespace: 'google.monitoring.v3' };

/** The installed package's full protos and version. */
export function installedProtos(target: TrimTarget): { full: Json; version: string } {
  return {
    full: require(`${target.package}/build/protos/protos.json`) as Json,
    version: (require(`${target.package}/package.json`) as { version: string }).version,
  };
}

/** `listManagedInstances` (client method) → `ListManagedInstances` (proto RPC). */
export const rpcName = (method: string) => method.charAt(0).toUpperCase() + method.slice(1);

/**
 * `services`: service names, or service → the client methods to keep (the others are removed from the
 * service, so only the messages of the kept ones are reached).
 */
export function trimProtos(
  target: TrimTarget,
  full: Json,
  services: readonly string[] | Readonly<Record<string, readonly string[]>>,
  version: string,
): Json {
  const methodsOf: Record<string, readonly string[] | undefined> = Array.isArray(services)
    ? Object.fromEntries(services.map((s) => [s, undefined]))
    : (services as Record<string, readonly string[]>);
  const { protobuf } = require('google-gax') as typeof import('google-gax');
  const root = protobuf.Root.fromJSON(full as never);
  const prefix = `${target.namespace}.`;
  const keep = new Set<string>();
  const visit = (t: Protobuf.ReflectionObject | null): void => {
    if (!t) return;
    const name = t.fullName.replace(/^\./, '');
    if (!name.startsWith(prefix)) return; // other namespaces (google.api, google.protobuf…) stay whole
    const top = name.slice(prefix.length).split('.')[0] as string;
    const first = !keep.has(top);
    keep.add(top);
    // A nested name keeps its top-level message whole: visit that message's fields once.
    const topType = root.lookup(prefix + top);
    if (!first || !(topType instanceof protobuf.Type)) return;
    const walk = (type: Protobuf.Type): void => {
      for (const f of type.fieldsArray) visit(f.resolve().resolvedType);
      for (const n of type.nestedArray) if (n instanceof protobuf.Type) walk(n);
    };
    walk(topType);
  };
  for (const [s, methods] of Object.entries(methodsOf)) {
    const service = root.lookupService(prefix + s);
    keep.add(s);
    for (const m of service.methodsArray) {
      if (methods && !methods.map(rpcName).includes(m.name)) continue;
      m.resolve();
      visit(m.resolvedRequestType);
      visit(m.resolvedResponseType);
    }
  }
  const json = JSON.parse(JSON.stringify(full)) as Json;
  const path = target.namespace.split('.');
  const version_ = path.pop() as string;
  let parent = json;
  for (const part of path) parent = parent.nested?.[part] as Json;
  const api = parent.nested?.[version_] as Json;
  api.nested = Object.fromEntries(Object.entries(api.nested ?? {}).filter(([k]) => keep.has(k)));
  for (const [s, methods] of Object.entries(methodsOf)) {
    const service = api.nested[s] as { methods: Record<string, unknown> };
    if (methods) {
      const rpcs = methods.map(rpcName);
      const missing = rpcs.filter((m) => !(m in service.methods));
      if (missing.length) throw new Error(`${target.namespace}.${s} has no RPC ${missing.join(', ')}`);
      service.methods = Object.fromEntries(Object.entries(service.methods).filter(([m]) => rpcs.includes(m)));
    }
  }
  parent.nested = { [version_]: api };
  return {
    ...json,
    georoute: { package: target.package, version, services: Array.isArray(services) ? [...services] : services },
  };
}
