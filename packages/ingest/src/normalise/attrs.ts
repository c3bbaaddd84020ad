import type { Attributes } from '../otlp/model.js';

/** First non-empty value among the keys. */
export function pick(attrs: Attributes, ...keys: string[]): string {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined && v !== '' && v !== '{}') return v;
  }
  return '';
}

/** Non-negative integer from an attribute that may arrive as "12", "12.0" or "". */
export function count(v: string): number {
  if (!v) return 0;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

export function money(v: string): number {
  if (!v) return 0;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** true / false / undefined from "true", "false", "1", "0", booleans rendered as strings. */
export function flag(v: string): boolean | undefined {
  if (v === 'true' || v === '1' || v === 'True') return true;
  if (v === 'false' || v === '0' || v === 'False') return false;
  return undefined;
}
