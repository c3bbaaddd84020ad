import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscriptTail, type GuardHarness, type Intervention } from '@fulcrum/guard';
import { classifySession } from '@fulcrum/query/engine/classify';
import { sessionSpanOfRow } from '@fulcrum/query/engine/span';
import { afterTool, beforeTool, LIVE, replayLive, type ReplayedHook } from './replay.js';

/*
 * The guard against what the real harnesses sent: each live recording (the
 * labelled scenario: 12 tool calls, of which step 2 re-reads calc.py, steps 6,
 * 7 and 9 run the same failing command, step 11 repeats step 10's search) is
 * replayed hook by hook, with the transcript cut to the length it had then.
 */

const HARNESSES: GuardHarness[] = ['claude-code', 'codex', 'gemini-cli'];

const interventionsOf = (replay: readonly ReplayedHook[]): Intervention[] => replay.flatMap((h) => h.result.interventions);
const hookEvents = (replay: readonly ReplayedHook[]) => replay.map((h) => String(h.payload.hook_event_name));

function spoken(replay: readonly ReplayedHook[]): string[] {
  return replay.filter((h) => JSON.stringify(h.answer) !== JSON.stringify({})).map((h) => h.file);
}

describe.each(HARNESSES)('%s: enforce', (harness) => {
  it('denies the third run of the failing command, in the harness\'s own deny format, and nothing else', async () => {
    const replay = await replayLive(harness, 'enforce');
    const third = beforeTool(replay, 9);
    expect(JSON.stringify(third.payload.tool_input)).toContain('python3 run_checks.py');
    const reason = harness === 'gemini-cli' ? third.answer.reason : (third.answer.hookSpecificOutput as Record<string, unknown>).permissionDecisionReason;
    expect(reason).toMatch(/^Fulcrum guard refused this call: `python3 run_checks\.py` already failed 2 times in this session \(first at step 6\)/);
    expect(reason).toContain("can't open file");
    if (harness === 'gemini-cli') expect(third.answer).toEqual({ decision: 'deny', reason });
    // Codex refuses a deny that carries anything else (continue, stopReason) and runs the command: the deny stands alone.
    else expect(third.answer).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });

    // The only other answers are the notes on step 2 (re-read) and step 11 (repeated search), given with their results.
    const reread = afterTool(replay, 2)!;
    const search = afterTool(replay, 11)!;
    expect(spoken(replay).sort()).toEqual([third.file, reread.file, search.file].sort());
    const note = (h: ReplayedHook) => (h.answer.hookSpecificOutput as Record<string, unknown>).additionalContext;
    expect(note(reread)).toMatch(/calc\.py has not changed since you read it at step 1;/);
    expect(note(search)).toBe('Fulcrum guard: this search repeats step 10 and no file has changed since, so its results are the same as then.');
    expect((reread.answer.hookSpecificOutput as Record<string, unknown>).hookEventName).toBe(reread.payload.hook_event_name);
    // Every silent answer is the harness's "nothing to say": empty for Claude Code and Codex, {} for Gemini CLI (which reads stderr otherwise).
    for (const h of replay) if (!spoken(replay).includes(h.file)) expect(h.result.reply).toEqual({ stdout: harness === 'gemini-cli' ? '{}\n' : '', exitCode: 0 });

    const recorded = interventionsOf(replay);
    expect(recorded.map((i) => [i.policy, i.decision, i.wasteKind])).toEqual([
      ['reread', 'warned', 'redundant_read'],
      ['failing_command', 'denied', 'failed_retry'],
      ['research', 'warned', 'repeated_search'],
    ]);
    const denied = recorded[1]!;
    expect(denied.toolCallId).toBe(harness === 'gemini-cli' ? '' : third.payload.tool_use_id);
    // The anchor is the first failure (step 6): its call id as the harness gave it.
    expect(denied.anchorCallIds).toEqual(harness === 'gemini-cli' ? [] : [beforeTool(replay, 6).payload.tool_use_id]);
  });

  it('never denies or notes a read after an edit, a different file, or a call that ran once', async () => {
    const replay = await replayLive(harness, 'enforce');
    for (const step of [1, 3, 4, 5, 6, 7, 8, 10, 12]) {
      expect(beforeTool(replay, step).answer, `step ${step} before`).toEqual({});
      const after = afterTool(replay, step);
      if (after) expect(after.answer, `step ${step} after`).toEqual({});
    }
  });
});

describe.each(HARNESSES)('%s: observe and warn', (harness) => {
  it('observe denies nothing, notes nothing, and records what enforce would have done', async () => {
    const replay = await replayLive(harness, 'observe');
    expect(spoken(replay)).toEqual([]);
    expect(interventionsOf(replay).map((i) => [i.policy, i.decision])).toEqual([
      ['reread', 'observed'],
      ['failing_command', 'observed'],
      ['research', 'observed'],
    ]);
    expect(hookEvents(replay).length).toBe(26);
  });

  it('warn lets the third run through and warns the model with its result', async () => {
    const replay = await replayLive(harness, 'warn');
    expect(beforeTool(replay, 9).answer).toEqual({});
    const warning = afterTool(replay, 9)!;
    expect((warning.answer.hookSpecificOutput as Record<string, unknown>).additionalContext).toMatch(/^Fulcrum guard \(warning\): `python3 run_checks\.py` already failed 2 times/);
    expect(interventionsOf(replay).map((i) => i.decision)).toEqual(['warned', 'warned', 'warned']);
  });
});

describe.each(HARNESSES)('%s: the same verdict as the report', (harness) => {
  it('each call the guard acted on is one the classifier marks with the same waste kind on the finished transcript', async () => {
    const replay = await replayLive(harness, 'observe');
    // The report's view: the whole transcript through the import parsers, classified as stored sessions are.
    const rows = readTranscriptTail(harness, join(LIVE, harness, 'transcript.jsonl'), undefined).rows;
    const spans = rows.map(sessionSpanOfRow).sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : BigInt(a.startNs) > BigInt(b.startNs) ? 1 : a.spanId < b.spanId ? -1 : 1));
    const verdicts = new Map(classifySession(spans).map((v) => [v.spanId, v]));
    const tools = spans.filter((s) => s.type === 'tool' || s.type === 'mcp');
    expect(tools).toHaveLength(12);
    const reportKinds = tools.map((s) => verdicts.get(s.spanId)?.kind ?? '');
    // Steps the guard acted on, by the before-tool hook that decided them.
    const guardKinds = tools.map((_, i) => beforeTool(replay, i + 1).result.interventions.map((x) => x.wasteKind)[0] ?? '');
    expect(guardKinds.map((k, i) => (k ? `${i + 1}:${k}` : '')).filter(Boolean)).toEqual(['2:redundant_read', '9:failed_retry', '11:repeated_search']);
    for (const [i, k] of guardKinds.entries()) if (k) expect(reportKinds[i], `step ${i + 1}`).toBe(k);
    // What the report calls waste and the guard leaves alone: the first retry (step 7, below the threshold of 3) and plain failures.
    expect(reportKinds.map((k, i) => (k && !guardKinds[i] ? `${i + 1}:${k}` : '')).filter(Boolean)).toEqual(['6:failed_tool', '7:failed_retry']);
  });
});
