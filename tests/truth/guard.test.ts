import { afterAll, describe, expect, it } from 'vitest';
import { defaultGuardConfig, type GuardHarness } from '@fulcrum/guard';
import { FIXTURES } from '../helpers/fixtures.js';
import { afterTool, beforeTool, replayLive, type ReplayedHook } from '../guard/replay.js';
import { readLabels, type Labels } from './measure.js';

/**
 * The guard's truth on real sessions: the live hook recordings of the
 * labelled scenario (tests/fixtures/real-clients/hooks/live: same script,
 * same 12 steps as the labelled telemetry recordings) replayed through the
 * guard in enforce mode, scored against the hand labels of that scenario.
 * `npm run truth` prints the table.
 */
const CASES: [GuardHarness, string][] = [['claude-code', 'claude-code-details'], ['codex', 'codex-apply-patch-tool'], ['gemini-cli', 'gemini']];
const LOOP = new Set(['failed_retry', 'repeated_call', 'ping_pong']);
const NOTED = new Set(['redundant_read', 'repeated_search']);

interface GuardScore {
  loopCalls: number[];
  prevented: number[];
  falseDenials: number[];
  noted: number[];
  falseNotes: number[];
}

function scoreGuard(replay: readonly ReplayedHook[], labels: Labels): GuardScore {
  const s: GuardScore = { loopCalls: [], prevented: [], falseDenials: [], noted: [], falseNotes: [] };
  for (const call of labels.calls) {
    const denied = JSON.stringify(beforeTool(replay, call.step).answer).includes('deny');
    const note = JSON.stringify(afterTool(replay, call.step)?.answer ?? {}).includes('additionalContext');
    if (call.waste && LOOP.has(call.waste)) s.loopCalls.push(call.step);
    if (denied) (call.waste && LOOP.has(call.waste) ? s.prevented : s.falseDenials).push(call.step);
    if (note) (call.waste && NOTED.has(call.waste) ? s.noted : s.falseNotes).push(call.step);
  }
  return s;
}

const measured = new Map<GuardHarness, GuardScore>();
afterAll(() => {
  if (!process.env.TRUTH_TABLE) return;
  console.log('\nGuard (enforce, default thresholds) on the live recordings of the labelled scenario');
  console.log('harness       loop calls  prevented  false denials  re-read/search noted  false notes');
  for (const [h, s] of measured) console.log(`${h.padEnd(13)} ${String(s.loopCalls.length).padStart(10)}  ${`${s.prevented.length} (${s.prevented.join(',')})`.padStart(9)}  ${String(s.falseDenials.length).padStart(13)}  ${String(s.noted.length).padStart(20)}  ${String(s.falseNotes.length).padStart(11)}`);
});

describe.each(CASES)('%s', (harness, labelled) => {
  it('prevents the loop calls past the threshold, denies no other call, and notes only labelled re-reads and searches', async () => {
    const labels = readLabels(`${FIXTURES}/labelled/${labelled}`);
    const s = scoreGuard(await replayLive(harness, 'enforce', defaultGuardConfig('enforce')), labels);
    measured.set(harness, s);
    // Steps 7 and 9 retry the failing command of step 6. The breaker refuses the 3rd run (step 9); step 7, the 2nd, is below its threshold.
    expect(s.loopCalls).toEqual([7, 9]);
    expect(s.prevented).toEqual([9]);
    expect(s.falseDenials).toEqual([]);
    expect(s.noted).toEqual([2, 11]);
    expect(s.falseNotes).toEqual([]);
  });
});
