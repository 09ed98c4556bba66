import { type BodySource, protoBodyName } from '../core/front-end';
import { type ApiDefinition, loadApiDefinition, templateRegex } from '../core/proto-load';

let definition: ApiDefinition | undefined;
let responses: Array<{ verb: string; regex: RegExp; type: string }> | undefined;

/**
 * Monitoring v3 as @google-cloud/monitoring ships it (build/protos/protos.json: google.monitoring.v3
 * and the google.api / google.protobuf types it uses): request bodies, enums, response types.
 */
export function monitoringDefinition(): ApiDefinition {
  definition ??= loadApiDefinition('@google-cloud/monitoring', { namespaces: ['google.monitoring.v3'] });
  return definition;
}

/** The body is named by its request field (`alert_policy`), or is the whole request (`body: "*"`). */
export const monitoringBodies: BodySource = { prefix: '/v3/', load: monitoringDefinition, bodyName: protoBodyName };

/** The response message of the RPC a REST request maps to (its google.api.http binding). */
export function responseTypeOf(method: string, path: string): string | undefined {
  responses ??= monitoringDefinition().rules.map((r) => ({
    verb: r.verb,
    regex: templateRegex(r.template),
    type: r.responseType ?? '',
  }));
  return responses.find((r) => r.verb === method && r.regex.test(path))?.type;
}
