import * as zlib from 'node:zlib';

/*
 * One spooled batch on disk, version 2:
 *
 *   offset size  field
 *   0      4     magic "FSPL"
 *   4      1     format version (2)
 *   5      3     reserved, zero
 *   8      4     rows in the batch, u32 LE
 *   12     8     payload length in bytes, u64 LE
 *   20     4     CRC-32 (IEEE) of the payload, u32 LE
 *   24     4     CRC-32 of bytes 0..23, u32 LE
 *   28     n     payload: the RowBinary body, exactly as it would be INSERTed
 *
 * The file is named `<12-digit sequence>-<rows>.v2.batch`. Version 1 files,
 * written before the header existed, are named `<12-digit sequence>-<rows>.batch`
 * and hold the bare body; the name, not a guess from the bytes, says which
 * is which, so a damaged magic is never mistaken for an old batch.
 */

export const HEADER_BYTES = 28;
export const FORMAT_VERSION = 2;
const MAGIC = Buffer.from('FSPL', 'latin1');

/** What the name of a spool file says about it. */
export interface BatchName {
  seq: number;
  rows: number;
  /** 1: a bare body from an older version; 2: header + body. */
  version: 1 | 2;
}

const NAME = /^(\d{12})-(\d+)\.(v2\.)?batch$/;

export function batchFileName(seq: number, rows: number): string {
  return `${String(seq).padStart(12, '0')}-${rows}.v2.batch`;
}

/** Parses a spool file name; undefined for anything that is not a batch. */
export function parseBatchName(name: string): BatchName | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { seq: Number(m[1]), rows: Number(m[2]), version: m[3] ? 2 : 1 };
}

/** The header written in front of `body`. */
export function encodeHeader(body: Uint8Array, rows: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt8(FORMAT_VERSION, 4);
  h.writeUInt32LE(rows, 8);
  h.writeBigUInt64LE(BigInt(body.length), 12);
  h.writeUInt32LE(crc32(body), 20);
  h.writeUInt32LE(crc32(h.subarray(0, 24)), 24);
  return h;
}

export type DecodedBatch = { status: 'valid'; body: Buffer } | { status: 'corrupt'; reason: string };

/** Checks a version 2 file's header, length and checksums against its name, and returns the body it carries. */
export function decodeBatch(file: Buffer, expectedRows: number): DecodedBatch {
  if (file.length < HEADER_BYTES) return { status: 'corrupt', reason: `file is ${file.length} bytes, shorter than its ${HEADER_BYTES}-byte header` };
  if (!file.subarray(0, 4).equals(MAGIC)) return { status: 'corrupt', reason: 'bad magic' };
  if (file.readUInt32LE(24) !== crc32(file.subarray(0, 24))) return { status: 'corrupt', reason: 'header checksum mismatch' };
  const version = file.readUInt8(4);
  if (version !== FORMAT_VERSION) return { status: 'corrupt', reason: `unknown format version ${version}` };
  const rows = file.readUInt32LE(8);
  if (rows !== expectedRows) return { status: 'corrupt', reason: `header says ${rows} rows, file name says ${expectedRows}` };
  const length = file.readBigUInt64LE(12);
  const actual = BigInt(file.length - HEADER_BYTES);
  if (length !== actual) return { status: 'corrupt', reason: `payload is ${actual} bytes, header says ${length}` };
  const body = file.subarray(HEADER_BYTES);
  if (file.readUInt32LE(20) !== crc32(body)) return { status: 'corrupt', reason: 'payload checksum mismatch' };
  return { status: 'valid', body };
}

// zlib.crc32 arrived in Node 20.15; the table below gives the same values on 20.6+.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib and gzip compute it). */
export function crc32(data: Uint8Array): number {
  if (typeof nativeCrc32 === 'function') return nativeCrc32(data) >>> 0;
  return crc32Portable(data);
}

/** The table-driven CRC-32, for Node versions without zlib.crc32. */
export function crc32Portable(data: Uint8Array): number {
  table ??= makeTable();
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
