import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';
import { mulberry32, protobufSpans, startChild } from './child-server.js';

const SEED = 20251123;
const ITERATIONS = 5;
const SPANS_PER_REQUEST = 50;
const CONCURRENCY = 4;
const TRACE = Buffer.alloc(16, 0xc7);

/** The span id of span k of request r in iteration i: known before sending, so each 200 names its spans. */
const spanId = (i: number, r: number, k: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(i * 1_000_000 + r + 1);
  b.writeUInt32BE(k + 1, 4);
  return b;
};

describe('crash: SIGKILL under load, restart on the same data dir', () => {
  it(`every span acknowledged with 200 is stored exactly once (${ITERATIONS} seeded kills)`, async () => {
    const dataDir = tempDataDir('fulcrum-crash-');
    const rand = mulberry32(SEED);
    const acked = new Set<string>();
    let sent = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const child = await startChild(dataDir);
      // The previous process died holding the lock; the new one took it over.
      expect(JSON.parse(readFileSync(join(dataDir, 'fulcrum.lock'), 'utf8')).pid).toBe(child.proc.pid);
      const killAt = Date.now() + 200 + Math.floor(rand() * 1500);
      let next = 0;
      let dead = false;
      const worker = async () => {
        while (!dead) {
          const r = next++;
          const ids = Array.from({ length: SPANS_PER_REQUEST }, (_, k) => spanId(i, r, k));
          sent += ids.length;
          try {
            const res = await fetch(`${child.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: protobufSpans(TRACE, ids, `crash-${i}`) });
            await res.arrayBuffer();
            if (res.status === 200) for (const id of ids) acked.add(id.toString('hex'));
            else expect([503]).toContain(res.status); // back-pressure is allowed; 500 never
          } catch {
            return; // connection reset by the kill: not acknowledged, so not owed
          }
        }
      };
      const killer = (async () => {
        while (Date.now() < killAt) await new Promise((r) => setTimeout(r, 10));
        dead = true;
        child.proc.kill('SIGKILL');
      })();
      await Promise.all([killer, ...Array.from({ length: CONCURRENCY }, worker)]);
      expect(await child.exited).toBe(null); // killed by signal, not a clean exit
    }
    // A last start replays whatever the killed processes left in the spool; SIGTERM flushes and releases the lock.
    const last = await startChild(dataDir);
    last.proc.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(existsSync(join(dataDir, 'fulcrum.lock'))).toBe(false);

    const store = await openStore({ dataDir });
    try {
      const q = async (sql: string) => (await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>());
      const stored = new Set((await q(`SELECT lower(SpanId) AS id FROM spans FINAL WHERE TraceId = '${TRACE.toString('hex')}'`)).map((r) => r.id as string));
      const missing = [...acked].filter((id) => !stored.has(id));
      expect(acked.size).toBeGreaterThan(ITERATIONS * SPANS_PER_REQUEST); // the load really ran
      expect(missing).toEqual([]);
      // Exactly once: FINAL collapses replays; the raw table may hold unmerged duplicates, but never a distinct key twice under FINAL.
      const [dup] = await q(`SELECT count() AS rows, uniqExact(SpanId) AS ids FROM spans FINAL WHERE TraceId = '${TRACE.toString('hex')}'`);
      expect(Number(dup!.rows)).toBe(Number(dup!.ids));
      const [raw] = await q(`SELECT uniqExact(TraceId, SpanId) AS ids FROM spans WHERE TraceId = '${TRACE.toString('hex')}'`);
      expect(Number(raw!.ids)).toBe(stored.size);
      console.log(`crash: sent ${sent} spans, acknowledged ${acked.size}, stored ${stored.size}`);
    } finally {
      await store.close();
    }
  }, 120_000);
});
