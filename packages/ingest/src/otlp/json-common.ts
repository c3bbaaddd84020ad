import type { Attributes, DecodedScope } from './model.js';
import { setAttribute } from './attributes.js';

/** Thrown for JSON that is not a valid OTLP request; the route answers 400. */
export class OtlpJsonError extends Error {
  readonly code = 'FULCRUM_OTLP_JSON_INVALID';
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a field by its OTLP/JSON camelCase name or the proto snake_case name some clients send. */
export function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

export function list(o: Obj, camel: string, snake: string, what: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpJsonError(`${what} must be an array`);
  return v;
}

export function obj(v: unknown, what: string): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new OtlpJsonError(`${what} must be an object`);
  return v;
}

export function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new OtlpJsonError(`${what} must be a string`);
  return v;
}

const DIGITS = /^-?\d+$/;

/** int64 fields arrive as JSON strings (per spec) or numbers (many clients). */
export function int64(v: unknown, what: string): string {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v)).toString();
  if (typeof v === 'string' && DIGITS.test(v)) return v.replace(/^(-?)0+(?=\d)/, '$1');
  throw new OtlpJsonError(`${what} must be an integer`);
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** Trace and span ids are hex in OTLP/JSON; some clients send the proto3 base64 form instead. */
export function id(v: unknown, bytes: number, what: string): string {
  const s = str(v, what);
  if (s === '') return '';
  if (s.length === bytes * 2 && HEX_ID.test(s)) return s.toLowerCase();
  const decoded = Buffer.from(s, 'base64');
  if (decoded.length === bytes && /^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return decoded.toString('hex');
  // Neither hex nor base64 of the right size: kept as sent, so a span with it is rejected alone (partial
  // success) and a link's is stored as a hash of the right shape (sanitise.ts), never as sent.
  return s;
}

/** Enums arrive as numbers or as their proto names. */
export function enumValue(v: unknown, names: readonly string[], what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    if (DIGITS.test(v)) return Number(v);
  }
  throw new OtlpJsonError(`${what} is not a known value`);
}

function anyValueTyped(v: unknown, depth: number): unknown {
  if (!isObj(v)) return null;
  if (depth > 32) throw new OtlpJsonError('attribute value nested deeper than 32 levels');
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) return b === true || b === 'true';
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return Number(int64(i, 'intValue'));
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) return typeof d === 'number' ? d : Number(d);
  const a = field(v, 'arrayValue', 'array_value');
  if (a !== undefined) return list(obj(a, 'arrayValue'), 'values', 'values', 'arrayValue.values').map((x) => anyValueTyped(x, depth + 1));
  const kv = field(v, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) {
    const out: Record<string, unknown> = {};
    for (const e of list(obj(kv, 'kvlistValue'), 'values', 'values', 'kvlistValue.values')) {
      const eo = obj(e, 'kvlist entry');
      setAttribute(out, str(eo.key, 'key'), anyValueTyped(eo.value, depth + 1));
    }
    return out;
  }
  const by = field(v, 'bytesValue', 'bytes_value');
  if (by !== undefined) return str(by, 'bytesValue');
  return null;
}

/** Renders an AnyValue as the string stored in a Map(String, String); matches the protobuf decoder. */
export function anyValue(v: unknown): string {
  if (!isObj(v)) return '';
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) return typeof s === 'string' ? s : String(s);
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) return b === true || b === 'true' ? 'true' : 'false';
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return int64(i, 'intValue');
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) return String(typeof d === 'number' ? d : Number(d));
  const typed = anyValueTyped(v, 0);
  return typed === null ? '' : typeof typed === 'string' ? typed : JSON.stringify(typed);
}

export function attributes(v: unknown, what: string, into: Attributes = {}): Attributes {
  if (v === undefined || v === null) return into;
  if (!Array.isArray(v)) throw new OtlpJsonError(`${what} must be an array`);
  for (const kv of v) {
    if (!isObj(kv)) throw new OtlpJsonError(`${what} entries must be objects`);
    setAttribute(into, str(kv.key, `${what} key`), anyValue(kv.value));
  }
  return into;
}

export function resource(v: unknown): Attributes {
  return attributes(obj(v, 'resource').attributes, 'resource.attributes');
}

export function scope(v: unknown): DecodedScope {
  const o = obj(v, 'scope');
  return { name: str(o.name, 'scope.name'), version: str(o.version, 'scope.version') };
}
