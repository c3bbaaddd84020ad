import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { Spool } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { emptySpanRow, encodeSpanRows, openStore, writeEncodedSpans, type Store } from '@fulcrum/store';
import { crc32Portable } from '../../packages/ingest/src/spool-format.js';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces } from '../helpers/otlp.js';

type Notice = { file: string; rows: number; bytes: number; reason: string };

let real: Store;
let dataDir: string;
let orphansAfterOpen: string[];

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const ROWS = 10;

/** `ROWS` span rows of session `<prefix>-<i>`, trace `trace`; span ids unique per (trace, i). */
function spanRows(trace: number, prefix: string, i: number, rows = ROWS) {
  return Array.from({ length: rows }, (_, k) => ({ ...emptySpanRow(), Timestamp: '1763800000000000000', TraceId: hex(trace, 32), SpanId: hex(i * 1000 + k + 1, 16), SessionId: `${prefix}-${i}` }));
}

/** Stored rows per session for one trace, read through FINAL (replays collapse). */
async function storedBySession(trace: number): Promise<Record<string, number>> {
  const rs = await real.client.query({ query: 'SELECT SessionId AS s, count() AS n FROM spans FINAL WHERE TraceId = {t:String} GROUP BY s', query_params: { t: hex(trace, 32) }, format: 'JSONEachRow' });
  return Object.fromEntries((await rs.json<{ s: string; n: number }>()).map((r) => [r.s, Number(r.n)]));
}

/** A drain target in front of the real store that fails as an unreachable ClickHouse would while `down`. */
function switchableDrain() {
  const state = { down: false, calls: 0 };
  const drainInto = (body: Buffer) => {
    state.calls++;
    return state.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8123')) : writeEncodedSpans(real, body);
  };
  return { state, drainInto };
}

const batchFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.batch')).sort();

beforeAll(async () => {
  dataDir = tempDataDir('fulcrum-spool-');
  // What a process killed mid-INSERT leaves: the body it wrote for INSERT ... FROM INFILE.
  mkdirSync(join(dataDir, 'inserts'));
  writeFileSync(join(dataDir, 'inserts', '4242-17.bin'), Buffer.alloc(4096, 1));
  writeFileSync(join(dataDir, 'inserts', 'not-an-insert.txt'), 'kept');
  real = await openStore({ dataDir });
  orphansAfterOpen = readdirSync(join(dataDir, 'inserts'));
});
afterAll(async () => real?.close());

describe('spool: start-up cleaning', () => {
  it('removes INSERT bodies a dead process left in <dataDir>/inserts, and nothing else', () => {
    expect(orphansAfterOpen).toEqual(['not-an-insert.txt']);
  });

  it('removes temporary files of interrupted appends, keeps complete batches', async () => {
    const dir = join(tempDataDir(), 'spool');
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const first = new Spool({ dir, drainInto });
    expect(first.append(encodeSpanRows(spanRows(0x51, 'tmp', 1)), ROWS)).toEqual({ status: 'success' });
    first.close();
    writeFileSync(join(dir, '.000000000009-10.v2.batch.tmp'), '');
    writeFileSync(join(dir, '.000000000008-10.batch.tmp'), Buffer.alloc(300, 7));
    writeFileSync(join(dir, 'notes.txt'), 'kept');

    const restarted = new Spool({ dir, drainInto });
    restarted.close();
    expect(readdirSync(dir).sort()).toEqual(['000000000001-10.v2.batch', 'notes.txt']);
    expect(restarted.pendingCounts).toMatchObject({ batches: 1, rows: ROWS });
    state.down = false;
    await restarted.drain();
    expect(await storedBySession(0x51)).toEqual({ 'tmp-1': ROWS });
    expect(restarted.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });
  });
});

describe('spool: on-disk format', () => {
  it('writes magic, version, rows, payload length and CRC-32s in a 28-byte header before the body', () => {
    const dir = join(tempDataDir(), 'spool');
    const spool = new Spool({ dir, drainInto: () => Promise.reject(new Error('down')) });
    spool.close();
    const body = encodeSpanRows(spanRows(0x52, 'fmt', 1));
    expect(spool.append(body, ROWS)).toEqual({ status: 'success' });
    expect(batchFiles(dir)).toEqual(['000000000001-10.v2.batch']);
    const file = readFileSync(join(dir, '000000000001-10.v2.batch'));
    expect(file.length).toBe(28 + body.length);
    expect(file.subarray(0, 4).toString('latin1')).toBe('FSPL');
    expect(file[4]).toBe(2);
    expect(file.readUInt32LE(8)).toBe(ROWS);
    expect(file.readBigUInt64LE(12)).toBe(BigInt(body.length));
    expect(file.readUInt32LE(20)).toBe(zlib.crc32(body));
    expect(file.readUInt32LE(24)).toBe(zlib.crc32(file.subarray(0, 24)));
    expect(file.subarray(28).equals(body)).toBe(true);
    expect(spool.pending).toEqual({ bytes: file.length, rows: ROWS });
  });

  it('computes the same CRC-32 without zlib.crc32 (Node before 20.15)', () => {
    let x = 12345;
    for (const len of [0, 1, 7, 64, 1000, 65537]) {
      const buf = Buffer.alloc(len);
      for (let i = 0; i < len; i++) buf[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc32Portable(buf)).toBe(zlib.crc32(buf));
    }
    expect(crc32Portable(Buffer.from('123456789'))).toBe(0xcbf43926); // the CRC-32/IEEE check value
  });
});

describe('spool: damaged and refused batches', () => {
  it('quarantines damaged batches with one notice each, drains those after them, and keeps the counts right', async () => {
    const dir = join(tempDataDir(), 'spool');
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const writer = new Spool({ dir, drainInto });
    writer.close();
    for (let i = 1; i <= 6; i++) expect(writer.append(encodeSpanRows(spanRows(0x53, 'dmg', i)), ROWS).status).toBe('success');
    const files = batchFiles(dir);
    const path = (i: number) => join(dir, files[i - 1]!);
    const flip = (i: number, at: (len: number) => number) => {
      const b = readFileSync(path(i));
      b[at(b.length)]! ^= 0x01;
      writeFileSync(path(i), b);
    };
    flip(2, (len) => len - 100); // one bit in the payload
    truncateSync(path(3), readFileSync(path(3)).length - 513); // the tail lost
    flip(4, () => 0); // the magic
    truncateSync(path(5), 0); // nothing but the name
    const damagedBytes = [2, 3, 4, 5].reduce((s, i) => s + readFileSync(path(i)).length, 0);

    const notices: Notice[] = [];
    state.down = false;
    const reader = new Spool({ dir, drainInto, onQuarantine: (q) => notices.push(q) });
    reader.close();
    expect(reader.pendingCounts).toMatchObject({ batches: 6, rows: 6 * ROWS });
    await reader.drain();

    expect(notices.map((n) => [n.file.split('/').slice(-2).join('/'), n.reason])).toEqual([
      [`quarantine/${files[1]}`, 'payload checksum mismatch'],
      [`quarantine/${files[2]}`, expect.stringMatching(/^payload is \d+ bytes, header says \d+$/)],
      [`quarantine/${files[3]}`, 'bad magic'],
      [`quarantine/${files[4]}`, 'file is 0 bytes, shorter than its 28-byte header'],
    ]);
    expect(notices.every((n) => n.rows === ROWS)).toBe(true);
    expect(await storedBySession(0x53)).toEqual({ 'dmg-1': ROWS, 'dmg-6': ROWS });
    expect(batchFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'quarantine')).sort()).toEqual(files.slice(1, 5));
    expect(reader.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });
    expect(reader.quarantined).toEqual({ batches: 4, bytes: damagedBytes, rows: 4 * ROWS });

    // A restart counts what lies in quarantine, and numbers new batches after it (5), so none is ever overwritten there.
    const again = new Spool({ dir, drainInto });
    again.close();
    expect(again.quarantined).toEqual({ batches: 4, bytes: damagedBytes, rows: 4 * ROWS });
    expect(again.append(encodeSpanRows(spanRows(0x53, 'dmg', 7)), ROWS).status).toBe('success');
    expect(batchFiles(dir)).toEqual(['000000000006-10.v2.batch']);
  });

  it('a server started on a spool holding a damaged batch logs one warning for it and stores the rest', async () => {
    const spoolDir = join(tempDataDir(), 'spool');
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const previous = new Spool({ dir: spoolDir, drainInto });
    previous.close();
    for (let i = 1; i <= 2; i++) expect(previous.append(encodeSpanRows(spanRows(0x5a, 'boot', i)), ROWS).status).toBe('success');
    const damaged = join(spoolDir, batchFiles(spoolDir)[0]!);
    writeFileSync(damaged, readFileSync(damaged).subarray(0, 200));
    const logs: string[] = [];
    const app = await buildApp({ store: real, spoolDir, limits: { requestsPerSecond: 0 }, health: { probeIntervalMs: 0 }, logger: { level: 'warn', stream: { write: (l: string) => void logs.push(l) } } });
    // /healthz says so, without a 503: an operator has to look, a restart would not help.
    let health = (await app.inject({ method: 'GET', url: '/healthz' })).json();
    for (let i = 0; i < 60 && health.spool.quarantined.batches === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      health = (await app.inject({ method: 'GET', url: '/healthz' })).json();
    }
    expect(health).toMatchObject({ status: 'ok', spool: { quarantined: { batches: 1, rows: ROWS, bytes: 200 } } });
    expect(health.notices).toEqual([`spool: 1 unreadable batch(es) holding ${ROWS} rows were set aside in the spool's quarantine folder`]);
    await app.close(); // drains what the previous process left
    const warnings = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'spooled batch quarantined');
    expect(warnings).toEqual([expect.objectContaining({ level: 40, rows: ROWS, bytes: 200, reason: expect.stringMatching(/^payload is 172 bytes, header says \d+$/) })]);
    expect(await storedBySession(0x5a)).toEqual({ 'boot-2': ROWS });
    expect(batchFiles(spoolDir)).toEqual([]);
  });

  it('does not spool (or acknowledge) a batch the store refuses as data: 503 with Retry-After, nothing left to quarantine later', async () => {
    const spoolDir = join(tempDataDir(), 'spool');
    // The real store, handed a body cut short: chDB itself answers CANNOT_READ_ALL_DATA.
    const store: Store = { ...real, insertEncoded: (table, columns, format, body) => real.insertEncoded(table, columns, format, (body as Buffer).subarray(0, body.length - 5)) };
    const app = await buildApp({ store, spoolDir, limits: { requestsPerSecond: 0 } });
    try {
      const payload = jsonTraces([{ traceId: hex(0x5b, 32), spanId: hex(1, 16), attributes: { 'gen_ai.conversation.id': 'refused-live' } }]);
      const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(batchFiles(spoolDir)).toEqual([]);
    } finally {
      await app.close();
    }
    expect(await storedBySession(0x5b)).toEqual({});
  });

  it('replays a headerless batch left by the previous version, before newer ones', async () => {
    const dir = join(tempDataDir(), 'spool');
    mkdirSync(dir);
    writeFileSync(join(dir, '000000000004-10.batch'), encodeSpanRows(spanRows(0x54, 'legacy', 1)));
    const notices: Notice[] = [];
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const spool = new Spool({ dir, drainInto, onQuarantine: (q) => notices.push(q) });
    spool.close();
    expect(spool.append(encodeSpanRows(spanRows(0x54, 'legacy', 2)), ROWS).status).toBe('success');
    expect(batchFiles(dir)).toEqual(['000000000004-10.batch', '000000000005-10.v2.batch']);
    state.down = false;
    await spool.drain();
    expect(notices).toEqual([]);
    expect(await storedBySession(0x54)).toEqual({ 'legacy-1': ROWS, 'legacy-2': ROWS });
    expect(batchFiles(dir)).toEqual([]);
    expect(spool.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });
  });

  it('quarantines a batch the store refuses as bad data after maxRefusals passes, without holding back the next one', async () => {
    const dir = join(tempDataDir(), 'spool');
    mkdirSync(dir);
    // What the old short-write bug left: a headerless body cut short, acknowledged and renamed into place.
    const whole = encodeSpanRows(spanRows(0x55, 'refused', 1));
    writeFileSync(join(dir, '000000000001-10.batch'), whole.subarray(0, whole.length - 7));
    const notices: Notice[] = [];
    const errors: Error[] = [];
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const spool = new Spool({ dir, drainInto, maxRefusals: 3, onQuarantine: (q) => notices.push(q), onDrainError: (e) => errors.push(e) });
    spool.close();
    expect(spool.append(encodeSpanRows(spanRows(0x55, 'refused', 2)), ROWS).status).toBe('success');
    state.down = false;

    await spool.drain();
    expect(await storedBySession(0x55)).toEqual({ 'refused-2': ROWS }); // the one after went in on the first pass
    expect(batchFiles(dir)).toEqual(['000000000001-10.batch']);
    expect(errors.map((e) => (e as Error & { type?: string }).type)).toEqual(['CANNOT_READ_ALL_DATA']);
    await spool.drain();
    expect(notices).toEqual([]);
    await spool.drain();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.reason).toBe('the store refused it 3 times (CANNOT_READ_ALL_DATA, code 33)');
    expect(batchFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'quarantine'))).toEqual(['000000000001-10.batch']);
    expect(spool.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });
    expect(spool.quarantined).toEqual({ batches: 1, bytes: whole.length - 7, rows: ROWS });
  });

  it('quarantines a batch spanning more partitions than one INSERT may touch, once the store has refused it maxRefusals times', async () => {
    const dir = join(tempDataDir(), 'spool');
    const notices: Notice[] = [];
    const { drainInto } = switchableDrain();
    const spool = new Spool({ dir, drainInto, maxRefusals: 2, onQuarantine: (q) => notices.push(q) });
    spool.close();
    const month = 31n * 86_400n * 1_000_000_000n;
    const rows = Array.from({ length: 120 }, (_, i) => ({ ...spanRows(0x59, 'months', 1)[0]!, Timestamp: String(1_500_000_000_000_000_000n + BigInt(i) * month), SpanId: hex(i + 1, 16) }));
    expect(spool.append(encodeSpanRows(rows), rows.length).status).toBe('success'); // written by a version without a timestamp window
    await spool.drain();
    expect(notices).toEqual([]);
    await spool.drain();
    expect(notices.map((n) => n.reason)).toEqual(['the store refused it 2 times (TOO_MANY_PARTS, code 252)']);
    expect(await storedBySession(0x59)).toEqual({});
    expect(spool.quarantined).toMatchObject({ batches: 1, rows: 120 });
  });

  it('never quarantines while the store is unreachable: each pass stops at the first batch, and all drain on recovery', async () => {
    const dir = join(tempDataDir(), 'spool');
    const notices: Notice[] = [];
    const { state, drainInto } = switchableDrain();
    state.down = true;
    const spool = new Spool({ dir, drainInto, maxRefusals: 1, onQuarantine: (q) => notices.push(q) });
    spool.close();
    for (let i = 1; i <= 3; i++) expect(spool.append(encodeSpanRows(spanRows(0x56, 'outage', i)), ROWS).status).toBe('success');
    for (let pass = 1; pass <= 5; pass++) await spool.drain();
    expect(state.calls).toBe(5);
    expect(notices).toEqual([]);
    expect(spool.pendingCounts).toMatchObject({ batches: 3, rows: 3 * ROWS });
    state.down = false;
    await spool.drain();
    expect(await storedBySession(0x56)).toEqual({ 'outage-1': ROWS, 'outage-2': ROWS, 'outage-3': ROWS });
    expect(spool.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });
    expect(spool.quarantined.batches).toBe(0);
  });
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('spool: skipping the small-filesystem tests: mounting a tmpfs needs root');

describe.skipIf(!isRoot)('spool on a small, nearly full filesystem (tmpfs, 2 MiB)', () => {
  let mnt: string;
  let mounted = false;
  const free = () => {
    const s = statfsSync(mnt);
    return s.bavail * s.bsize;
  };
  /** Fills the filesystem until `leave` bytes are free. */
  const fill = (leave: number) => writeFileSync(join(mnt, 'filler'), Buffer.alloc(free() - leave));

  beforeAll(() => {
    mnt = tempDataDir('fulcrum-spool-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it('a short write is not acknowledged, leaves no file behind, and the next append after space returns succeeds', async () => {
    const dir = join(mnt, 'unit');
    const { drainInto } = switchableDrain();
    const spool = new Spool({ dir, drainInto });
    spool.close();
    const body = encodeSpanRows(spanRows(0x57, 'short', 1, 100));
    expect(body.length).toBeGreaterThan(3 * 4096); // larger than the room left, so writeSync stops part-way
    fill(4096);
    const before = free();
    const result = spool.append(body, 100);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'ENOSPC' } });
    expect(readdirSync(dir)).toEqual([]);
    expect(free()).toBe(before); // the partial temporary file was removed, not left holding space
    expect(spool.pendingCounts).toEqual({ batches: 0, bytes: 0, rows: 0 });

    rmSync(join(mnt, 'filler'));
    expect(spool.append(body, 100)).toEqual({ status: 'success' });
    await spool.drain();
    expect(await storedBySession(0x57)).toEqual({ 'short-1': 100 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a live server answers 200 only for batches fully on disk, 503 with Retry-After otherwise, and stores every acknowledged span exactly once', async () => {
    const TRACE = 0x58;
    const SPANS = 25;
    const state = { down: true };
    const store: Store = { ...real, insertEncoded: (...a) => (state.down ? Promise.reject(new Error('connect ECONNREFUSED clickhouse:8123')) : real.insertEncoded(...a)) };
    const spoolDir = join(mnt, 'spool');
    const logs: string[] = [];
    // The free-space watcher is off: this is the spool's own guard, for space that runs out between two samples.
    const app = await buildApp({ store, spoolDir, diskSpace: false, limits: { requestsPerSecond: 0 }, logger: { level: 'warn', stream: { write: (s: string) => void logs.push(s) } } });
    const send = async (i: number) => {
      const ids = Array.from({ length: SPANS }, (_, k) => hex(i * 1000 + k + 1, 16));
      const payload = jsonTraces(ids.map((spanId) => ({ traceId: hex(TRACE, 32), spanId, attributes: { 'gen_ai.conversation.id': `fill-${i}`, payload: 'p'.repeat(400) } })));
      const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload });
      return { ids, res };
    };
    const acked = new Set<string>();
    const refused: { status: number; retryAfter: unknown }[] = [];
    const record = ({ ids, res }: Awaited<ReturnType<typeof send>>) => {
      if (res.statusCode === 200) for (const id of ids) acked.add(id);
      else refused.push({ status: res.statusCode, retryAfter: res.headers['retry-after'] });
    };
    let ackedWhileFull = 0;
    try {
      fill(96 * 1024);
      for (let i = 0; i < 24; i++) record(await send(i));
      ackedWhileFull = acked.size;
      expect(ackedWhileFull).toBeGreaterThan(0); // some batches fitted
      expect(refused.length).toBeGreaterThan(0); // and then the disk was full
      expect(refused.every((r) => r.status === 503 && r.retryAfter === '5')).toBe(true);
      expect(logs.filter((l) => l.includes('spool could not take a batch')).length).toBe(refused.length);
      expect(logs.some((l) => l.includes('ENOSPC'))).toBe(true);
      expect(readdirSync(spoolDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(batchFiles(spoolDir).length * SPANS).toBe(ackedWhileFull);

      // Space returns while the store is still down: the spool takes batches again.
      rmSync(join(mnt, 'filler'));
      for (let i = 24; i < 28; i++) record(await send(i));
      expect(acked.size).toBe(ackedWhileFull + 4 * SPANS);

      state.down = false;
      await app.close(); // closing drains the spool
    } finally {
      if (state.down) await app.close();
    }
    const rs = await real.client.query({ query: 'SELECT lower(SpanId) AS id, count() AS n FROM spans FINAL WHERE TraceId = {t:String} GROUP BY id', query_params: { t: hex(TRACE, 32) }, format: 'JSONEachRow' });
    const stored = await rs.json<{ id: string; n: number }>();
    expect(stored.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(new Set(stored.map((r) => r.id))).toEqual(acked); // every acknowledged span, and none that was refused
    expect(batchFiles(spoolDir)).toEqual([]); // nothing stuck
    expect(existsSync(join(spoolDir, 'quarantine'))).toBe(false);
    console.log(`spool on tmpfs: ${ackedWhileFull / SPANS} batches acknowledged while the disk was full, 4 after space returned, ${refused.length} answered 503; ${stored.length} spans stored, ${acked.size} acknowledged`);
  });
});
