/**
 * A growable buffer writing ClickHouse RowBinary. The engine parses RowBinary
 * with almost no work per value (no escaping, no number parsing), which makes
 * it the cheapest insert format by far for wide rows with maps.
 */
export class RowBinaryWriter {
  buf: Buffer;
  pos = 0;
  constructor(initial = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.#ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const n = s.length;
    this.#ensure(n * 3 + 10);
    const buf = this.buf;
    // Short ASCII strings (ids, keys, names) are copied in JS: a native write per value costs more than the copy.
    if (n < 128) {
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.pos += buf.write(s, this.pos, 'utf8');
  }

  u8(v: number): void {
    this.#ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.#ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Unsigned 64-bit from a JS number (exact below 2^53, which token counts and durations stay under). */
  u64(v: number): void {
    this.#ensure(8);
    const lo = v % 0x100000000;
    this.buf.writeUInt32LE(lo, this.pos);
    this.buf.writeUInt32LE((v - lo) / 0x100000000, this.pos + 4);
    this.pos += 8;
  }

  /** Signed 64-bit from a JS integer (milliseconds since the epoch). */
  i64(v: number): void {
    this.#ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(v)), this.pos);
    this.pos += 8;
  }

  /** Unsigned 64-bit from a decimal string. */
  u64String(s: string): void {
    this.#ensure(8);
    this.buf.writeBigUInt64LE(BigInt(s), this.pos);
    this.pos += 8;
  }

  /** Signed 64-bit from a decimal string (nanosecond timestamps exceed 2^53). */
  i64String(s: string): void {
    this.#ensure(8);
    this.buf.writeBigInt64LE(BigInt(s), this.pos);
    this.pos += 8;
  }

  f64(v: number): void {
    this.#ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  map(m: Record<string, string>): void {
    let n = 0;
    for (const _ in m) n++;
    this.varint(n);
    for (const k in m) {
      this.string(k);
      this.string(m[k]!);
    }
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
