import { randomUUID } from 'node:crypto';
import type { CloudEventLike } from '../shared/handlers/envelope';

/** A Cloud Monitoring notification (schema 1.2) about `region`, as the pubsub channel delivers it. */
export function incidentNotification(
  project: string,
  id: string,
  state: 'open' | 'closed',
  region: string,
  atMs: number,
): object {
  const seconds = Math.floor(atMs / 1000);
  return {
    version: '1.2',
    incident: {
      incident_id: id,
      scoping_project_id: project,
      started_at: state === 'closed' ? seconds - 300 : seconds,
      ended_at: state === 'closed' ? seconds : null,
      state,
      summary: `Error ratio for ${region} is above the threshold`,
      resource: { type: 'https_lb_rule', labels: { backend_scope: region } },
      policy_name: `georoute ${region} error ratio`,
      policy_user_labels: { 'georoute-region': region, 'georoute-alert': 'error-ratio' },
      condition_name: 'error ratio > 0.05',
    },
  };
}

/** The binary-mode Pub/Sub CloudEvent functions-framework hands a function. */
export function pubsubEvent(payload: object, eventId: string = randomUUID()): CloudEventLike {
  return {
    id: eventId,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/georoute-bench/topics/georoute-health-alerts',
    time: new Date().toISOString(),
    data: {
      message: {
        data: Buffer.from(JSON.stringify(payload)).toString('base64'),
        messageId: eventId,
        publishTime: new Date().toISOString(),
        attributes: {},
      },
      subscription: 'projects/georoute-bench/subscriptions/bench',
    },
  };
}
