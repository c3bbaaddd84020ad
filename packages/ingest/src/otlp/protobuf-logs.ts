import { ProtobufReader } from './protobuf-reader.js';
import { readAnyValue, readKeyValue, readResource, readScope } from './protobuf-common.js';
import type { DecodedLogRecord, DecodedResourceLogs, DecodedScopeLogs } from './model-logs-metrics.js';

/** Decodes an ExportLogsServiceRequest (opentelemetry/proto/collector/logs/v1) in one pass. */
export function decodeLogsProtobuf(buf: Uint8Array): DecodedResourceLogs[] {
  const r = new ProtobufReader(buf);
  const out: DecodedResourceLogs[] = [];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out.push(readResourceLogs(r.sub()));
    else r.skip(w);
  }
  return out;
}

function readResourceLogs(r: ProtobufReader): DecodedResourceLogs {
  const rl: DecodedResourceLogs = { resource: {}, scopeLogs: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) rl.resource = readResource(r.sub());
    else if (f === 2 && w === 2) rl.scopeLogs.push(readScopeLogs(r.sub()));
    else r.skip(w);
  }
  return rl;
}

function readScopeLogs(r: ProtobufReader): DecodedScopeLogs {
  const sl: DecodedScopeLogs = { scope: { name: '', version: '' }, logRecords: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) sl.scope = readScope(r.sub());
    else if (f === 2 && w === 2) sl.logRecords.push(readLogRecord(r.sub()));
    else r.skip(w);
  }
  return sl;
}

function readLogRecord(r: ProtobufReader): DecodedLogRecord {
  const l: DecodedLogRecord = {
    timeUnixNano: '0', observedTimeUnixNano: '0', severityNumber: 0, severityText: '', body: '',
    attributes: {}, traceId: '', spanId: '', eventName: '',
  };
  while (!r.done()) {
    const [f, w] = r.tag();
    switch (f) {
      case 1: if (w === 1) { l.timeUnixNano = r.fixed64String(); continue; } break;
      case 11: if (w === 1) { l.observedTimeUnixNano = r.fixed64String(); continue; } break;
      case 2: if (w === 0) { l.severityNumber = r.varint(); continue; } break;
      case 3: if (w === 2) { l.severityText = r.string(); continue; } break;
      case 5: if (w === 2) { l.body = readAnyValue(r.sub()); continue; } break;
      case 6: if (w === 2) { readKeyValue(r.sub(), l.attributes); continue; } break;
      case 9: if (w === 2) { l.traceId = r.hex(); continue; } break;
      case 10: if (w === 2) { l.spanId = r.hex(); continue; } break;
      case 12: if (w === 2) { l.eventName = r.string(); continue; } break;
    }
    r.skip(w);
  }
  return l;
}
