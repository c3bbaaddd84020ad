#!/usr/bin/env node
// Query benchmark: generates spans inside ClickHouse (INSERT … SELECT FROM numbers(), with the typed tool
// facts ingest would have decided), classifies every session with the engine (streamed, per session),
// then times the report read from the materialised tables and one session's live reconstruction against
// one plain scan of the spans' report columns (the physical floor), printing ratios measured in this run.
// It ends with one JSON line per size. Its spans are in their own project, so it can share a store.
// Usage: node tests/bench/query.js [--rows 1000000,10000000] [--data-dir DIR]   (or BENCH_QUERY_ROWS)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@fulcrum/store';
import { analysePending, buildReport, classifySession, getSession, SESSION_SPAN_COLUMNS, summariseSession, toSessionSpan } from '@fulcrum/query';

const PROJECT = 'querybench';
const TOOLS = "['Read','Read','Read','Edit','Bash','Bash','Grep','Glob','Write','WebFetch']";
const KINDS = "['read','read','read','edit','shell','shell','search','search','write','other']";

/** ~125 spans a session, half model calls; tool args repeat often enough to make loops and re-reads. */
const generate = (offset, rows) => `INSERT INTO spans (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, Project, SessionId, SpanType, Team, Repository, Harness,
  ToolName, ToolKind, Model, InputTokens, OutputTokens, CostUsd, FilePath, FilePaths, ReadOffset, ReadLimit, Command, CommandKey, SearchPattern, SearchKey, ArgsHash, ResultSize, LinesAdded, LinesRemoved, Success)
SELECT toDateTime64('2025-11-01 00:00:00', 9) + toIntervalMillisecond(n * 997 % 2500000000) AS ts,
  hex(cityHash64('t', s)) AS trace, hex(cityHash64('s', n)) AS span, hex(cityHash64('root', s)),
  if(n % 2 = 0, 'chat', 'execute_tool'), '${PROJECT}', concat('s', toString(s)), if(n % 2 = 0, 'llm', 'tool'),
  ['payments','platform','mobile'][s % 3 + 1], concat('repo', toString(s % 17)), ['claude-code','codex'][s % 2 + 1],
  if(n % 2 = 1, ${TOOLS}[t], ''), if(n % 2 = 1, ${KINDS}[t], ''),
  if(n % 2 = 0, 'claude-sonnet-4-5', ''),
  if(n % 2 = 0, 2000 + cityHash64(n) % 30000, 0), if(n % 2 = 0, 100 + cityHash64(n, 2) % 1500, 0),
  if(n % 2 = 0, (2000 + cityHash64(n) % 30000) * 3e-6, 0),
  concat('src/f', toString(cityHash64(n, 3) % 12), '.ts') AS file, [file], if(cityHash64(n, 4) % 4 = 0, 1 + cityHash64(n, 5) % 300, 0), if(cityHash64(n, 4) % 4 = 0, 50, 0),
  concat('npm run t', toString(cityHash64(n, 6) % 5)) AS cmd, if(${KINDS}[t] = 'shell', cmd, ''),
  concat('p', toString(cityHash64(n, 7) % 4)) AS pattern, if(${KINDS}[t] = 'search', concat('search', char(0), pattern, char(0), file), ''),
  toString(cityHash64(s, cityHash64(n, 8) % 6)), 500 + cityHash64(n, 9) % 8000,
  cityHash64(n, 10) % 20, cityHash64(n, 11) % 5, cityHash64(n, 12) % 12 != 0
FROM (SELECT number + ${offset} AS n, intDiv(n, 125) AS s, cityHash64(n, 1) % 10 + 1 AS t FROM numbers(${rows}))`;

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

/** The classifier alone on one core: spans of `sessions` sessions read once, then classified and summarised. */
async function classifierRate(c, sessions) {
  const rs = await c.query({
    query: `SELECT ${SESSION_SPAN_COLUMNS} FROM spans FINAL WHERE Project = '${PROJECT}' AND SessionId IN (SELECT concat('s', toString(number)) FROM numbers(${sessions})) ORDER BY SessionId, Timestamp, SpanId`,
    format: 'JSONCompactEachRow',
  });
  const bySession = new Map();
  for (const row of await rs.json()) {
    const s = toSessionSpan(row);
    (bySession.get(s.sessionId) ?? bySession.set(s.sessionId, []).get(s.sessionId)).push(s);
  }
  const groups = [...bySession.values()];
  const spans = groups.reduce((n, g) => n + g.length, 0);
  const t = performance.now();
  for (let round = 0; round < 3; round++) for (const g of groups) summariseSession(g, classifySession(g));
  return (3 * spans) / ((performance.now() - t) / 1000);
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
    // Half a million rows per INSERT: a bigger one passes the store's per-query memory limit (2 GiB by default).
    for (let off = have; off < rows; off += 500_000) await c.command({ query: generate(off, Math.min(500_000, rows - off)) });
    await c.command({ query: 'OPTIMIZE TABLE spans FINAL' });
    have = rows;
    const genMs = performance.now() - t0;

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const t1 = performance.now();
    const analysed = await analysePending(store, { quietMs: 0, project: PROJECT });
    const analyseMs = performance.now() - t1;
    clearInterval(sampler);
    await c.command({ query: 'OPTIMIZE TABLE session_summaries FINAL' });

    const scanMs = await time(() => c.query({ query: FLOOR, format: 'JSONEachRow' }).then((r) => r.json()));
    let report;
    const reportMs = await time(async () => (report = await buildReport(c, scope)), 3);
    const sessionId = `s${Math.floor(rows / 250)}`;
    let detail;
    const sessionMs = await time(async () => (detail = await getSession(c, { ...scope, sessionId })), 5);
    const classifySpansPerSec = await classifierRate(c, 2000);
    const r = {
      bench: 'query', rows, scanMs: Math.round(scanMs), reportMs: Math.round(reportMs), reportToScan: +(reportMs / scanMs).toFixed(3),
      sessionMs: +sessionMs.toFixed(1), sessionSpans: detail?.spans ?? 0, classifySpansPerSec: Math.round(classifySpansPerSec),
      analysedSessions: analysed.sessions, analyseSpansPerSec: Math.round(analysed.spans / (analyseMs / 1000)),
      analysePeakRssMiB: Math.round(peakRss / 2 ** 20), analyseRssGrowthMiB: Math.round((peakRss - rssBefore) / 2 ** 20),
      wasteUsd: Math.round(report.waste.totalUsd), genMs: Math.round(genMs),
    };
    results.push(r);
    console.log(`query bench ${rows.toLocaleString('en-US')} spans (generated in ${r.genMs} ms):`);
    console.log(`  analysis of ${r.analysedSessions} sessions, streamed   ${Math.round(analyseMs)} ms  (${r.analyseSpansPerSec.toLocaleString('en-US')} spans/s end to end; RSS +${r.analyseRssGrowthMiB} MiB, peak ${r.analysePeakRssMiB} MiB)`);
    console.log(`  classifier alone, one core            ${r.classifySpansPerSec.toLocaleString('en-US')} spans/s`);
    console.log(`  plain scan of the report's columns    ${r.scanMs} ms`);
    console.log(`  report from the materialised tables   ${r.reportMs} ms  (${r.reportToScan}x the scan; goal <= 0.2x)  $${r.wasteUsd.toLocaleString('en-US')} wasted`);
    console.log(`  one session, classified live          ${r.sessionMs} ms  (${r.sessionSpans} spans; goal < 50 ms)`);
  }
  for (const r of results) console.log(JSON.stringify({ bench: r.bench, rows: r.rows, scanMs: r.scanMs, reportMs: r.reportMs, sessionMs: r.sessionMs, classifySpansPerSec: r.classifySpansPerSec }));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--rows');
  const d = process.argv.indexOf('--data-dir');
  const rows = i > 0 ? process.argv[i + 1].split(',').map(Number) : process.env.BENCH_QUERY_ROWS?.split(',').map(Number);
  const dir = d > 0 ? process.argv[d + 1] : mkdtempSync(join(tmpdir(), 'fulcrum-bench-'));
  const store = await openStore({ dataDir: dir });
  try {
    await runQueryBench(store, { rows });
  } finally {
    await store.close();
    if (d < 0) rmSync(dir, { recursive: true, force: true });
  }
}
