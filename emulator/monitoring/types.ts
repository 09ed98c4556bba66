/** Plain-JSON state of the Monitoring twin (snapshot/restore writes these as they are). */

export interface LabelDescriptor {
  key: string;
  valueType: string;
  description?: string;
}

export interface MetricDescriptor {
  name: string;
  type: string;
  labels: LabelDescriptor[];
  metricKind: string;
  valueType: string;
  unit?: string;
  description?: string;
  displayName?: string;
  launchStage?: string;
  monitoredResourceTypes?: string[];
  /** Internal: created by a time series write, so new labels are added as they appear. */
  autoCreated?: boolean;
}

export interface Distribution {
  count: number;
  mean: number;
  sumOfSquaredDeviation: number;
  bucketOptions?: Record<string, unknown>;
  bucketCounts: number[];
}

export type PointValue = number | boolean | string | Distribution;

export interface Point {
  /** epoch ms; equals `end` for GAUGE points. */
  start: number;
  end: number;
  value: PointValue;
  /** Virtual time from which reads see the point (Google's ingestion latency); absent = at once. */
  visibleAt?: number;
}

export interface Labeled {
  type: string;
  labels: Record<string, string>;
}

/** A time series; points ascending by end time (API output is newest first). */
export interface Series {
  metric: Labeled;
  resource: Labeled;
  metricKind: string;
  valueType: string;
  unit?: string;
  points: Point[];
}

export interface MutationRecord {
  mutateTime: string;
  mutatedBy: string;
}

export interface NotificationChannel {
  name: string;
  type: string;
  displayName?: string;
  description?: string;
  labels: Record<string, string>;
  userLabels: Record<string, string>;
  enabled: boolean;
  creationRecord: MutationRecord;
  mutationRecords: MutationRecord[];
}

/** An alert policy in proto3 JSON form with enum names (see policies.ts for the accepted subset). */
export interface AlertPolicy {
  name: string;
  displayName: string;
  documentation?: Record<string, unknown>;
  userLabels: Record<string, string>;
  conditions: Condition[];
  combiner: string;
  enabled: boolean;
  notificationChannels: string[];
  alertStrategy?: Record<string, unknown>;
  severity?: string;
  creationRecord: MutationRecord;
  mutationRecord: MutationRecord;
}

export interface AggregationSpec {
  alignmentPeriod?: string;
  perSeriesAligner?: string;
  crossSeriesReducer?: string;
  groupByFields?: string[];
}

export interface Condition {
  name: string;
  displayName?: string;
  conditionThreshold?: {
    filter: string;
    aggregations?: AggregationSpec[];
    denominatorFilter?: string;
    denominatorAggregations?: AggregationSpec[];
    comparison: string;
    thresholdValue?: number;
    duration?: string;
    trigger?: { count?: number; percent?: number };
    evaluationMissingData?: string;
  };
  conditionAbsent?: {
    filter: string;
    aggregations?: AggregationSpec[];
    duration?: string;
    trigger?: { count?: number; percent?: number };
  };
  /** Other condition types (MQL, PromQL, log match, SQL) are stored but never evaluated. */
  [other: string]: unknown;
}

export interface Incident {
  incidentId: string;
  project: string;
  policy: string;
  condition: string;
  seriesKey: string;
  metric: Labeled;
  resource: Labeled;
  state: 'open' | 'closed';
  startedAt: number;
  endedAt: number | null;
  observedValue: string;
}

/** A notification waiting for Google's notification delay (timings.alertNotificationMs). */
export interface PendingNotification {
  dueAt: number;
  incidentId: string;
  state: 'open' | 'closed';
  channel: string;
  topic: string;
  /** The schema 1.2 JSON, built when the incident opened or closed. */
  data: string;
}

export interface Delivery {
  /** Virtual time the message was published. */
  at: number;
  incidentId: string;
  state: 'open' | 'closed';
  channel: string;
  topic: string;
  messageId?: string;
  error?: string;
}

/** Per (policy, condition, series): the evaluator's memory between runs. */
export interface SeriesEvalState {
  holding: boolean;
  since: number | null;
  lastSeen: number;
  lastValue?: number;
  metric: Labeled;
  resource: Labeled;
}

export interface ProjectState {
  descriptors: Record<string, MetricDescriptor>;
  series: Record<string, Series>;
  channels: Record<string, NotificationChannel>;
  policies: Record<string, AlertPolicy>;
}

export interface MonitoringState {
  projects: Record<string, ProjectState>;
  incidents: Record<string, Incident>;
  evalState: Record<string, SeriesEvalState>;
  deliveries: Delivery[];
  /** Notifications not yet published (absent in snapshots of older twins). */
  outbox?: PendingNotification[];
  lastEvaluation: number;
  seq: number;
}
