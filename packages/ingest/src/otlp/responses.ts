/** Encoders for the few small messages ingest answers with (google.rpc.Status, Export*ServiceResponse). */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array | number[]): number[] {
  return [(field << 3) | 2, ...varint(bytes.length), ...bytes];
}

export type OtlpEncoding = 'protobuf' | 'json';

/** google.rpc.Status { code = 1; message = 2 }. */
export function encodeStatus(code: number, message: string, encoding: OtlpEncoding): Buffer | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  const msg = Buffer.from(message, 'utf8');
  return Buffer.from([(1 << 3) | 0, ...varint(code), ...lengthDelimited(2, msg)]);
}

/** The signal's rejected-count field name in OTLP/JSON. */
export type RejectedField = 'rejectedSpans' | 'rejectedLogRecords' | 'rejectedDataPoints';

/**
 * Export{Trace,Logs,Metrics}ServiceResponse. All three have partial_success = 1
 * holding { rejected_* = 1 (int64); error_message = 2 }, so one encoder serves.
 */
export function encodeExportResponse(rejected: number, errorMessage: string, field: RejectedField, encoding: OtlpEncoding): Buffer | string {
  if (encoding === 'json') {
    return rejected > 0 || errorMessage ? JSON.stringify({ partialSuccess: { [field]: String(rejected), errorMessage } }) : '{}';
  }
  if (rejected === 0 && !errorMessage) return Buffer.alloc(0);
  const inner = [(1 << 3) | 0, ...varint(rejected), ...lengthDelimited(2, Buffer.from(errorMessage, 'utf8'))];
  return Buffer.from(lengthDelimited(1, inner));
}
