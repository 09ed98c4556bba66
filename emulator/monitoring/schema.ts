import { type BodySource, protoBodyName } from '../core/front-end';
import { loadApiDefinition } from '../core/proto-load';

/**
 * Monitoring v3 request bodies, derived from the API definition @google-cloud/monitoring ships
 * (build/protos/protos.json: google.monitoring.v3 and the google.api / google.protobuf types it uses).
 * The body is named by its request field (`alert_policy`), or is the whole request (`body: "*"`).
 */
export const monitoringBodies: BodySource = {
  prefix: '/v3/',
  load: () => loadApiDefinition('@google-cloud/monitoring', { namespaces: ['google.monitoring.v3'] }),
  bodyName: protoBodyName,
};
