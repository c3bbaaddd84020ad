import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTranscripts } from '@fulcrum/ingest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { analysePending, getSession } from '@fulcrum/query';
import { renderSessionTree } from '@fulcrum/cli/render/tree';
import type { Store } from '@fulcrum/store';
import { FIXTURES, replay, rows } from '../harness/replay.js';
import { tempDataDir } from '../helpers/store.js';

/**
 * Delegation per session (docs/outcomes.md): prompts, tool calls per prompt,
 * the longest autonomous run, rejected calls, active time and the level,
 * materialised by the engine in session_summaries and shown by the session view.
 * Real harness recordings are replayed into a real server and counted again
 * here from the recorded OTLP files themselves.
 */

interface SummaryRow {
  SessionId: string;
  ToolCalls: number;
  Prompts: number;
  PromptSource: string;
  LongestRunCalls: number;
  LongestRunSeconds: number;
  RejectedCalls: number;
  AgentActiveSeconds: number;
  HumanActiveSeconds: number;
  DelegationLevel: string;
}

const SUMMARY = `SELECT SessionId, ToolCalls, Prompts, PromptSource, LongestRunCalls, LongestRunSeconds, RejectedCalls, AgentActiveSeconds, HumanActiveSeconds, DelegationLevel
FROM session_summaries FINAL WHERE Project = {p:String} AND SessionId = {s:String}`;

async function summaryOf(client: Store['client'], sessionId: string, project = 'default'): Promise<SummaryRow> {
  const [r] = await rows<SummaryRow>(client, SUMMARY, { p: project, s: sessionId });
  expect(r, sessionId).toBeDefined();
  return { ...r!, ToolCalls: Number(r!.ToolCalls), Prompts: Number(r!.Prompts), LongestRunCalls: Number(r!.LongestRunCalls), RejectedCalls: Number(r!.RejectedCalls) };
}

// ---- counting a recording independently, from its OTLP log files --------------------------------

type Attrs = Record<string, string>;
interface LogRecord { time: bigint; attrs: Attrs }

function anyValue(v: Record<string, unknown>): string {
  const [k, x] = Object.entries(v)[0] ?? ['', ''];
  return k === 'stringValue' || k === 'intValue' || k === 'doubleValue' || k === 'boolValue' ? String(x) : '';
}

/** Every log record of a recording, with its attributes flattened and its time (observed time when the record has none, as Codex sends). */
function logRecords(dir: string): LogRecord[] {
  const otlp = join(dir, 'otlp');
  const out: LogRecord[] = [];
  for (const f of readdirSync(otlp).filter((n) => /-logs\.json$/.test(n)).sort()) {
    const body = JSON.parse(readFileSync(join(otlp, f), 'utf8')) as { resourceLogs: { scopeLogs: { logRecords: { timeUnixNano: string; observedTimeUnixNano: string; attributes?: { key: string; value: Record<string, unknown> }[] }[] }[] }[] };
    for (const rl of body.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) {
      const attrs: Attrs = {};
      for (const a of r.attributes ?? []) attrs[a.key] = anyValue(a.value);
      out.push({ time: BigInt(r.timeUnixNano !== '0' ? r.timeUnixNano : r.observedTimeUnixNano), attrs });
    }
  }
  return out;
}

const PROMPT_EVENTS = new Set(['user_prompt', 'codex.user_prompt', 'gemini_cli.user_prompt']);
// Skills and subagents are their own kinds of call, not tool calls (the summary's ToolCalls counts tool and MCP calls).
const NOT_TOOL_CALLS = new Set(['Skill', 'Agent', 'activate_skill']);

/** What the recording says, counted from the files: prompts, tool calls (one per call id), refusals by the user. */
function recorded(dir: string): { sessionId: string; prompts: number; toolCalls: number; userRejections: number } {
  const records = logRecords(dir);
  const event = (r: LogRecord) => r.attrs['event.name'] ?? '';
  const prompts = records.filter((r) => PROMPT_EVENTS.has(event(r)));
  const calls = new Set<string>();
  records.forEach((r, i) => {
    const e = event(r);
    const tool = r.attrs.tool_name ?? r.attrs.function_name ?? '';
    if (NOT_TOOL_CALLS.has(tool)) return;
    if (e === 'tool_result' || e === 'codex.tool_result') calls.add(r.attrs.tool_use_id ?? r.attrs.call_id ?? `${i}`);
    if (e === 'gemini_cli.tool_call') calls.add(`gemini:${i}`);
  });
  const userRejections = records.filter((r) => /tool_decision$/.test(event(r)) && !/^(accept|approved)/.test(r.attrs.decision ?? '') && /^user/i.test(r.attrs.source ?? '')).length;
  const sessionId = prompts[0]!.attrs['session.id'] ?? prompts[0]!.attrs['conversation.id']!;
  return { sessionId, prompts: prompts.length, toolCalls: calls.size, userRejections };
}

// ---- the recordings ------------------------------------------------------------------------------

const RECORDINGS = [
  'labelled/claude-code-details', 'labelled/claude-code-defaults', 'labelled/claude-code-details-traces',
  'labelled/codex', 'labelled/codex-apply-patch-tool', 'labelled/gemini',
  'claude-code-2.1.197/headers-gzip-json', 'codex-0.169.0/json', 'gemini-cli-0.61.0/http-json',
] as const;

let server: RunningServer;
const SYNTHETIC = 'delegation-synthetic-1';
const SYNTHETIC_CODEX = 'delegation-synthetic-codex';

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: false });
  for (const r of RECORDINGS) {
    const answers = await replay(server.url, `${FIXTURES}/${r}`);
    expect(answers.map((a) => a.status), r).toEqual(answers.map(() => 200));
  }
  await sendSynthetic(server.url);
  await server.app.spanWriter.flush();
  await analysePending(server.app.store);
  // DELEGATION_TABLE=1 prints what each recording measures.
  if (process.env.DELEGATION_TABLE) {
    const all = await rows<SummaryRow>(server.app.store.client, SUMMARY.replace('AND SessionId = {s:String}', ''), { p: 'default' });
    console.table(all);
  }
}, 120_000);
afterAll(async () => server?.close());

describe('real recordings: the figures are what the recording holds', () => {
  it.each(RECORDINGS)('%s: prompts, tool calls, tool calls per prompt, longest run and rejections', async (r) => {
    const want = recorded(`${FIXTURES}/${r}`);
    const got = await summaryOf(server.app.store.client, want.sessionId);
    // Every recording is one prompt (`-p` / `exec`): the whole session is one autonomous run.
    expect(want.prompts).toBe(1);
    expect({ prompts: got.Prompts, source: got.PromptSource, toolCalls: got.ToolCalls, longest: got.LongestRunCalls, rejected: got.RejectedCalls })
      .toEqual({ prompts: want.prompts, source: 'events', toolCalls: want.toolCalls, longest: want.toolCalls, rejected: want.userRejections });
  });

  it('each is at the level its tool calls per prompt put it at', async () => {
    const levels = Object.fromEntries(await Promise.all(RECORDINGS.map(async (r) => [r, (await summaryOf(server.app.store.client, recorded(`${FIXTURES}/${r}`).sessionId)).DelegationLevel])));
    expect(levels).toEqual({
      // 12 tool calls for 1 prompt: ≥ 10 per prompt.
      'labelled/claude-code-details': 'delegated', 'labelled/claude-code-defaults': 'delegated', 'labelled/claude-code-details-traces': 'delegated',
      'labelled/codex': 'delegated', 'labelled/codex-apply-patch-tool': 'delegated', 'labelled/gemini': 'delegated',
      // 2 tool calls for 1 prompt: ≤ 2 per prompt.
      'claude-code-2.1.197/headers-gzip-json': 'pair',
      // 4 and 5 tool calls for 1 prompt.
      'codex-0.169.0/json': 'supervised', 'gemini-cli-0.61.0/http-json': 'supervised',
    });
  });

  it("Claude Code (logs only): the run's time is from the prompt event to the end of the last call, as the records' own times say", async () => {
    for (const r of ['labelled/claude-code-details', 'labelled/claude-code-defaults', 'claude-code-2.1.197/headers-gzip-json'] as const) {
      const records = logRecords(`${FIXTURES}/${r}`);
      const prompt = records.find((x) => x.attrs['event.name'] === 'user_prompt')!.time;
      // Claude Code logs a call when it ends: the last api_request or tool_result record is the run's end.
      const end = records.filter((x) => ['api_request', 'tool_result'].includes(x.attrs['event.name'] ?? '')).reduce((m, x) => (x.time > m ? x.time : m), 0n);
      const got = await summaryOf(server.app.store.client, recorded(`${FIXTURES}/${r}`).sessionId);
      expect(got.LongestRunSeconds, r).toBeCloseTo(Number(end - prompt) / 1e9, 3);
    }
  });

  it("Claude Code's active time: the CLI's own active_time.total (type=cli) is the agent's; these -p runs record no human time", async () => {
    const dir = `${FIXTURES}/labelled/claude-code-details`;
    const metrics = JSON.parse(readFileSync(join(dir, 'otlp/0002-metrics.json'), 'utf8')) as { resourceMetrics: { scopeMetrics: { metrics: { name: string; sum?: { dataPoints: { asDouble?: number; attributes: { key: string; value: Record<string, unknown> }[] }[] } }[] }[] }[] };
    const points = metrics.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).filter((m) => m.name === 'claude_code.active_time.total').flatMap((m) => m.sum!.dataPoints);
    const of = (type: string) => points.filter((p) => p.attributes.some((a) => a.key === 'type' && anyValue(a.value) === type)).reduce((s, p) => s + (p.asDouble ?? 0), 0);
    const got = await summaryOf(server.app.store.client, recorded(dir).sessionId);
    expect([got.AgentActiveSeconds, got.HumanActiveSeconds]).toEqual([of('cli'), of('user')]);
    expect(of('cli')).toBeGreaterThan(0);
  });
});

// ---- a synthetic session of known shape ----------------------------------------------------------

/**
 * Claude Code's own event shapes: 3 prompts followed by 2, 5 and 1 tool calls;
 * the human rejects the 3rd call after the second prompt (source user_reject).
 * Times (seconds
 * after T): prompt 0, calls 1-2; prompt 10, calls 11-15 (13 rejected); prompt 30, call 31.
 * Each call is issued by a model call 0.5 s before it and lasts 0.2 s.
 */
const T = 1_790_000_000_000; // ms
async function sendSynthetic(url: string): Promise<void> {
  const s = (v: string) => ({ stringValue: v });
  const at = (sec: number) => `${BigInt(Math.round((T + sec * 1000))) * 1_000_000n}`;
  const record = (sec: number, event: string, attrs: Record<string, string>) => ({
    timeUnixNano: at(sec), observedTimeUnixNano: at(sec), body: s(`claude_code.${event}`),
    attributes: Object.entries({ 'session.id': SYNTHETIC, 'event.name': event, ...attrs }).map(([key, v]) => ({ key, value: s(v) })),
  });
  const records: unknown[] = [];
  let n = 0;
  const call = (sec: number, reject?: string) => {
    n++;
    // Logged when each ends: a model call of 0.3 s ending 0.2 s before the tool call starts, a tool call of 0.2 s.
    records.push(record(sec - 0.2, 'api_request', { request_id: `req_${n}`, model: 'claude-sonnet-4-5', input_tokens: '100', output_tokens: '10', cost_usd: '0.001', duration_ms: '300' }));
    if (reject) records.push(record(sec, 'tool_decision', { tool_use_id: `toolu_${n}`, tool_name: 'Bash', decision: 'reject', source: reject }));
    else records.push(record(sec + 0.2, 'tool_result', { tool_use_id: `toolu_${n}`, tool_name: 'Read', success: 'true', duration_ms: '200', tool_input_size_bytes: `${n}` }));
  };
  records.push(record(0, 'user_prompt', { prompt_length: '20', prompt: '<REDACTED>' }));
  call(1); call(2);
  records.push(record(10, 'user_prompt', { prompt_length: '30', prompt: '<REDACTED>' }));
  call(11); call(12); call(13, 'user_reject'); call(14); call(15);
  records.push(record(30, 'user_prompt', { prompt_length: '5', prompt: '<REDACTED>' }));
  call(31);
  const logs = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: s('claude-code') }] }, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }] }] };
  const point = (type: string, v: number) => ({ attributes: [{ key: 'session.id', value: s(SYNTHETIC) }, { key: 'type', value: s(type) }], startTimeUnixNano: at(0), timeUnixNano: at(40), asDouble: v });
  const metrics = { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: s('claude-code') }] }, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code' }, metrics: [
    { name: 'claude_code.active_time.total', unit: 's', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point('cli', 27), point('user', 9)] } },
  ] }] }] };
  // Codex's own shapes: a refusal by the configuration is not the human's; a refusal by the user is.
  const codex = (sec: number, event: string, attrs: Record<string, string>) => ({
    timeUnixNano: '0', observedTimeUnixNano: at(sec),
    attributes: Object.entries({ 'conversation.id': SYNTHETIC_CODEX, 'event.name': event, ...attrs }).map(([key, v]) => ({ key, value: s(v) })),
  });
  const codexLogs = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: s('codex_exec') }] }, scopeLogs: [{ scope: { name: 'codex_otel' }, logRecords: [
    codex(0, 'codex.user_prompt', { prompt_length: '12' }),
    codex(1, 'codex.tool_decision', { call_id: 'call_a', tool_name: 'exec_command', decision: 'denied', source: 'Config' }),
    codex(2, 'codex.tool_decision', { call_id: 'call_b', tool_name: 'exec_command', decision: 'denied', source: 'User' }),
    codex(3, 'codex.tool_result', { call_id: 'call_c', tool_name: 'exec_command', success: 'true', arguments: '{"cmd":"ls"}', output: 'Process exited with code 0' }),
  ] }] }] };
  for (const [path, body] of [['/v1/logs', logs], ['/v1/metrics', metrics], ['/v1/logs', codexLogs]] as const) {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, path).toBe(200);
  }
}

describe('a session of known shape: 3 prompts, 2/5/1 tool calls, one call rejected by the human', () => {
  it('materialises 8 tool calls over 3 prompts, the longest run, the rejection, the active time and the level', async () => {
    const got = await summaryOf(server.app.store.client, SYNTHETIC);
    expect({ ...got, LongestRunSeconds: Number(got.LongestRunSeconds.toFixed(3)) }).toEqual({
      SessionId: SYNTHETIC, ToolCalls: 8, Prompts: 3, PromptSource: 'events',
      // Runs: 2 calls (prompt 1), 3 calls closed by the rejection at 13, 2 calls after it, 1 call (prompt 3).
      LongestRunCalls: 3,
      // Longest in time: from the rejection (13 s, it ends 0 s later: a refusal has no duration) to the end of call 15 (15.2 s)
      // is 2.2 s; prompt 2 (10 s) to the rejection (13 s) is 3 s; prompt 1 (0 s) to the end of call 2 (2.2 s) is 2.2 s.
      LongestRunSeconds: 3,
      RejectedCalls: 1,
      AgentActiveSeconds: 27, HumanActiveSeconds: 9,
      // 8 / 3 = 2.67 tool calls per prompt: above pair (≤ 2), below delegated (≥ 10), and no run of 25.
      DelegationLevel: 'supervised',
    });
  });

  it('the session view shows the same figures, with tool calls per prompt and the agent share of active time', async () => {
    const d = await getSession(server.app.store.client, { project: 'default', sessionId: SYNTHETIC });
    expect(d!.delegation).toEqual({
      level: 'supervised', prompts: 3, promptSource: 'events', toolCalls: 8, toolCallsPerPrompt: 8 / 3,
      longestRunCalls: 3, longestRunSeconds: 3, rejectedCalls: 1, agentActiveSeconds: 27, humanActiveSeconds: 9, agentActiveShare: 0.75,
    });
  });

  it("Codex: a call the configuration denied is not the human's rejection; one the user denied is, and ends the run", async () => {
    const got = await summaryOf(server.app.store.client, SYNTHETIC_CODEX);
    expect([got.Prompts, got.ToolCalls, got.RejectedCalls, got.LongestRunCalls]).toEqual([1, 3, 1, 2]);
  });

  it('fulcrum session renders one Delegation line', async () => {
    const d = await getSession(server.app.store.client, { project: 'default', sessionId: SYNTHETIC });
    expect(renderSessionTree(d!, 'table').split('\n').filter((l) => l.startsWith('Delegation:'))).toEqual([
      'Delegation: supervised, 2.7 tool calls per prompt (3 prompts), longest autonomous run 3 tool calls over 3.0s, 1 rejected, agent 75% of active time',
    ]);
  });

  it('GET /api/sessions/:id carries the figures as JSON', async () => {
    const res = await fetch(`${server.url}/api/sessions/${SYNTHETIC}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { delegation: { level: string; toolCallsPerPrompt: number; rejectedCalls: number } };
    expect([body.delegation.level, body.delegation.toolCallsPerPrompt, body.delegation.rejectedCalls]).toEqual(['supervised', 8 / 3, 1]);
  });
});

// ---- imported transcripts ------------------------------------------------------------------------

describe('imported transcripts: user turns are stored as typed prompt rows without their text', () => {
  const L = `${FIXTURES}/labelled`;
  // Imported into a project of their own, so these sessions hold nothing but what the transcripts say.
  const project = 'imported';
  const CASES = [
    { name: 'claude-code-details', harness: 'claude-code', path: `${L}/claude-code-details/transcripts/projects` },
    { name: 'codex', harness: 'codex', path: `${L}/codex/sessions` },
    { name: 'gemini', harness: 'gemini', path: `${L}/gemini/chats` },
  ] as const;

  it.each(CASES)('$name: one prompt, 12 tool calls, one run of 12, delegated, counted from the transcript', async (c) => {
    const store = server.app.store;
    await importTranscripts({ harness: c.harness, path: c.path, store, project });
    await analysePending(store);
    const sessionId = recorded(`${L}/${c.name}`).sessionId;
    const got = await summaryOf(store.client, sessionId, project);
    expect([got.Prompts, got.PromptSource, got.ToolCalls, got.LongestRunCalls, got.RejectedCalls, got.DelegationLevel]).toEqual([1, 'transcript', 12, 12, 0, 'delegated']);
    // Only the prompt's length is kept: the text (92 characters, "Review calc.py, ...") is in no column or attribute.
    const prompts = await rows<{ SpanName: string; SpanType: string; attrs: string }>(
      store.client, `SELECT SpanName, SpanType, toJSONString(SpanAttributes) AS attrs FROM spans FINAL WHERE Project = {p:String} AND SessionId = {s:String} AND Source = 'transcript' AND SpanName LIKE '%user_prompt'`, { p: project, s: sessionId },
    );
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.SpanType).toBe('other');
    expect(JSON.parse(prompts[0]!.attrs)).toEqual({ prompt_length: '92' });
    const all = await rows<{ n: number }>(store.client, `SELECT count() AS n FROM spans FINAL WHERE Project = {p:String} AND SessionId = {s:String} AND positionCaseInsensitive(concat(SpanName, toJSONString(SpanAttributes), StatusMessage), 'Review calc.py') > 0`, { p: project, s: sessionId });
    expect(Number(all[0]!.n)).toBe(0);
  });

  it('a session sent as telemetry and also imported counts its prompt once (from the telemetry)', async () => {
    await importTranscripts({ harness: 'claude-code', path: `${L}/claude-code-details/transcripts/projects`, store: server.app.store });
    await analysePending(server.app.store);
    const got = await summaryOf(server.app.store.client, recorded(`${L}/claude-code-details`).sessionId);
    expect([got.Prompts, got.PromptSource, got.ToolCalls, got.LongestRunCalls]).toEqual([1, 'events', 12, 12]);
  });
});
