import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { defaultGuardConfig, loadState, runHook, sendInterventions, stateFile, type GuardConfig } from '@fulcrum/guard';
import { tempDataDir } from '../helpers/store.js';
import { llm, send, T0 } from '../query/fixtures.js';
import { beforeTool, LIVE, replayLive } from './replay.js';

/*
 * The guard with a listening Fulcrum server: every intervention lands in the
 * session it belongs to (the report and session view count it), nothing is
 * lost while the server is down, and team budgets are judged on the server's
 * figures.
 */

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
});
afterAll(async () => server?.close());

const rows = async (query: string) => (await server.app.store.client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
const api = async (path: string): Promise<any> => {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.json();
};

describe('interventions recorded in Fulcrum', () => {
  it('lands each one in the harness session, where the report and the session view count it', async () => {
    const replay = await replayLive('claude-code', 'enforce', defaultGuardConfig('enforce'), { url: server.url });
    const sessionId = String(replay[0]!.payload.session_id);
    const denied = beforeTool(replay, 9);
    await server.app.spanWriter.flush();
    const stored = await rows(`SELECT ToolCallId, GuardPolicy, GuardDecision, SpanAttributes['fulcrum.guard.reason'] AS reason FROM spans FINAL
WHERE SessionId = '${sessionId}' AND SpanName = 'fulcrum.guard' ORDER BY Timestamp, GuardPolicy`);
    expect(stored.map((r) => [r.ToolCallId, r.GuardPolicy, r.GuardDecision])).toEqual([
      [beforeTool(replay, 2).payload.tool_use_id, 'reread', 'warned'],
      [denied.payload.tool_use_id, 'failing_command', 'denied'],
      [beforeTool(replay, 11).payload.tool_use_id, 'research', 'warned'],
    ]);
    expect(stored[1]!.reason).toMatch(/^Fulcrum guard refused this call: `python3 run_checks\.py` already failed 2 times/);
    await server.app.analyser.runNow(0);
    const session = await api(`/api/sessions/${sessionId}`);
    expect(session.prevented).toMatchObject({ calls: 1, warnings: 2 });
    // Every intervention was accepted: the session's outbox is empty.
    expect(loadState(stateFile(replay.stateDir, 'claude-code', sessionId), 'claude-code', sessionId).outbox).toEqual([]);
  });

  it('keeps what a server that is down did not take, and sends it with the next hook call once it is up', async () => {
    const down = 'http://127.0.0.1:9'; // discard port: nothing listens
    const replay = await replayLive('codex', 'observe', defaultGuardConfig('observe'), { url: down, timeoutMs: 300 });
    const sessionId = String(replay[0]!.payload.session_id);
    const file = stateFile(replay.stateDir, 'codex', sessionId);
    expect(loadState(file, 'codex', sessionId).outbox.map((i) => i.policy)).toEqual(['reread', 'failing_command', 'research']);
    // The failed send is not tried again within the minute (the harness waits for every hook): the server being up changes nothing yet.
    const retryAt = loadState(file, 'codex', sessionId).outboxRetryAtMs!;
    expect(retryAt - Date.now()).toBeGreaterThan(50_000);
    const stop = JSON.parse(readFileSync(join(LIVE, 'codex', 'sequence', '025-Stop.json'), 'utf8')) as Record<string, unknown>;
    stop.transcript_path = '';
    const next = (nowMs: number) => runHook({ harness: 'codex', input: JSON.stringify(stop), stateDir: replay.stateDir, config: defaultGuardConfig('observe'), record: { url: server.url }, now: () => nowMs });
    await next(retryAt - 1000);
    expect(loadState(file, 'codex', sessionId).outbox).toHaveLength(3);
    // The session's next hook after the minute, with the server reachable, sends them all.
    await next(retryAt + 1000);
    expect(loadState(file, 'codex', sessionId).outbox).toEqual([]);
    // Sent again (as when an answer is lost), they are stored once: their span ids follow from the interventions.
    await sendInterventions(replay.flatMap((h) => h.result.interventions), { url: server.url });
    await server.app.spanWriter.flush();
    expect(await rows(`SELECT GuardPolicy, GuardDecision FROM spans FINAL WHERE SessionId = '${sessionId}' AND SpanName = 'fulcrum.guard' ORDER BY Timestamp, GuardPolicy`)).toEqual([
      { GuardPolicy: 'reread', GuardDecision: 'observed' },
      { GuardPolicy: 'failing_command', GuardDecision: 'observed' },
      { GuardPolicy: 'research', GuardDecision: 'observed' },
    ]);
  });
});

describe('team and repository budgets, judged on the server\'s figures', () => {
  it('stops a session whose team has spent its budget in the current team window, and only that team\'s', async () => {
    const now = Date.now();
    const windowStart = Math.floor(now / 86_400_000) * 86_400_000;
    const at = Math.max(windowStart + 1000, now - 120_000);
    // Two sessions of team "payments" spending $3 in today's window, one of "mobile" spending $50.
    await send(server.url, [
      { session: 'pay-1', team: 'payments', offsetMs: at - T0, spans: [llm('m1', 0, 1.25), llm('m2', 10, 0.5)] },
      { session: 'pay-2', team: 'payments', offsetMs: at - T0, spans: [llm('m1', 0, 1.25)] },
      { session: 'mob-1', team: 'mobile', offsetMs: at - T0, spans: [llm('m1', 0, 50)] },
    ]);
    await server.app.spanWriter.flush();
    await server.app.analyser.runNow(0);
    const config: GuardConfig = { ...defaultGuardConfig('enforce'), budget: { ...defaultGuardConfig('enforce').budget, teamUsd: 4, warnAt: 0.5 } };
    const pre = JSON.parse(readFileSync(join(LIVE, 'claude-code', 'sequence', '001-PreToolUse.json'), 'utf8')) as Record<string, unknown>;
    pre.transcript_path = '';
    const hook = (team: string, c: GuardConfig, stateDir: string) =>
      runHook({ harness: 'claude-code', input: JSON.stringify(pre), stateDir, config: c, now: () => now, record: { url: server.url, resource: { 'fulcrum.team': team } } });

    // $3 of $4: the 75% warning goes with the call's result (a note), nothing is refused.
    const near = await hook('payments', config, tempDataDir('guard-team-'));
    expect(near.reply.stdout).toBe('');
    expect(near.interventions.map((i) => [i.policy, i.decision, i.reason])).toEqual([
      ['budget', 'warned', "Fulcrum guard: this session's team has spent $3.00 of its $4.00 budget for this 1440-minute window (75%). At the budget, tool calls will be refused; prefer finishing the task over exploring."],
    ]);
    // A $2.50 budget: the call is refused and the session stopped.
    const over = await hook('payments', { ...config, budget: { ...config.budget, teamUsd: 2.5 } }, tempDataDir('guard-team-'));
    expect(JSON.parse(over.reply.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: "Fulcrum guard stopped this session: this session's team has spent $3.00 in its current 1440-minute window, reaching its budget of $2.50. No further tool calls are allowed; summarise what is done and what is left for the user." } });
    // Another team's spend is not this team's.
    const other = await hook('search', { ...config, budget: { ...config.budget, teamUsd: 2.5 } }, tempDataDir('guard-team-'));
    expect(other).toMatchObject({ reply: { stdout: '' }, interventions: [] });
  });
});
