import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { analysePending, wasteReport } from '@fulcrum/query';
import { createPriceTable } from '@fulcrum/vocab';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES, replay } from '../harness/replay.js';
import { figuresOf, flagsOf, issuingCosts, readLabels, score, type Flag, type Labels, type SessionFigures } from './measure.js';

/**
 * Truth on real sessions: the real Claude Code, Codex and Gemini CLI binaries
 * ran one scripted, hand-labelled session each (tests/fixtures/real-clients/labelled/README.md),
 * and their own telemetry is replayed here into `fulcrum serve` and analysed.
 * `npm run truth` prints the table these tests assert.
 */
const CASES = ['claude-code-details', 'claude-code-defaults', 'claude-code-details-traces', 'codex', 'codex-apply-patch-tool', 'gemini'] as const;
type Case = (typeof CASES)[number];

let server: RunningServer;
const measured = new Map<Case, { labels: Labels; flags: Flag[]; figures: SessionFigures; issuingUsd: number; issuing: Map<number, number> }>();

beforeAll(async () => {
  // gpt-5.5 and gemini-3.8-flash are not in the price table, so they are unpriced; these recordings
  // price them through the config file's table extension (at gpt-5.1's and gemini-3-flash's list prices: an assumption of this test).
  const prices = createPriceTable({
    'gpt-5.5': { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0, provider: 'openai' },
    'gemini-3.8-flash': { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0, provider: 'google' },
  });
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: false, prices });
  for (const c of CASES) {
    const answers = await replay(server.url, `${FIXTURES}/labelled/${c}`);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  }
  await server.app.spanWriter.flush();
  await analysePending(server.app.store, { config: { prices } });
  const client = server.app.store.client;
  for (const c of CASES) {
    const labels = readLabels(`${FIXTURES}/labelled/${c}`);
    const issuing = await issuingCosts(client, labels);
    const issuingUsd = labels.calls.filter((x) => x.waste !== null).reduce((s, x) => s + issuing.get(x.step)!, 0);
    measured.set(c, { labels, flags: await flagsOf(client, labels), figures: await figuresOf(client, labels.sessionId), issuingUsd, issuing });
  }
  if (process.env.TRUTH_TABLE) printTable();
}, 120_000);
afterAll(async () => server?.close());

const m = (c: Case) => measured.get(c)!;
const steps = (flags: readonly Flag[]) => flags.map((f) => [f.step, f.kind, f.evidence]);

describe('precision first: no call is accused wrongly, whatever the harness and its settings', () => {
  it.each(CASES)('%s: every headline finding is a labelled waste call (precision 1.0)', (c) => {
    const s = score(m(c).flags, m(c).labels, 'known');
    expect(s.flags.filter((f) => f.truth === null).map((f) => f.step)).toEqual([]);
    expect(s.precision).toBe(1);
  });

  it.each(CASES)('%s: findings on partial evidence are right too', (c) => {
    expect(score(m(c).flags, m(c).labels, 'all').precision).toBe(1);
  });
});

describe('recall where the arguments are known', () => {
  it('Claude Code with tool details, Codex (both patch forms) and Gemini CLI find all five labelled waste calls on known evidence, each of the labelled kind', () => {
    for (const c of ['claude-code-details', 'claude-code-details-traces', 'codex', 'codex-apply-patch-tool', 'gemini'] as const) {
      const flags = m(c).flags;
      expect(steps(flags), c).toEqual([[2, 'redundant_read', 'known'], [6, 'failed_tool', 'known'], [7, 'failed_retry', 'known'], [9, 'failed_retry', 'known'], [11, 'repeated_search', 'known']]);
      expect(score(flags, m(c).labels, 'known').recall, c).toBeCloseTo(5 / 5, 9);
    }
  });

  it('Claude Code with default privacy: failures on known evidence; the re-read, the retry and the repeated search on partial evidence; the read of a different file and the read after the edit are never accused', () => {
    expect(steps(m('claude-code-defaults').flags)).toEqual([
      [2, 'redundant_read', 'partial'],
      [6, 'failed_tool', 'known'],
      [7, 'failed_retry', 'partial'],
      // A command of unknown effect (the ls) ran between: the third failure is only a failure.
      [9, 'failed_tool', 'known'],
      [11, 'repeated_search', 'partial'],
    ]);
    expect(m('claude-code-defaults').figures).toMatchObject({ unverifiableCalls: 12, evidenceHint: 'OTEL_LOG_TOOL_DETAILS=1' });
    expect(m('claude-code-details').figures).toMatchObject({ unverifiableCalls: 0, evidenceHint: '' });
  });
});

describe('the waste report over all six sessions', () => {
  it('counts only known evidence in its totals, lists the partial findings apart and names the setting that would check the rest', async () => {
    const r = await wasteReport(server.app.store.client, { project: 'default' });
    const knownUsd = CASES.flatMap((c) => m(c).flags.filter((f) => f.evidence === 'known')).reduce((s, f) => s + f.costUsd, 0);
    expect(r.totalUsd).toBeCloseTo(knownUsd, 9);
    expect(r.partial.categories.map((c) => [c.kind, c.spans])).toEqual([['failed_retry', 1], ['redundant_read', 1], ['repeated_search', 1]]);
    expect(r.partial.totalUsd).toBeCloseTo(m('claude-code-defaults').flags.filter((f) => f.evidence === 'partial').reduce((s, f) => s + f.costUsd, 0), 9);
    expect(new Set(r.partial.findings.map((f) => f.sessionId))).toEqual(new Set([m('claude-code-defaults').labels.sessionId]));
    expect(r.partial.findings.every((f) => f.evidence === 'partial')).toBe(true);
    expect(r.worstSessions.flatMap((s) => s.findings).every((f) => f.evidence === 'known')).toBe(true);
    expect(r.unverifiable).toEqual({ calls: 12, sessions: 1, hints: ['OTEL_LOG_TOOL_DETAILS=1'] });
  });
});

describe('dollars', () => {
  it("Claude Code's spend is the harness's own cost_usd to the cent, whatever its settings", () => {
    for (const c of ['claude-code-details', 'claude-code-defaults', 'claude-code-details-traces'] as const) {
      expect(m(c).figures.spendUsd, c).toBeCloseTo(m(c).labels.harnessTotals.costUsd!, 6);
      expect(m(c).figures.modelCalls, c).toBe(m(c).labels.harnessTotals.modelCalls);
    }
  });

  it('Codex and Gemini CLI tokens are the harness totals (input counted with its cache, as they report it)', () => {
    for (const c of ['codex', 'codex-apply-patch-tool', 'gemini'] as const) {
      const t = m(c).figures.tokens;
      const h = m(c).labels.harnessTotals;
      expect([t.input + t.cacheRead, t.cacheRead, t.output >= h.outputTokens], c).toEqual([h.inputTokens, h.cacheReadTokens, true]);
    }
  });

  it("every wasted call's issuer share is exactly the cost of the model call that issued it (one tool call per response here), plus a carried cost", () => {
    for (const c of CASES) {
      for (const f of m(c).flags) {
        expect(f.issuerUsd, `${c} step ${f.step}`).toBeCloseTo(m(c).issuing.get(f.step)!, 12);
        expect(f.costUsd, `${c} step ${f.step}`).toBeCloseTo(f.issuerUsd + f.carriedUsd, 12);
        expect(f.carriedUsd, `${c} step ${f.step}`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('a wasted call costs at least the model call that issued it: never priced from its result size alone', () => {
    for (const c of CASES) {
      const waste = m(c).flags.reduce((s, f) => s + f.issuerUsd, 0);
      const issuing = m(c).issuingUsd;
      expect(issuing, c).toBeGreaterThan(0);
      // Partial findings' issuers included: the labels count every wasted call, found or not.
      const found = m(c).flags.length / m(c).labels.calls.filter((x) => x.waste !== null).length;
      expect(waste / issuing, c).toBeCloseTo(found, 6);
    }
  });
});

describe('leverage with default settings', () => {
  it("takes lines from Claude Code's own lines_of_code metric when the events carry none, so default privacy scores as details on", () => {
    const d = m('claude-code-defaults').figures;
    const on = m('claude-code-details').figures;
    expect([d.linesSource, d.linesAdded, d.linesRemoved]).toEqual(['metrics', on.linesAdded, on.linesRemoved]);
    expect(d.leverage! / on.leverage!).toBeGreaterThan(0.9);
  });
});

function printTable(): void {
  const f = (x: number | null, digits = 2) => (x === null ? '–' : x.toFixed(digits));
  const lines = [
    '| harness, setting | headline precision | headline recall | with partial: precision | with partial: recall | kind agreement | waste $ (headline / partial) | issuing model calls $ | leverage | lines source |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of CASES) {
    const { labels, flags, figures, issuingUsd } = m(c);
    const known = score(flags, labels, 'known');
    const all = score(flags, labels, 'all');
    const usd = (e: string) => flags.filter((x) => x.evidence === e).reduce((s, x) => s + x.costUsd, 0);
    lines.push(`| ${c} | ${f(known.precision)} | ${f(known.recall)} | ${f(all.precision)} | ${f(all.recall)} | ${f(all.kindAgreement)} | $${f(usd('known'), 4)} / $${f(usd('partial'), 4)} | $${f(issuingUsd, 4)} | ${f(figures.leverage, 1)} | ${figures.linesSource} |`);
  }
  console.log(lines.join('\n'));
}
