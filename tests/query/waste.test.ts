import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { findWaste, type Finding } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { loop, send, spanIdOf, type SessionSpec } from './fixtures.js';

const R = (path: string, size: number, offset = 0, limit = 0) => ({ 'fulcrum.file.path': path, 'fulcrum.tool.result_size': size, 'fulcrum.read.offset': offset, 'fulcrum.read.limit': limit });
const SESSIONS: SessionSpec[] = [
  { session: 'clean', spans: loop([{ tool: 'Read', hash: 'r1', extra: R('a.ts', 400) }, { tool: 'Edit', hash: 'e1', extra: { 'fulcrum.file.path': 'a.ts', 'fulcrum.lines.added': 3 } }, { tool: 'Bash', hash: 'b1', extra: { 'fulcrum.command': 'npm test' } }], 0.01) },
  { session: 'repeat4', spans: loop([1, 2, 3, 4].map(() => ({ tool: 'WebFetch', hash: 'same' })), 0.01) },
  { session: 'pingpong', spans: loop(['A', 'B', 'A', 'B'].map((h) => ({ tool: 'Bash', hash: h, extra: { 'fulcrum.command': h === 'A' ? 'npm run build' : 'npm run lint' } })), 0.02) },
  { session: 'reread', spans: loop([{ tool: 'Read', hash: 'r', extra: R('a.ts', 4000) }, { tool: 'Read', hash: 'r', extra: R('a.ts', 4000) }], 0.01) },
  { session: 'read-edit-read', spans: loop([{ tool: 'Read', hash: 'r', extra: R('a.ts', 4000) }, { tool: 'Edit', hash: 'e', extra: { 'fulcrum.file.path': 'a.ts', 'fulcrum.lines.added': 1, 'fulcrum.lines.removed': 1 } }, { tool: 'Read', hash: 'r', extra: R('a.ts', 4000) }], 0.01) },
  { session: 'disjoint', spans: loop([{ tool: 'Read', hash: 'r1', extra: R('a.ts', 4000, 1, 100) }, { tool: 'Read', hash: 'r2', extra: R('a.ts', 2000, 200, 50) }], 0.01) },
  { session: 'grep', spans: loop([{ tool: 'Grep', hash: 'g', extra: { 'fulcrum.search.pattern': 'TODO', 'fulcrum.file.path': 'src', 'fulcrum.tool.result_size': 800 } }, { tool: 'Read', hash: 'r', extra: R('b.ts', 100) }, { tool: 'Grep', hash: 'g', extra: { 'fulcrum.search.pattern': 'TODO', 'fulcrum.file.path': 'src', 'fulcrum.tool.result_size': 800 } }], 0.01) },
  { session: 'retry', spans: loop([1, 2, 3, 4].map(() => ({ tool: 'Bash', hash: 'nt', extra: { 'fulcrum.command': 'npm test', 'fulcrum.success': false } })), 0.01) },
];

let server: RunningServer;
const byKind = (fs: Finding[]) => fs.map((f) => ({ kind: f.kind, anchors: f.anchorSpanIds, waste: f.wasteSpanIds, usd: Number(f.costUsd.toFixed(6)), tokens: f.tokens, estimated: f.estimated }));
const ids = (s: string, ...xs: string[]) => xs.map((x) => spanIdOf(s, x));
const waste = (sessionId: string) => findWaste(server.app.store.client, { project: 'default', sessionId });

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  await send(server.url, SESSIONS);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('waste findings', () => {
  it('finds nothing in a clean session', async () => {
    expect(await waste('clean')).toEqual([]);
  });
  it('prices the 3 repeats of a 4x identical call by the model calls that issued them', async () => {
    expect(byKind(await waste('repeat4'))).toEqual([{ kind: 'repeated_call', anchors: ids('repeat4', 't1'), waste: ids('repeat4', 't2', 't3', 't4'), usd: 0.03, tokens: 3000, estimated: false }]);
  });
  it('finds an A-B-A-B ping-pong', async () => {
    expect(byKind(await waste('pingpong'))).toEqual([{ kind: 'ping_pong', anchors: ids('pingpong', 't1', 't2'), waste: ids('pingpong', 't3', 't4'), usd: 0.04, tokens: 2000, estimated: false }]);
  });
  it('marks a read of an unchanged file as redundant, priced like every wasted call by the model call that issued it', async () => {
    // The issuing call: 1000 tokens, $0.01. No later request carries the result, so nothing is estimated.
    expect(byKind(await waste('reread'))).toEqual([{ kind: 'redundant_read', anchors: ids('reread', 't1'), waste: ids('reread', 't2'), usd: 0.01, tokens: 1000, estimated: false }]);
  });
  it('does not flag read → edit → read', async () => {
    expect(await waste('read-edit-read')).toEqual([]);
  });
  it('does not flag reads of disjoint ranges', async () => {
    expect(await waste('disjoint')).toEqual([]);
  });
  it('finds a repeated grep with no write between', async () => {
    expect(byKind(await waste('grep'))).toEqual([{ kind: 'repeated_search', anchors: ids('grep', 't1'), waste: ids('grep', 't3'), usd: 0.01, tokens: 1000, estimated: false }]);
  });
  it('finds a failing command retried three times, and the first failure', async () => {
    expect(byKind(await waste('retry'))).toEqual([
      { kind: 'failed_retry', anchors: ids('retry', 't1'), waste: ids('retry', 't2', 't3', 't4'), usd: 0.03, tokens: 3000, estimated: false },
      { kind: 'failed_tool', anchors: [], waste: ids('retry', 't1'), usd: 0.01, tokens: 1000, estimated: false },
    ]);
  });
});
