/**
 * A private copy of tool arguments taken when the call starts, so attributes
 * computed later (at export) describe the arguments as they were then, even if
 * the tool or the harness mutates them afterwards.
 *
 * Only plain data is copied: primitives, plain arrays and plain objects. Such a
 * copy gives stableStringify and describeToolCall exactly the results the
 * original would. Anything else (Date, Map, class instances, cycles, very deep
 * or large values) answers UNSUPPORTED and the caller computes eagerly instead,
 * which also bounds how much a deferred span keeps alive until export.
 */

export const UNSUPPORTED: unique symbol = Symbol('fulcrum.args.unsupported');

const MAX_DEPTH = 8;
const MAX_NODES = 256;
/** Characters of string data kept per call until export (the batch queue holds up to 2048 spans). */
const MAX_CHARS = 32_768;

// Budget counters: module-level so the hot path allocates nothing but the copy.
let nodes = 0;
let chars = 0;

const hasOwn = Object.prototype.hasOwnProperty;

function copy(v: unknown, depth: number): unknown {
  if (typeof v === 'string') {
    chars += v.length;
    return v;
  }
  // number, boolean, bigint, symbol, undefined, function, null: immutable or ignored alike.
  if (typeof v !== 'object' || v === null) return v;
  if (depth >= MAX_DEPTH) return UNSUPPORTED;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Array.prototype) {
    const a = v as unknown[];
    const n = a.length;
    if ((nodes += n) > MAX_NODES) return UNSUPPORTED;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const c = copy(a[i], depth + 1);
      if (c === UNSUPPORTED) return UNSUPPORTED;
      out[i] = c; // holes become undefined: both serialise as null and describe alike
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return UNSUPPORTED;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const k in v) {
    if (!hasOwn.call(v, k)) continue; // inherited keys are ignored by both serialisers
    if (k === '__proto__' || ++nodes > MAX_NODES) return UNSUPPORTED;
    const c = copy((v as Record<string, unknown>)[k], depth + 1);
    if (c === UNSUPPORTED) return UNSUPPORTED;
    out[k] = c;
  }
  return out;
}

/**
 * A plain-data copy of args, or UNSUPPORTED when it cannot be copied faithfully
 * and cheaply, or reading it throws (a getter, a proxy trap): the eager path
 * then records the call without its argument attributes. Never throws.
 */
export function snapshotArgs(args: unknown): unknown {
  nodes = 0;
  chars = 0;
  let c: unknown;
  try {
    c = copy(args, 0);
  } catch {
    return UNSUPPORTED;
  }
  return chars > MAX_CHARS ? UNSUPPORTED : c;
}
