import { ProtobufReader } from './protobuf-reader.js';
import { readKeyValue, readResource, readScope } from './protobuf-common.js';
import type { DecodedDataPoint, DecodedMetric, DecodedResourceMetrics, DecodedScopeMetrics, MetricKind, Temporality } from './model-logs-metrics.js';

/** Decodes an ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) in one pass. */
export function decodeMetricsProtobuf(buf: Uint8Array): DecodedResourceMetrics[] {
  const r = new ProtobufReader(buf);
  const out: DecodedResourceMetrics[] = [];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out.push(readResourceMetrics(r.sub()));
    else r.skip(w);
  }
  return out;
}

function readResourceMetrics(r: ProtobufReader): DecodedResourceMetrics {
  const rm: DecodedResourceMetrics = { resource: {}, scopeMetrics: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) rm.resource = readResource(r.sub());
    else if (f === 2 && w === 2) rm.scopeMetrics.push(readScopeMetrics(r.sub()));
    else r.skip(w);
  }
  return rm;
}

function readScopeMetrics(r: ProtobufReader): DecodedScopeMetrics {
  const sm: DecodedScopeMetrics = { scope: { name: '', version: '' }, metrics: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) sm.scope = readScope(r.sub());
    else if (f === 2 && w === 2) sm.metrics.push(readMetric(r.sub()));
    else r.skip(w);
  }
  return sm;
}

/** Metric data field number → kind. Histogram-like points keep their sum as the value. */
const KINDS: Record<number, MetricKind> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };

function readMetric(r: ProtobufReader): DecodedMetric {
  const m: DecodedMetric = { name: '', description: '', unit: '', kind: 'unknown', temporality: 0, isMonotonic: false, dataPoints: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) m.name = r.string();
    else if (f === 2 && w === 2) m.description = r.string();
    else if (f === 3 && w === 2) m.unit = r.string();
    else if (KINDS[f] && w === 2) {
      m.kind = KINDS[f]!;
      readData(r.sub(), m);
    } else r.skip(w);
  }
  return m;
}

/** Gauge/Sum/Histogram/...: 1 data_points; 2 aggregation_temporality (not on gauge/summary); 3 is_monotonic (sum). */
function readData(r: ProtobufReader, m: DecodedMetric): void {
  const numeric = m.kind === 'gauge' || m.kind === 'sum';
  const attrsField = ATTRIBUTES_FIELD[m.kind];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) m.dataPoints.push(readPoint(r.sub(), numeric, attrsField));
    else if (f === 2 && w === 0 && m.kind !== 'gauge' && m.kind !== 'summary') m.temporality = (r.varint() & 3) as Temporality;
    else if (f === 3 && w === 0 && m.kind === 'sum') m.isMonotonic = r.varint() !== 0;
    else r.skip(w);
  }
}

/** Where each point type keeps its attributes (histogram's field 7 is explicit_bounds, not attributes). */
const ATTRIBUTES_FIELD: Record<MetricKind, number> = { gauge: 7, sum: 7, histogram: 9, exponential_histogram: 1, summary: 7, unknown: 7 };

/**
 * NumberDataPoint: 7 attributes, 2 start, 3 time, 4 as_double, 6 as_int (sfixed64).
 * Histogram, ExponentialHistogram and Summary points share 2 start and 3 time;
 * their sum (field 5, double) stands in as the value.
 */
function readPoint(r: ProtobufReader, numeric: boolean, attrsField: number): DecodedDataPoint {
  const p: DecodedDataPoint = { attributes: {}, startTimeUnixNano: '0', timeUnixNano: '0', value: 0 };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === attrsField && w === 2) readKeyValue(r.sub(), p.attributes);
    else if (f === 2 && w === 1) p.startTimeUnixNano = r.fixed64String();
    else if (f === 3 && w === 1) p.timeUnixNano = r.fixed64String();
    else if (numeric && f === 4 && w === 1) p.value = r.double();
    else if (numeric && f === 6 && w === 1) p.value = sfixed64(r);
    else if (!numeric && f === 5 && w === 1) p.value = r.double();
    else r.skip(w);
  }
  return p;
}

function sfixed64(r: ProtobufReader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
}
