import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startServer, type RunningServer } from '@fulcrum/server';
import type { FastifyInstance } from 'fastify';
import { createPriceTable } from '@fulcrum/vocab';
import { tempDataDir } from '../helpers/store.js';
import { runCli } from '../helpers/cli.js';

/*
 * A model missing from the price table is unpriced: Priced=false on its row,
 * no dollars, and counted as unpricedCalls in the session and the report.
 * A price added to the table (the config file's prices) prices it.
 */

const cli = (...args: string[]) => runCli(args);

const SESSION = 'gemini-unpriced';
const T = 1_763_800_000_000;
const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });

/** Gemini CLI's api_response events (no cost: Fulcrum prices them): one per model. */
function geminiLogs(calls: { model: string; input: number; output: number }[]): string {
  const logRecords = calls.map((c, i) => ({
    timeUnixNano: String(BigInt(T + i * 1000) * 1_000_000n),
    traceId: 'ab'.repeat(16), spanId: `${i}`.padStart(16, 'c'),
    body: { stringValue: 'API response' },
    attributes: [attr('event.name', 'gemini_cli.api_response'), attr('session.id', SESSION), attr('prompt_id', `p${i}`), attr('model', c.model),
      attr('input_token_count', c.input), attr('output_token_count', c.output), attr('status_code', 200)],
  }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [attr('service.name', 'gemini-cli')] }, scopeLogs: [{ scope: { name: 'gemini-cli' }, logRecords }] }] });
}

const PAYLOAD = geminiLogs([
  { model: 'gemini-3.1-flash', input: 1000, output: 100 },
  { model: 'gemini-2.5-flash', input: 1_000_000, output: 0 },
]);

/** POSTs the payload to an app, analyses, and returns the stored model-call rows of its project. */
async function ingest(app: FastifyInstance, project: string): Promise<{ Model: string; Priced: boolean | number; CostUsd: number }[]> {
  const res = await app.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/json' }, payload: PAYLOAD });
  expect(res.statusCode).toBe(200);
  await app.spanWriter.flush();
  await plain.app.analyser.runNow(0);
  const rs = await app.store.client.query({
    query: `SELECT Model, Priced, CostUsd FROM spans FINAL WHERE Project = {p:String} AND SessionId = {s:String} AND SpanType = 'llm' ORDER BY Model`,
    query_params: { p: project, s: SESSION }, format: 'JSONEachRow',
  });
  return rs.json();
}

let plain: RunningServer;
/** A second app on the same store (one chDB data directory per process), with a price for the gemini-3.1- family. */
let priced: FastifyInstance;
beforeAll(async () => {
  plain = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  priced = await buildApp({
    store: plain.app.store, defaultProject: 'priced', analysis: false,
    prices: createPriceTable({ 'gemini-3.1-': { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0, provider: 'google' } }),
  });
});
afterAll(async () => {
  await priced?.close();
  await plain?.close();
});

describe('unpriced models', () => {
  it('stores a call to an unknown Gemini model as unpriced ($0, Priced=false), the known one at its list price', async () => {
    const rows = await ingest(plain.app, 'default');
    expect(rows.map((r) => [r.Model, Boolean(Number(r.Priced)), Number(r.CostUsd)])).toEqual([
      ['gemini-2.5-flash', true, 0.3],
      ['gemini-3.1-flash', false, 0],
    ]);
  });

  it('counts it in the session JSON, the report totals (API and CLI) and the report text', async () => {
    const session = (await plain.app.inject({ method: 'GET', url: `/api/sessions/${SESSION}` })).json();
    expect(session).toMatchObject({ unpricedCalls: 1, spendUsd: 0.3 });
    const list = (await plain.app.inject({ method: 'GET', url: '/api/sessions' })).json();
    expect(list[0]).toMatchObject({ sessionId: SESSION, unpricedCalls: 1 });
    const report = (await plain.app.inject({ method: 'GET', url: '/api/reports/waste' })).json();
    expect(report.total).toMatchObject({ unpricedCalls: 1, spendUsd: 0.3 });

    const json = await cli('report', '--server', plain.url, '--format', 'json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).total.unpricedCalls).toBe(1);
    const detail = await cli('session', SESSION, '--server', plain.url, '--format', 'json');
    expect(JSON.parse(detail.stdout).unpricedCalls).toBe(1);
    const text = await cli('report', '--server', plain.url);
    expect(text.stdout).toContain('1 call to unpriced models is not in $ (add them under prices in the config file)');
  });

  it('prices it from a table that lists its family (the config file\'s prices, passed to the app)', async () => {
    const rows = await ingest(priced, 'priced');
    expect(rows.map((r) => [r.Model, Boolean(Number(r.Priced))])).toEqual([['gemini-2.5-flash', true], ['gemini-3.1-flash', true]]);
    expect(Number(rows[1]!.CostUsd)).toBeCloseTo((1000 * 0.5 + 100 * 3) / 1e6, 12);
    const report = (await priced.inject({ method: 'GET', url: '/api/reports/waste' })).json();
    expect(report.total.unpricedCalls).toBe(0);
  });
});
