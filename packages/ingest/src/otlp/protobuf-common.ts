import { ProtobufDecodeError, ProtobufReader } from './protobuf-reader.js';
import type { Attributes, DecodedScope } from './model.js';
import { setAttribute } from './attributes.js';

/** Reads an AnyValue and renders it as the string stored in a Map(String, String). */
export function readAnyValue(r: ProtobufReader): string {
  let out = '';
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out = r.string();
    else if (f === 2 && w === 0) out = r.varint() ? 'true' : 'false';
    else if (f === 3 && w === 0) out = r.int64String();
    else if (f === 4 && w === 1) out = String(r.double());
    else if (f === 5 && w === 2) out = JSON.stringify(readArrayValue(r.sub(), 1));
    else if (f === 6 && w === 2) out = JSON.stringify(readKvList(r.sub(), 1));
    else if (f === 7 && w === 2) out = Buffer.from(r.buf.subarray(...r.span())).toString('base64');
    else r.skip(w);
  }
  return out;
}

// As deep as the JSON decoder allows; a few bytes per level would otherwise overflow the stack.
const MAX_DEPTH = 32;

/** Nested values keep their JSON types so a stored array or map stays readable. */
function readAnyValueTyped(r: ProtobufReader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`attribute value nested deeper than ${MAX_DEPTH} levels`);
  let out: unknown = null;
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out = r.string();
    else if (f === 2 && w === 0) out = r.varint() !== 0;
    else if (f === 3 && w === 0) out = Number(r.int64String());
    else if (f === 4 && w === 1) out = r.double();
    else if (f === 5 && w === 2) out = readArrayValue(r.sub(), depth + 1);
    else if (f === 6 && w === 2) out = readKvList(r.sub(), depth + 1);
    else if (f === 7 && w === 2) out = Buffer.from(r.buf.subarray(...r.span())).toString('base64');
    else r.skip(w);
  }
  return out;
}

function readArrayValue(r: ProtobufReader, depth: number): unknown[] {
  const out: unknown[] = [];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) out.push(readAnyValueTyped(r.sub(), depth));
    else r.skip(w);
  }
  return out;
}

function readKvList(r: ProtobufReader, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) {
      const kv = r.sub();
      let key = '';
      let value: unknown = null;
      while (!kv.done()) {
        const [kf, kw] = kv.tag();
        if (kf === 1 && kw === 2) key = kv.string();
        else if (kf === 2 && kw === 2) value = readAnyValueTyped(kv.sub(), depth);
        else kv.skip(kw);
      }
      setAttribute(out, key, value);
    } else r.skip(w);
  }
  return out;
}

/** Reads one KeyValue into attrs. */
export function readKeyValue(r: ProtobufReader, attrs: Attributes): void {
  let key = '';
  let value = '';
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) key = r.string();
    else if (f === 2 && w === 2) value = readAnyValue(r.sub());
    else r.skip(w);
  }
  setAttribute(attrs, key, value);
}

/** Resource: attributes = 1. */
export function readResource(r: ProtobufReader): Attributes {
  const attrs: Attributes = {};
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) readKeyValue(r.sub(), attrs);
    else r.skip(w);
  }
  return attrs;
}

/** InstrumentationScope: name = 1, version = 2. */
export function readScope(r: ProtobufReader): DecodedScope {
  const scope: DecodedScope = { name: '', version: '' };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) scope.name = r.string();
    else if (f === 2 && w === 2) scope.version = r.string();
    else r.skip(w);
  }
  return scope;
}
