import { ProtobufReader } from './protobuf-reader.js';
import { readKeyValue, readResource, readScope } from './protobuf-common.js';
import type { DecodedEvent, DecodedLink, DecodedResourceSpans, DecodedScopeSpans, DecodedSpan } from './model.js';

/** Decodes an ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1). */
export function decodeTracesProtobuf(buf: Uint8Array): DecodedResourceSpans[] {
  const r = new ProtobufReader(buf);
  const out: DecodedResourceSpans[] = [];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out.push(readResourceSpans(r.sub()));
    else r.skip(w);
  }
  return out;
}

function readResourceSpans(r: ProtobufReader): DecodedResourceSpans {
  const rs: DecodedResourceSpans = { resource: {}, scopeSpans: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) rs.resource = readResource(r.sub());
    else if (f === 2 && w === 2) rs.scopeSpans.push(readScopeSpans(r.sub()));
    else r.skip(w);
  }
  return rs;
}

function readScopeSpans(r: ProtobufReader): DecodedScopeSpans {
  const ss: DecodedScopeSpans = { scope: { name: '', version: '' }, spans: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) ss.scope = readScope(r.sub());
    else if (f === 2 && w === 2) ss.spans.push(readSpan(r.sub()));
    else r.skip(w);
  }
  return ss;
}

function readSpan(r: ProtobufReader): DecodedSpan {
  const s: DecodedSpan = {
    traceId: '', spanId: '', parentSpanId: '', traceState: '', name: '', kind: 0,
    startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: {}, events: [], links: [],
    statusCode: 0, statusMessage: '',
  };
  while (!r.done()) {
    const [f, w] = r.tag();
    switch (f) {
      case 1: if (w === 2) { s.traceId = r.hex(); continue; } break;
      case 2: if (w === 2) { s.spanId = r.hex(); continue; } break;
      case 3: if (w === 2) { s.traceState = r.string(); continue; } break;
      case 4: if (w === 2) { s.parentSpanId = r.hex(); continue; } break;
      case 5: if (w === 2) { s.name = r.string(); continue; } break;
      case 6: if (w === 0) { s.kind = r.varint(); continue; } break;
      case 7: if (w === 1) { s.startTimeUnixNano = r.fixed64String(); continue; } break;
      case 8: if (w === 1) { s.endTimeUnixNano = r.fixed64String(); continue; } break;
      case 9: if (w === 2) { readKeyValue(r.sub(), s.attributes); continue; } break;
      case 11: if (w === 2) { s.events.push(readEvent(r.sub())); continue; } break;
      case 13: if (w === 2) { s.links.push(readLink(r.sub())); continue; } break;
      case 15: if (w === 2) { readStatus(r.sub(), s); continue; } break;
    }
    r.skip(w);
  }
  return s;
}

function readEvent(r: ProtobufReader): DecodedEvent {
  const e: DecodedEvent = { timeUnixNano: '0', name: '', attributes: {} };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 1) e.timeUnixNano = r.fixed64String();
    else if (f === 2 && w === 2) e.name = r.string();
    else if (f === 3 && w === 2) readKeyValue(r.sub(), e.attributes);
    else r.skip(w);
  }
  return e;
}

function readLink(r: ProtobufReader): DecodedLink {
  const l: DecodedLink = { traceId: '', spanId: '', traceState: '', attributes: {} };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) l.traceId = r.hex();
    else if (f === 2 && w === 2) l.spanId = r.hex();
    else if (f === 3 && w === 2) l.traceState = r.string();
    else if (f === 4 && w === 2) readKeyValue(r.sub(), l.attributes);
    else r.skip(w);
  }
  return l;
}

function readStatus(r: ProtobufReader, s: DecodedSpan): void {
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 2 && w === 2) s.statusMessage = r.string();
    else if (f === 3 && w === 0) s.statusCode = r.varint();
    else r.skip(w);
  }
}
