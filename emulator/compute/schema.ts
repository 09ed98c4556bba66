import type { BodySource } from '../core/front-end';
import { type ApiDefinition, loadApiDefinition, templateRegex } from '../core/proto-load';

let definition: ApiDefinition | undefined;
let bindings: Array<{ verb: string; regex: RegExp }> | undefined;

/**
 * Compute v1 request bodies, derived from the API definition @google-cloud/compute ships
 * (build/protos/protos.json, namespace google.cloud.compute.v1, plus the enum values compute.proto
 * lists in comments only). Compute names every request body `resource` in its errors ("Required
 * field 'resource' not specified", https://github.com/stackql-registry/stackql-provider-google/issues/41),
 * so paths read `resource.backends[0]`.
 */
export const computeBodies: BodySource = {
  prefix: '/compute/v1/',
  load: () => {
    definition ??= loadApiDefinition('@google-cloud/compute', {
      namespaces: ['google.cloud.compute.v1'],
      enumStrings: true,
      protoFile: 'google/cloud/compute/v1/compute.proto',
    });
    return definition;
  },
  bodyName: () => 'resource',
};

/**
 * Whether Compute v1 has a method for `verb` on a route pattern (`/compute/v1/projects/:project/…`),
 * by the google.api.http bindings: instanceTemplates have no patch or update, forwarding rules and
 * target proxies no update, addresses neither. The router answers 405 for the others.
 */
export function computeHasMethod(verb: string, pattern: string): boolean {
  bindings ??= (computeBodies.load().rules ?? []).map((r) => ({ verb: r.verb, regex: templateRegex(r.template) }));
  const path = pattern.replace(/:(\w+)::(\w+)/g, 'x1:$2').replace(/:\w+/g, 'x1');
  return bindings.some((b) => b.verb === verb && b.regex.test(path));
}
