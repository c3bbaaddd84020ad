/** Thrown for bytes that are not a valid protobuf message; the route answers 400. */
export class ProtobufDecodeError extends Error {
  readonly code = 'FULCRUM_PROTOBUF_INVALID';
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8 = new TextDecoder('utf-8');

/**
 * A minimal single-pass protobuf reader. OTLP decoding is the ingest hot path,
 * so fields are read straight into the shapes the normaliser wants instead of
 * building generic message objects first.
 */
export class ProtobufReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a tag; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const t = this.varint();
    const field = Math.floor(t / 8);
    if (field === 0) throw new ProtobufDecodeError(`invalid field number 0 at byte ${this.pos}`);
    return [field, t & 7];
  }

  /** Varints up to 2^53 exactly; larger values lose precision (fine for counts, never used for ids). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** A signed int64 varint as a decimal string, exact. */
  int64String(): string {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result).toString();
      shift += 7n;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** fixed64 as an unsigned decimal string (nanosecond timestamps exceed 2^53). */
  fixed64String(): string {
    const lo = this.fixed32();
    const hi = this.fixed32();
    if (hi === 0) return String(lo);
    return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw new ProtobufDecodeError('truncated fixed32');
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtobufDecodeError('truncated double');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the [start, end) of the embedded bytes. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new ProtobufDecodeError(`length ${len} runs past the end of the message`);
    this.pos = end;
    return [start, end];
  }

  sub(): ProtobufReader {
    const [s, e] = this.span();
    return new ProtobufReader(this.buf, s, e);
  }

  string(): string {
    const [s, e] = this.span();
    return utf8.decode(this.buf.subarray(s, e));
  }

  hex(): string {
    const [s, e] = this.span();
    let out = '';
    for (let i = s; i < e; i++) out += HEX[this.buf[i]!];
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.span();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new ProtobufDecodeError('truncated field');
  }
}
