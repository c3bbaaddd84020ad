#!/usr/bin/env node
// Query benchmark: generates spans inside ClickHouse (INSERT … SELECT FROM numbers()), then times the
// waste report and a single-session reconstruction against one plain scan of the columns the report
// reads (the physical floor), printing the ratios measured in this one run. Its spans are in their own
// project, so it can share a store with other benchmarks (npm run bench runs it after the ingest one).
// Usage: node tests/bench/query.js [--rows 1000000,10000000] [--data-dir DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@fulcrum/store';
import { getSession, wasteReport } from '@fulcrum/query';

const PROJECT = 'querybench';
const TOOLS = "['Read','Read','Read','Edit','Bash','Bash','Grep','Glob','Write','WebFetch']";

/** ~125 spans a session (50–200), half model calls; tool args repeat often enough to make loops and re-reads. */
const generate = (offset, rows) => `INSERT INTO spans (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, Project, SessionId, SpanType, Team, Repository, Harness,
  ToolName, Model, InputTokens, OutputTokens, CostUsd, FilePath, ReadOffset, ReadLimit, Command, SearchPattern, ArgsHash, ResultSize, LinesAdded, LinesRemoved, Success)
SELECT toDateTime64('2025-11-01 00:00:00', 9) + toIntervalMillisecond(n * 997 % 2500000000) AS ts,
  hex(cityHash64('t', s)) AS trace, hex(cityHash64('s', n)) AS span, hex(cityHash64('root', s)),
  if(n % 2 = 0, 'chat', 'execute_tool'), '${PROJECT}', concat('s', toString(s)), if(n % 2 = 0, 'llm', 'tool'),
  ['payments','platform','mobile'][s % 3 + 1], concat('repo', toString(s % 17)), ['claude-code','codex'][s % 2 + 1],
  if(n % 2 = 1, ${TOOLS}[cityHash64(n, 1) % 10 + 1], ''), if(n % 2 = 0, 'claude-sonnet-4-5', ''),
  if(n % 2 = 0, 2000 + cityHash64(n) % 30000, 0), if(n % 2 = 0, 100 + cityHash64(n, 2) % 1500, 0),
  if(n % 2 = 0, (2000 + cityHash64(n) % 30000) * 3e-6, 0),
  concat('src/f', toString(cityHash64(n, 3) % 12), '.ts'), if(cityHash64(n, 4) % 4 = 0, 1 + cityHash64(n, 5) % 300, 0), if(cityHash64(n, 4) % 4 = 0, 50, 0),
  concat('npm run t', toString(cityHash64(n, 6) % 5)), concat('p', toString(cityHash64(n, 7) % 4)),
  toString(cityHash64(s, cityHash64(n, 8) % 6)), 500 + cityHash64(n, 9) % 8000,
  cityHash64(n, 10) % 20, cityHash64(n, 11) % 5, cityHash64(n, 12) % 12 != 0
FROM (SELECT number + ${offset} AS n, intDiv(n, 125) AS s FROM numbers(${rows}))`;

const FLOOR = `SELECT count(), sum(cityHash64(SessionId, SpanId, ParentSpanId, SpanType, ToolName, ArgsHash, FilePath, Command, SearchPattern)),
  sum(toUnixTimestamp64Nano(Timestamp)), sum(CostUsd + InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens + ResultSize + ReadOffset + ReadLimit + Success + FileUnchanged),
  sum(length(Model))
FROM spans WHERE Project = '${PROJECT}'`;

async function time(fn, runs = 3) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return Math.min(...ms);
}

/**
 * Runs the benchmark for each size on `store` (libchdb binds one data directory per process, so a
 * caller that already has a store passes it); returns the figures. Sizes grow: each adds rows.
 */
export async function runQueryBench(store, opts = {}) {
  const sizes = opts.rows ?? [1_000_000, 10_000_000];
  const c = store.client;
  const scope = { project: PROJECT };
  const results = [];
  let have = Number((await (await c.query({ query: `SELECT count() AS n FROM spans WHERE Project = '${PROJECT}'`, format: 'JSONEachRow' })).json())[0].n);
  for (const rows of sizes) {
    const t0 = performance.now();
    if (have > rows) throw new Error(`the store already holds ${have} ${PROJECT} spans, more than ${rows}`);
    for (let off = have; off < rows; off += 2_000_000) await c.command({ query: generate(off, Math.min(2_000_000, rows - off)) });
    await c.command({ query: 'OPTIMIZE TABLE spans FINAL' });
    have = rows;
    const genMs = performance.now() - t0;
    const floorMs = await time(() => c.query({ query: FLOOR, format: 'JSONEachRow' }).then((r) => r.json()));
    let report;
    const reportMs = await time(async () => (report = await wasteReport(c, scope)), 2);
    const sessionId = `s${Math.floor(rows / 250)}`;
    let detail;
    const sessionMs = await time(async () => (detail = await getSession(c, { ...scope, sessionId })), 5);
    const r = {
      rows, genMs: Math.round(genMs), floorMs: Math.round(floorMs), reportMs: Math.round(reportMs), ratio: +(reportMs / floorMs).toFixed(1),
      sessionMs: Math.round(sessionMs), sessionSpans: detail?.spans ?? 0, wasteUsd: Math.round(report.totalUsd),
    };
    results.push(r);
    console.log(`query bench ${rows.toLocaleString('en-US')} spans (generated in ${r.genMs} ms):`);
    console.log(`  plain scan of the report's columns   ${r.floorMs} ms`);
    console.log(`  waste report                         ${r.reportMs} ms  (${r.ratio}x the scan; goal <= 3x)  $${r.wasteUsd.toLocaleString('en-US')} wasted`);
    console.log(`  single-session reconstruction       ${r.sessionMs} ms  (${r.sessionSpans} spans; goal < 50 ms)`);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--rows');
  const d = process.argv.indexOf('--data-dir');
  const rows = i > 0 ? process.argv[i + 1].split(',').map(Number) : undefined;
  const dir = d > 0 ? process.argv[d + 1] : mkdtempSync(join(tmpdir(), 'fulcrum-bench-'));
  const store = await openStore({ dataDir: dir });
  try {
    await runQueryBench(store, { rows });
  } finally {
    await store.close();
    if (d < 0) rmSync(dir, { recursive: true, force: true });
  }
}
