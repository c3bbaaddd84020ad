import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTranscripts } from '@fulcrum/ingest';
import { analysePending } from '@fulcrum/query';
import { openStore, type Store } from '@fulcrum/store';
import { createPriceTable } from '@fulcrum/vocab';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES, rows } from '../harness/replay.js';
import { flagsOf, readLabels, score, type Flag, type Labels } from './measure.js';

/**
 * The same labelled sessions, imported from the harnesses' own transcripts
 * rather than sent as telemetry. A transcript gives a model call and the tool
 * calls it asked for the same timestamp (or the calls an earlier one): each
 * call must be priced with the response that asked for it, found from the
 * transcript's own links (Claude Code's request id, Codex's response order,
 * Gemini's message), never with the previous model call.
 */
const L = `${FIXTURES}/labelled`;
const CASES = [
  { name: 'claude-code-details', harness: 'claude-code', path: `${L}/claude-code-details/transcripts/projects` },
  { name: 'codex', harness: 'codex', path: `${L}/codex/sessions` },
  { name: 'gemini', harness: 'gemini', path: `${L}/gemini/chats` },
] as const;

let store: Store;
const measured = new Map<string, { labels: Labels; flags: Flag[]; issuer: Map<string, { issuer: string; cost: number }> }>();

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir() });
  const prices = createPriceTable({ 'gemini-3.8-flash': { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0, provider: 'google' } });
  for (const c of CASES) await importTranscripts({ harness: c.harness, path: c.path, store, prices });
  await analysePending(store, { config: { prices } });
  for (const c of CASES) {
    const labels = readLabels(`${L}/${c.name}`);
    const links = await rows<{ callId: string; issuer: string; cost: number }>(
      store.client,
      `SELECT t.ToolCallId AS callId, t.IssuerSpanId AS issuer, m.CostUsd AS cost
FROM (SELECT ToolCallId, IssuerSpanId FROM spans FINAL WHERE SessionId = {s:String} AND SpanType = 'tool') AS t
LEFT JOIN (SELECT SpanId, CostUsd FROM spans FINAL WHERE SessionId = {s:String} AND SpanType = 'llm') AS m ON m.SpanId = t.IssuerSpanId`,
      { s: labels.sessionId },
    );
    measured.set(c.name, { labels, flags: await flagsOf(store.client, labels), issuer: new Map(links.map((l) => [l.callId, { issuer: l.issuer, cost: Number(l.cost) }])) });
  }
}, 120_000);
afterAll(async () => store?.close());

describe('imported transcripts', () => {
  it.each(CASES.map((c) => c.name))('%s: every tool call names the model call that issued it, and that call is stored', (name) => {
    const { labels, issuer } = measured.get(name)!;
    for (const call of labels.calls) {
      const link = issuer.get(call.callId);
      expect(link?.issuer, `step ${call.step}`).toMatch(/^[0-9a-f]{16}$/);
      expect(link!.cost, `step ${call.step}`).toBeGreaterThan(0);
    }
    // One model response per tool call in these scripted sessions: twelve calls, twelve different issuers.
    expect(new Set(labels.calls.map((c) => issuer.get(c.callId)!.issuer)).size).toBe(12);
  });

  it.each(CASES.map((c) => c.name))('%s: finds the five labelled waste calls, each priced with its own issuing call', (name) => {
    const { labels, flags, issuer } = measured.get(name)!;
    expect(flags.map((f) => [f.step, f.kind, f.evidence])).toEqual([[2, 'redundant_read', 'known'], [6, 'failed_tool', 'known'], [7, 'failed_retry', 'known'], [9, 'failed_retry', 'known'], [11, 'repeated_search', 'known']]);
    expect(score(flags, labels, 'known')).toMatchObject({ precision: 1, recall: 1 });
    for (const f of flags) {
      const callId = labels.calls.find((c) => c.step === f.step)!.callId;
      expect(f.issuerUsd, `step ${f.step}`).toBeCloseTo(issuer.get(callId)!.cost, 12);
    }
  });
});
