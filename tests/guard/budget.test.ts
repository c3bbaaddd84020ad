import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardConfigOf, readTranscriptTail } from '@fulcrum/guard';
import { tempDataDir } from '../helpers/store.js';
import { beforeTool, replayLive, transcriptAt } from './replay.js';

/*
 * The session budget on the live Gemini CLI recording. Its model
 * (gemini-3.8-flash) is not in the built-in price table, so with the defaults
 * its spend is $0 and no budget can act; the config file's `prices` section,
 * read as the server reads it, prices it.
 */

const PRICES = { 'gemini-3.8-flash': { input: 2, output: 12, cacheRead: 0.2, cacheWrite: 0 } };
// The recording's time (2026-11-30T21:28Z): every model call falls in the 21:00 window.
const DURING = () => Date.parse('2026-11-30T21:40:00Z');

/** The session's spend as the guard could see it at the n-th before-tool hook: the transcript as it was then, priced. */
function spendSeenAt(step: number, replay: Awaited<ReturnType<typeof replayLive>>): number {
  const file = join(tempDataDir('guard-budget-cut-'), 't.jsonl');
  writeFileSync(file, transcriptAt('gemini-cli', beforeTool(replay, step).file));
  return readTranscriptTail('gemini-cli', file, undefined, { prices: guardConfigOf({ prices: PRICES }).prices }).rows.reduce((s, r) => s + (r.SpanType === 'llm' ? r.CostUsd : 0), 0);
}

describe('session budget', () => {
  it('an unpriced model spends $0: the defaults stop nothing, whatever the budget', async () => {
    const replay = await replayLive('gemini-cli', 'enforce', guardConfigOf({ budgets: { sessionUsd: 0.000001 } }, 'enforce'), undefined, DURING);
    expect(replay.flatMap((h) => h.result.interventions).filter((i) => i.policy === 'budget')).toEqual([]);
  });

  it('with the model priced, warns at 80% and stops the session at the call that finds the budget spent', async () => {
    const probe = await replayLive('gemini-cli', 'observe', guardConfigOf({ prices: PRICES }, 'observe'), undefined, DURING);
    const seen = Array.from({ length: 12 }, (_, i) => spendSeenAt(i + 1, probe));
    expect(seen[11]).toBeGreaterThan(seen[0]!);
    // A budget the session reaches at step 7: spent by then, not by step 6.
    const budget = (seen[5]! + seen[6]!) / 2;
    expect(seen[5]).toBeLessThan(budget);
    const config = guardConfigOf({ prices: PRICES, budgets: { sessionUsd: budget } }, 'enforce');
    const replay = await replayLive('gemini-cli', 'enforce', config, undefined, DURING);
    const firstNear = seen.findIndex((s) => s >= 0.8 * budget) + 1;
    const stop = beforeTool(replay, 7);
    expect(stop.answer).toMatchObject({ continue: false, decision: 'deny' });
    expect(String(stop.answer.stopReason)).toMatch(/^Fulcrum guard stopped this session: this session has spent \$[\d.]+ in its current 60-minute window, reaching its budget of \$[\d.]+\./);
    // Up to the stop (the recording went on; Gemini CLI stops at continue:false): one warning, at the first step at or past 80% if before it, then the stop.
    const upToStop = replay.slice(0, replay.indexOf(stop) + 1);
    const budgetActs = upToStop.flatMap((h) => h.result.interventions.filter((i) => i.policy === 'budget').map((i) => i.decision));
    expect(budgetActs).toEqual(firstNear < 7 ? ['warned', 'stopped'] : ['stopped']);
    if (firstNear < 7) expect(upToStop.findIndex((h) => h.result.interventions.some((i) => i.policy === 'budget' && i.decision === 'warned'))).toBe(replay.indexOf(beforeTool(replay, firstNear)));
    expect(stop.result.interventions.find((i) => i.policy === 'budget')!.savedUsd).toBeGreaterThan(0);
  });
});
