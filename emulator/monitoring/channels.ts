import { failedPrecondition, invalidField, notFound } from './errors';
import { objectOf, stringMap } from './proto-json';
import type { MutationRecord, NotificationChannel, ProjectState } from './types';

/** Channel types and their required labels (NotificationChannelDescriptor, abridged). */
export const CHANNEL_TYPES: Record<string, { displayName: string; required: string[]; optional: string[] }> = {
  pubsub: { displayName: 'Pub/Sub', required: ['topic'], optional: [] },
  email: { displayName: 'Email', required: ['email_address'], optional: [] },
  sms: { displayName: 'SMS', required: ['number'], optional: [] },
  slack: { displayName: 'Slack', required: ['channel_name'], optional: ['auth_token', 'team'] },
  pagerduty: { displayName: 'PagerDuty', required: ['service_key'], optional: [] },
  webhook_tokenauth: { displayName: 'Webhooks', required: ['url'], optional: [] },
  webhook_basicauth: { displayName: 'Basic Auth Webhooks', required: ['url', 'username', 'password'], optional: [] },
};

export function channelDescriptors(project: string): Array<Record<string, unknown>> {
  return Object.entries(CHANNEL_TYPES).map(([type, t]) => channelDescriptor(project, type, t));
}

export function channelDescriptor(project: string, type: string, t = CHANNEL_TYPES[type]): Record<string, unknown> {
  if (!t)
    throw notFound(
      `Notification channel descriptor projects/${project}/notificationChannelDescriptors/${type} does not exist.`,
    );
  return {
    name: `projects/${project}/notificationChannelDescriptors/${type}`,
    type,
    displayName: t.displayName,
    labels: [...t.required, ...t.optional].map((key) => ({ key })),
    launchStage: 'GA',
  };
}

const TOPIC = /^projects\/[^/]+\/topics\/[^/]+$/;

function validate(ch: NotificationChannel, field: string): void {
  const spec = CHANNEL_TYPES[ch.type];
  if (!ch.type) throw invalidField(`${field}.type`, 'The channel type is required');
  if (!spec) throw invalidField(`${field}.type`, 'Unknown notification channel type', ch.type);
  for (const key of spec.required) {
    if (!ch.labels[key])
      throw invalidField(`${field}.labels`, `Missing required label "${key}" for channel type ${ch.type}`);
  }
  for (const key of Object.keys(ch.labels)) {
    if (!spec.required.includes(key) && !spec.optional.includes(key)) {
      throw invalidField(`${field}.labels`, `Unknown label "${key}" for channel type ${ch.type}`);
    }
  }
  if (ch.type === 'pubsub' && !TOPIC.test(ch.labels.topic!)) {
    throw invalidField(
      `${field}.labels[topic]`,
      'The topic must be of the form projects/[PROJECT_ID]/topics/[TOPIC_ID]',
      ch.labels.topic,
    );
  }
  if ((ch.displayName?.length ?? 0) > 512) throw invalidField(`${field}.display_name`, 'At most 512 characters');
}

export function createChannel(
  ps: ProjectState,
  project: string,
  raw: unknown,
  id: string,
  record: MutationRecord,
): NotificationChannel {
  const body = objectOf(raw);
  const ch: NotificationChannel = {
    name: `projects/${project}/notificationChannels/${id}`,
    type: typeof body.type === 'string' ? body.type : '',
    labels: stringMap(body.labels),
    userLabels: stringMap(body.userLabels),
    enabled: body.enabled === undefined || body.enabled === null ? true : body.enabled === true,
    creationRecord: record,
    mutationRecords: [record],
  };
  if (typeof body.displayName === 'string') ch.displayName = body.displayName;
  if (typeof body.description === 'string') ch.description = body.description;
  validate(ch, 'notification_channel');
  ps.channels[ch.name] = ch;
  return ch;
}

export function getChannel(ps: ProjectState, name: string): NotificationChannel {
  const ch = ps.channels[name];
  if (!ch) throw notFound(`Notification channel ${name} does not exist.`);
  return ch;
}

const CHANNEL_FIELDS: Record<string, keyof NotificationChannel> = {
  display_name: 'displayName',
  displayName: 'displayName',
  description: 'description',
  labels: 'labels',
  user_labels: 'userLabels',
  userLabels: 'userLabels',
  enabled: 'enabled',
};

/** PATCH with an update mask (comma-separated field paths), or a full replacement without one. */
export function updateChannel(
  ps: ProjectState,
  name: string,
  raw: unknown,
  mask: string[],
  record: MutationRecord,
): NotificationChannel {
  const current = getChannel(ps, name);
  const body = objectOf(raw);
  if (body.type !== undefined && body.type !== '' && body.type !== current.type) {
    throw invalidField('notification_channel.type', 'The type of a notification channel cannot be changed', body.type);
  }
  const next: NotificationChannel = {
    ...current,
    labels: { ...current.labels },
    userLabels: { ...current.userLabels },
  };
  const paths = mask.length > 0 ? mask : ['display_name', 'description', 'labels', 'user_labels', 'enabled'];
  for (const path of paths) {
    const field = CHANNEL_FIELDS[path];
    if (!field) throw invalidField('update_mask', 'Unsupported field path', path);
    const v = body[field];
    if (field === 'labels' || field === 'userLabels') next[field] = stringMap(v);
    else if (field === 'enabled') next.enabled = v === undefined || v === null ? true : v === true;
    else if (v === undefined || v === null) delete next[field];
    else next[field] = String(v) as never;
  }
  validate(next, 'notification_channel');
  next.mutationRecords = [...current.mutationRecords, record];
  ps.channels[name] = next;
  return next;
}

/** A channel used by a policy can only be deleted with `force=true` (which also unlinks it). */
export function deleteChannel(ps: ProjectState, name: string, force: boolean): void {
  getChannel(ps, name);
  const users = Object.values(ps.policies).filter((p) => p.notificationChannels.includes(name));
  if (users.length > 0 && !force) {
    throw failedPrecondition(
      `Notification channel ${name} is referenced by alerting policies (${users.map((p) => p.name).join(', ')}); set force=true to delete it anyway.`,
    );
  }
  for (const p of users) p.notificationChannels = p.notificationChannels.filter((c) => c !== name);
  delete ps.channels[name];
}

export function channelJson(ch: NotificationChannel): Record<string, unknown> {
  return { ...ch };
}
