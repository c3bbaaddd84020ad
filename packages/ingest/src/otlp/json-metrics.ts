import type { DecodedDataPoint, DecodedMetric, DecodedResourceMetrics, MetricKind, Temporality } from './model-logs-metrics.js';
import { OtlpJsonError, attributes, enumValue, field, int64, isObj, list, obj, resource, scope, str } from './json-common.js';

const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];
const KINDS: [string, string, MetricKind][] = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

/** Decodes an already parsed OTLP/JSON ExportMetricsServiceRequest. */
export function decodeMetricsJson(body: unknown): DecodedResourceMetrics[] {
  if (!isObj(body)) throw new OtlpJsonError('request body must be a JSON object');
  return list(body, 'resourceMetrics', 'resource_metrics', 'resourceMetrics').map((rmv) => {
    const rm = obj(rmv, 'resourceMetrics[]');
    return {
      resource: resource(rm.resource),
      scopeMetrics: list(rm, 'scopeMetrics', 'scope_metrics', 'scopeMetrics').map((smv) => {
        const sm = obj(smv, 'scopeMetrics[]');
        return { scope: scope(sm.scope), metrics: list(sm, 'metrics', 'metrics', 'metrics').map(metric) };
      }),
    };
  });
}

function metric(v: unknown): DecodedMetric {
  const m = obj(v, 'metric');
  const out: DecodedMetric = {
    name: str(m.name, 'metric.name'), description: str(m.description, 'metric.description'), unit: str(m.unit, 'metric.unit'),
    kind: 'unknown', temporality: 0, isMonotonic: false, dataPoints: [],
  };
  for (const [camel, snake, kind] of KINDS) {
    const data = field(m, camel, snake);
    if (data === undefined || data === null) continue;
    const d = obj(data, `metric.${camel}`);
    out.kind = kind;
    out.temporality = (enumValue(field(d, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITIES, 'aggregationTemporality') & 3) as Temporality;
    out.isMonotonic = field(d, 'isMonotonic', 'is_monotonic') === true;
    out.dataPoints = list(d, 'dataPoints', 'data_points', 'dataPoints').map((p) => point(p, kind === 'gauge' || kind === 'sum'));
    break;
  }
  return out;
}

function point(v: unknown, numeric: boolean): DecodedDataPoint {
  const p = obj(v, 'dataPoint');
  const raw = numeric ? (field(p, 'asDouble', 'as_double') ?? field(p, 'asInt', 'as_int')) : p.sum;
  return {
    attributes: attributes(p.attributes, 'dataPoint.attributes'),
    startTimeUnixNano: int64(field(p, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    timeUnixNano: int64(field(p, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
    value: number(raw),
  };
}

/** asInt arrives as a string (per spec) or a number; asDouble as a number or "NaN"/"Infinity" strings. */
function number(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (typeof v !== 'number' && typeof v !== 'string') throw new OtlpJsonError('data point value must be a number');
  return Number.isFinite(n) ? n : 0;
}
