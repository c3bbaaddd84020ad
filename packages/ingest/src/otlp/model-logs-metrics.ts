/**
 * Decoded OTLP logs and metrics, produced alike by the protobuf and JSON
 * decoders (see model.ts for the conventions: attributes flattened to strings,
 * ids lowercase hex, timestamps nanosecond decimal strings).
 */
import type { Attributes, DecodedScope } from './model.js';

export interface DecodedLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  /** The body rendered like an attribute value ('' when absent). */
  body: string;
  attributes: Attributes;
  traceId: string;
  spanId: string;
  /** LogRecord.event_name (field 12); '' when the client sent none. */
  eventName: string;
}

export interface DecodedScopeLogs {
  scope: DecodedScope;
  logRecords: DecodedLogRecord[];
}

export interface DecodedResourceLogs {
  resource: Attributes;
  scopeLogs: DecodedScopeLogs[];
}

/** OTLP AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type Temporality = 0 | 1 | 2;

export interface DecodedDataPoint {
  attributes: Attributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** as_double, as_int, or a histogram/summary's sum. */
  value: number;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'unknown';

export interface DecodedMetric {
  name: string;
  description: string;
  unit: string;
  kind: MetricKind;
  temporality: Temporality;
  isMonotonic: boolean;
  dataPoints: DecodedDataPoint[];
}

export interface DecodedScopeMetrics {
  scope: DecodedScope;
  metrics: DecodedMetric[];
}

export interface DecodedResourceMetrics {
  resource: Attributes;
  scopeMetrics: DecodedScopeMetrics[];
}
