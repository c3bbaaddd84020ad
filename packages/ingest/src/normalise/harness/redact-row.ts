import type { SpanRow } from '@fulcrum/store';

const COLUMNS = ['Command', 'SearchPattern', 'FilePath', 'StatusMessage'] as const;

/** Redacts secrets in every stored string that may carry user content (the same columns span.ts redacts). */
export function redactRow(row: SpanRow, redact: (s: string) => string): SpanRow {
  for (const c of COLUMNS) if (row[c]) row[c] = redact(row[c]);
  row.SpanAttributes = redactMap(row.SpanAttributes, redact);
  row.ResourceAttributes = redactMap(row.ResourceAttributes, redact);
  row.Events = row.Events.map((e) => ({ ...e, Attributes: redactMap(e.Attributes, redact) }));
  return row;
}

function redactMap(m: Record<string, string>, redact: (s: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in m) {
    const v = m[k]!;
    out[k] = v.length >= 8 ? redact(v) : v;
  }
  return out;
}
