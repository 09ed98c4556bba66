/**
 * In the functions bundle a client's protos hold only the RPCs of `allowed` (function-rpcs.ts): any
 * other method of the client is made to fail with a clear error instead of an obscure one deep in
 * google-gax. Outside the bundle the client is returned as it is.
 */
import { IN_BUNDLE } from './bundle-mode';

export function bundleGuard<T>(
  client: T,
  className: string,
  allowed: Readonly<Record<string, readonly string[]>>,
  inBundle = IN_BUNDLE,
): T {
  if (!inBundle) return client;
  const service = className.replace(/Client$/, '');
  const methods = allowed[service];
  if (!methods) throw new Error(`${service} is not in the functions bundle (shared/coldstart/function-rpcs.ts)`);
  const c = client as unknown as { initialize(): unknown; innerApiCalls: Record<string, unknown> };
  c.initialize(); // creates innerApiCalls: one per RPC of the client
  const missing = methods.filter((m) => !(m in c.innerApiCalls));
  // A client library that no longer has them (or no innerApiCalls at all) must not pass unguarded.
  if (missing.length) throw new Error(`${service} has no RPC ${missing.join(', ')}: update the functions bundle lists`);
  for (const rpc of Object.keys(c.innerApiCalls)) {
    if (methods.includes(rpc)) continue;
    const refused = new Error(
      `${service}.${rpc} is not in the functions bundle: add it in shared/coldstart/function-rpcs.ts`,
    );
    // A failed call, as the RPC would fail: the generated method chains `.then` on what this returns.
    c.innerApiCalls[rpc] = () => Promise.reject(refused);
  }
  return client;
}
