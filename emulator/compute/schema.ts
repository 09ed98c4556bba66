import type { BodySource } from '../core/front-end';
import { type ApiDefinition, loadApiDefinition } from '../core/proto-load';

let definition: ApiDefinition | undefined;

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
