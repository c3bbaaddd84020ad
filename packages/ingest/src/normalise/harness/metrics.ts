import { createHash } from 'node:crypto';
import type { SessionMetricRow } from '@fulcrum/store';
import type { DecodedResourceMetrics, DecodedMetric, DecodedDataPoint } from '../../otlp/model-logs-metrics.js';
import type { Attributes } from '../../otlp/model.js';
import { activityOf } from './activity.js';
import { harnessOf, pickAttr, sessionOf } from './harness.js';

export interface NormalisedMetrics {
  rows: SessionMetricRow[];
  /** Data points that name no session: valid, but not attributable, so not stored. */
  unattributed: number;
}

/** Attributes that identify the session or the person, not the series. */
const IDENTITY = new Set(['session.id', 'conversation.id', 'user.id', 'user.email', 'user.account_uuid', 'organization.id', 'terminal.type', 'installation.id']);

/** Metric data points → per-session counter rows (see session-metrics.ts for delta vs cumulative). */
export function normaliseMetrics(resourceMetrics: DecodedResourceMetrics[], project: string): NormalisedMetrics {
  const out: NormalisedMetrics = { rows: [], unattributed: 0 };
  for (const rm of resourceMetrics) {
    const harness = harnessOf(rm.resource) ?? rm.resource['service.name'] ?? '';
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        for (const p of m.dataPoints) {
          const row = pointRow(m, p, rm.resource, project, harness);
          if (row) out.rows.push(row);
          else out.unattributed++;
        }
      }
    }
  }
  return out;
}

function pointRow(m: DecodedMetric, p: DecodedDataPoint, resource: Attributes, project: string, harness: string): SessionMetricRow | undefined {
  const a = p.attributes;
  const sessionId = sessionOf(a, resource);
  if (!sessionId) return undefined;
  const temporality = m.kind === 'gauge' || m.temporality === 0 ? 'gauge' : m.temporality === 1 ? 'delta' : 'cumulative';
  // A gauge has no window: every point of the series shares one key so the latest wins.
  const start = temporality === 'gauge' ? '0' : p.startTimeUnixNano;
  return {
    Project: project,
    SessionId: sessionId,
    Activity: activityOf(m.name, a),
    SeriesKey: seriesKey(m.name, a),
    StartTime: start,
    Time: p.timeUnixNano,
    Value: p.value,
    MetricName: m.name,
    Unit: m.unit,
    Temporality: temporality,
    Harness: harness,
    Team: pickAttr(a, 'team.name', 'fulcrum.team') || pickAttr(resource, 'team.name', 'fulcrum.team'),
    UserId: pickAttr(a, 'user.id', 'user.email') || pickAttr(resource, 'user.id'),
    Model: pickAttr(a, 'model', 'gen_ai.response.model', 'gen_ai.request.model'),
    Attributes: a,
    Version: p.timeUnixNano,
  };
}

function seriesKey(name: string, a: Attributes): string {
  const parts = Object.keys(a).filter((k) => !IDENTITY.has(k)).sort().map((k) => `${k}=${a[k]}`);
  return createHash('sha1').update(`${name}\n${parts.join('\n')}`).digest('hex').slice(0, 16);
}
