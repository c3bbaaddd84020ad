import { emptySpanRow, type SpanRow } from '@fulcrum/store';
import type { DecodedLogRecord } from '../../otlp/model-logs-metrics.js';
import type { Attributes, DecodedScope } from '../../otlp/model.js';
import { count } from '../attrs.js';
import { derivedSpanId, derivedTraceId } from './ids.js';
import { pickAttr, sessionOf, type HarnessName } from './harness.js';

/** The record's own time, or when the exporter observed it (Codex leaves time at 0). */
export function logTime(r: DecodedLogRecord): string {
  return r.timeUnixNano !== '0' ? r.timeUnixNano : r.observedTimeUnixNano;
}

/**
 * A row for one harness event, keyed (kind, key) within its session so the
 * same call reported again, or by a trace span, lands on the same row. The
 * trace id is the record's own when it has one, else derived from the session.
 */
export function logRow(r: DecodedLogRecord, resource: Attributes, scope: DecodedScope, project: string, harness: HarnessName, name: string, kind: string, key: string): SpanRow {
  const a = r.attributes;
  const row = emptySpanRow();
  row.Project = project;
  row.SessionId = sessionOf(a, resource);
  row.TraceId = r.traceId || derivedTraceId(row.SessionId);
  row.SpanId = derivedSpanId(row.SessionId, kind, key);
  row.SpanName = name;
  row.ServiceName = resource['service.name'] ?? '';
  row.ResourceAttributes = resource;
  row.ScopeName = scope.name;
  row.ScopeVersion = scope.version;
  row.SpanAttributes = a;
  row.Harness = harness;
  // Harnesses take these from OTEL_RESOURCE_ATTRIBUTES (docs/harnesses.md); Claude Code also copies them onto each event.
  row.Team = pickAttr(a, 'team.name', 'fulcrum.team') || pickAttr(resource, 'team.name', 'fulcrum.team');
  row.Repository = pickAttr(a, 'fulcrum.repository', 'vcs.repository.name', 'vcs.repository.url.full') || pickAttr(resource, 'fulcrum.repository', 'vcs.repository.name', 'vcs.repository.url.full');
  row.UseCase = pickAttr(a, 'fulcrum.use_case') || pickAttr(resource, 'fulcrum.use_case');
  row.UserId = pickAttr(a, 'user.id', 'user.email') || pickAttr(resource, 'user.id');
  row.Source = 'otlp-logs';
  const end = logTime(r);
  const durationNs = Math.round(Number(a.duration_ms ?? 0) * 1e6) || 0;
  // duration_ms is client text: "1e400" is Infinity, which BigInt() below would throw on (a 5xx).
  const start = Number.isSafeInteger(durationNs) && durationNs > 0 && /^\d+$/.test(end) && end !== '0' ? BigInt(end) - BigInt(durationNs) : undefined;
  row.Duration = Number.isSafeInteger(durationNs) && durationNs > 0 ? durationNs : 0;
  // Events are logged when a call ends; the row starts when the call did.
  row.Timestamp = start !== undefined && start > 0n ? start.toString() : end;
  row.ResultSize = count(a.tool_result_size_bytes ?? '');
  return row;
}
