import type { Adapter, Kind } from '../types';
import { computeAdapter, isComputeKind } from './compute';
import { dnsRecordAdapter, dnsZoneAdapter } from './dns';
import { iamBindingsAdapter, serviceAccountAdapter } from './iam';
import { alertPolicyAdapter, channelAdapter } from './monitoring';
import { topicAdapter, topicIamAdapter } from './pubsub';

export function adapterFor(kind: Kind): Adapter {
  if (isComputeKind(kind)) return computeAdapter;
  switch (kind) {
    case 'dnsManagedZone':
      return dnsZoneAdapter;
    case 'dnsRecordSet':
      return dnsRecordAdapter;
    case 'pubsubTopic':
      return topicAdapter;
    case 'pubsubTopicIam':
      return topicIamAdapter;
    case 'notificationChannel':
      return channelAdapter;
    case 'alertPolicy':
      return alertPolicyAdapter;
    case 'serviceAccount':
      return serviceAccountAdapter;
    case 'projectIamBindings':
      return iamBindingsAdapter;
    default:
      throw new Error(`no adapter for ${kind}`);
  }
}
