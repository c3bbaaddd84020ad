import type { DecodedLogRecord, DecodedResourceLogs } from './model-logs-metrics.js';
import { OtlpJsonError, anyValue, attributes, enumValue, field, id, int64, isObj, list, obj, resource, scope, str } from './json-common.js';

const SEVERITIES = ['SEVERITY_NUMBER_UNSPECIFIED', ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((l) => [l, `${l}2`, `${l}3`, `${l}4`].map((n) => `SEVERITY_NUMBER_${n}`))];

/** Decodes an already parsed OTLP/JSON ExportLogsServiceRequest. */
export function decodeLogsJson(body: unknown): DecodedResourceLogs[] {
  if (!isObj(body)) throw new OtlpJsonError('request body must be a JSON object');
  return list(body, 'resourceLogs', 'resource_logs', 'resourceLogs').map((rlv) => {
    const rl = obj(rlv, 'resourceLogs[]');
    return {
      resource: resource(rl.resource),
      scopeLogs: list(rl, 'scopeLogs', 'scope_logs', 'scopeLogs').map((slv) => {
        const sl = obj(slv, 'scopeLogs[]');
        return { scope: scope(sl.scope), logRecords: list(sl, 'logRecords', 'log_records', 'logRecords').map(logRecord) };
      }),
    };
  });
}

function logRecord(v: unknown): DecodedLogRecord {
  const l = obj(v, 'logRecord');
  return {
    timeUnixNano: int64(field(l, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
    observedTimeUnixNano: int64(field(l, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano'),
    severityNumber: enumValue(field(l, 'severityNumber', 'severity_number'), SEVERITIES, 'severityNumber'),
    severityText: str(field(l, 'severityText', 'severity_text'), 'severityText'),
    body: anyValue(l.body),
    attributes: attributes(l.attributes, 'logRecord.attributes'),
    traceId: id(field(l, 'traceId', 'trace_id'), 16, 'traceId'),
    spanId: id(field(l, 'spanId', 'span_id'), 8, 'spanId'),
    eventName: str(field(l, 'eventName', 'event_name'), 'eventName'),
  };
}
