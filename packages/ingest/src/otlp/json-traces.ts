import type { DecodedResourceSpans, DecodedSpan } from './model.js';
import { OtlpJsonError, attributes, enumValue, field, id, int64, isObj, list, obj, resource, scope, str } from './json-common.js';

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** Decodes an already parsed OTLP/JSON ExportTraceServiceRequest. */
export function decodeTracesJson(body: unknown): DecodedResourceSpans[] {
  if (!isObj(body)) throw new OtlpJsonError('request body must be a JSON object');
  return list(body, 'resourceSpans', 'resource_spans', 'resourceSpans').map((rsv) => {
    const rs = obj(rsv, 'resourceSpans[]');
    return {
      resource: resource(rs.resource),
      scopeSpans: list(rs, 'scopeSpans', 'scope_spans', 'scopeSpans').map((ssv) => {
        const ss = obj(ssv, 'scopeSpans[]');
        return { scope: scope(ss.scope), spans: list(ss, 'spans', 'spans', 'spans').map(span) };
      }),
    };
  });
}

function span(v: unknown): DecodedSpan {
  const s = obj(v, 'span');
  const status = obj(s.status, 'status');
  return {
    traceId: id(field(s, 'traceId', 'trace_id'), 16, 'traceId'),
    spanId: id(field(s, 'spanId', 'span_id'), 8, 'spanId'),
    parentSpanId: id(field(s, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId'),
    traceState: str(field(s, 'traceState', 'trace_state'), 'traceState'),
    name: str(s.name, 'span.name'),
    kind: enumValue(s.kind, SPAN_KINDS, 'span.kind'),
    startTimeUnixNano: int64(field(s, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTimeUnixNano: int64(field(s, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: attributes(s.attributes, 'span.attributes'),
    events: list(s, 'events', 'events', 'events').map((ev) => {
      const e = obj(ev, 'event');
      return { timeUnixNano: int64(field(e, 'timeUnixNano', 'time_unix_nano'), 'event.timeUnixNano'), name: str(e.name, 'event.name'), attributes: attributes(e.attributes, 'event.attributes') };
    }),
    links: list(s, 'links', 'links', 'links').map((lv) => {
      const l = obj(lv, 'link');
      return {
        traceId: id(field(l, 'traceId', 'trace_id'), 16, 'link.traceId'),
        spanId: id(field(l, 'spanId', 'span_id'), 8, 'link.spanId'),
        traceState: str(field(l, 'traceState', 'trace_state'), 'link.traceState'),
        attributes: attributes(l.attributes, 'link.attributes'),
      };
    }),
    statusCode: enumValue(status.code, STATUS_CODES, 'status.code'),
    statusMessage: str(status.message, 'status.message'),
  };
}
