/**
 * Generates `compute-protos.json`: the Compute v1 protos of only the services georoute's GcpClients
 * can build (and every message they reach), instead of the package's 11.7 MB protos.json (v1, v1beta
 * and v1small, ~4,500 types) that each Compute client parses and turns into a protobuf Root on first
 * construction (~2 s of a cold start here). Run after upgrading @google-cloud/compute:
 *   npm run build && node dist/shared/gcp/trim-compute-protos.js
 * A stale file is detected at run time (package version) and then simply not used.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPUTE_SERVICES } from './compute-protos';

type Json = { nested?: Record<string, Json>; [k: string]: unknown };

export function trimComputeProtos(full: Json, services: readonly string[], version: string): Json {
  const { protobuf } = require('google-gax') as typeof import('google-gax');
  const root = protobuf.Root.fromJSON(full as never);
  const V1 = 'google.cloud.compute.v1.';
  const keep = new Set<string>();
  const visit = (t: import('google-gax').protobuf.ReflectionObject | null): void => {
    if (!t) return;
    const name = t.fullName.replace(/^\./, '');
    if (!name.startsWith(V1)) return;
    const top = name.slice(V1.length).split('.')[0] as string;
    const first = !keep.has(top);
    keep.add(top);
    // A nested name keeps its top-level message whole: visit that message's fields once.
    const topType = root.lookup(V1 + top);
    if (!first || !(topType instanceof protobuf.Type)) return;
    const walk = (type: import('google-gax').protobuf.Type): void => {
      for (const f of type.fieldsArray) visit(f.resolve().resolvedType);
      for (const n of type.nestedArray) if (n instanceof protobuf.Type) walk(n);
    };
    walk(topType);
  };
  for (const s of services) {
    const service = root.lookupService(V1 + s);
    keep.add(s);
    for (const m of service.methodsArray) {
      m.resolve();
      visit(m.resolvedRequestType);
      visit(m.resolvedResponseType);
    }
  }
  const json = JSON.parse(JSON.stringify(full)) as Json;
  const compute = json.nested?.google?.nested?.cloud?.nested?.compute as Json;
  const v1 = compute.nested?.v1 as Json;
  v1.nested = Object.fromEntries(Object.entries(v1.nested ?? {}).filter(([k]) => keep.has(k)));
  compute.nested = { v1 };
  return { ...json, georoute: { package: '@google-cloud/compute', version, services: [...services] } };
}

if (require.main === module) {
  const full = require('@google-cloud/compute/build/protos/protos.json') as Json;
  const { version } = require('@google-cloud/compute/package.json') as { version: string };
  const out = path.resolve(__dirname, '..', '..', '..', 'shared', 'gcp', 'compute-protos.json');
  const trimmed = trimComputeProtos(full, COMPUTE_SERVICES, version);
  writeFileSync(out, `${JSON.stringify(trimmed)}\n`);
  const v1 = Object.keys(trimmed.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {});
  console.log(`wrote ${out}: ${v1.length} Compute v1 types and services, ${JSON.stringify(trimmed).length} bytes`);
}
