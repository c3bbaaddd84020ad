/**
 * Tool facts (ToolKind, FilePath/FilePaths, CommandKey, SearchKey, edit hashes,
 * InputSize) decided once at ingest, from real harness recordings: first on
 * the normalisers' rows directly, then as stored by the real app.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsJson, decodeLogsProtobuf, decodeTracesJson, finishRows, importTranscripts, JoinCache, normaliseLogs, normaliseTraces } from '@fulcrum/ingest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { claudeCodeParser } from '@fulcrum/ingest/transcripts/claude-code';
import { codexParser } from '@fulcrum/ingest/transcripts/codex';
import type { SpanRow } from '@fulcrum/store';
import { textHash } from '@fulcrum/vocab';
import { startTracing, traceToolCall, withSession, type TracingHandle } from '../../packages/sdk/src/index.js';
import { FIXTURES, replay, rows } from '../harness/replay.js';
import { tempDataDir } from '../helpers/store.js';

const CC = `${FIXTURES}/claude-code-2.1.197`;
const RICH = '73732c52-38e1-4da5-b45e-39170c330c7b';
const PRIVATE = '67b10a32-3ba0-45b2-9cbe-d501b898b852';
const CODEX = '01a20283-63ec-78b2-9c4e-d3476625c4ad';
const GEMINI = '1014ebe6-2d08-4789-91d4-21f7d1180322';
const RICH_TRANSCRIPT = `${CC}/all-details-traces-json/transcripts/projects/-home-developer1-workdir-rich/${RICH}.jsonl`;
const CODEX_ROLLOUT = `${FIXTURES}/codex-0.169.0/json/sessions/sessions/2026/11/22/rollout-2026-11-22T09-08-14-${CODEX}.jsonl`;
const TOOL_TYPES = ['tool', 'mcp', 'skill', 'agent'];
// Edit calc.py: old_string "def main():", new_string adds sub() before it (Claude Code Edit and Gemini replace alike).
const OLD_HASH = textHash('def main():');
const NEW_HASH = textHash('def sub(a, b):\n    return a - b\n\n\ndef main():');

/** Every OTLP request of a recording through the normalisers and finishRows, as the routes do; the final row per call. */
function normaliseRecording(dir: string): SpanRow[] {
  const ctx = { project: 'p', join: new JoinCache() };
  const byKey = new Map<string, SpanRow>();
  const otlp = join(dir, 'otlp');
  for (const f of readdirSync(otlp).sort()) {
    if (f.includes('.meta.') || f.includes('.decoded.') || f.includes('metrics')) continue;
    const body = readFileSync(join(otlp, f));
    const batch = f.includes('traces')
      ? normaliseTraces(decodeTracesJson(JSON.parse(body.toString('utf8'))), ctx)
      : normaliseLogs(f.endsWith('.pb') ? decodeLogsProtobuf(body) : decodeLogsJson(JSON.parse(body.toString('utf8'))), ctx, ctx.join);
    finishRows(batch.rows, {});
    for (const r of batch.rows) byKey.set(`${r.SessionId}/${r.SpanId}`, r);
  }
  return [...byKey.values()].sort((a, b) => (BigInt(a.Timestamp) < BigInt(b.Timestamp) ? -1 : 1));
}

/** A transcript file through its parser and finishRows, as importTranscripts does. */
function parseTranscript(parser: ReturnType<typeof claudeCodeParser>, file: string): SpanRow[] {
  const out: SpanRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(...parser.line(JSON.parse(line)).rows);
  out.push(...parser.end());
  finishRows(out, {});
  return out;
}

const tools = (list: SpanRow[]) => list.filter((r) => TOOL_TYPES.includes(r.SpanType));
const facts = (r: Pick<SpanRow, 'ToolName' | 'ToolKind' | 'FilePath' | 'CommandKey' | 'SearchKey'>) => [r.ToolName, r.ToolKind, r.FilePath, r.CommandKey, r.SearchKey];

/** An OTLP/JSON span of a plain GenAI client calling a tool. */
function toolSpan(spanId: string, tool: string, args: unknown, extra: Record<string, string> = {}) {
  const attrs = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.conversation.id': 'plain-1', 'gen_ai.tool.call.arguments': JSON.stringify(args), ...extra };
  return {
    traceId: '5b8efff798038103d269b633813fc60c', spanId, name: `execute_tool ${tool}`, kind: 1,
    startTimeUnixNano: `176380000${spanId.slice(-1)}000000000`, endTimeUnixNano: `176380000${spanId.slice(-1)}500000000`,
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
  };
}

describe('normalisers on real recordings (rows before the store)', () => {
  it("a call's own workdir and process.working_directory anchor paths alike (plain GenAI spans)", () => {
    const patch = "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: calc.py\n@@\n-def main():\n+def run():\n*** End Patch\nEOF\n";
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'plain-agent' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: [
      toolSpan('00f067aa0ba902b1', 'exec_command', { cmd: patch, workdir: '/w' }),
      toolSpan('00f067aa0ba902b2', 'Read', { file_path: '/w/calc.py' }, { 'process.working_directory': '/w' }),
      toolSpan('00f067aa0ba902b3', 'Read', { file_path: '/w/calc.py' }),
    ] }] }] };
    const { rows: out } = normaliseTraces(decodeTracesJson(body), { project: 'p' });
    finishRows(out, {});
    expect(out.map((r) => [r.ToolName, r.ToolKind, r.FilePath, r.FilePaths])).toEqual([
      ['exec_command', 'edit', 'calc.py', ['calc.py']], ['Read', 'read', 'calc.py', ['calc.py']], ['Read', 'read', '/w/calc.py', ['/w/calc.py']],
    ]);
    expect([out[0]!.EditOldHash, out[0]!.EditNewHash]).toEqual([textHash('def main():'), textHash('def run():')]);
  });


  it('Claude Code OTLP logs + traces: kinds, absolute paths (no cwd is sent), keys and edit hashes', () => {
    const all = normaliseRecording(`${CC}/all-details-traces-json`);
    const list = tools(all.filter((r) => r.SessionId === RICH));
    expect(list.map(facts)).toEqual([
      ['Read', 'read', '/home/developer1/workdir-rich/calc.py', '', ''],
      ['Grep', 'search', '/home/developer1/workdir-rich', '', 'search\u0000def \u0000/home/developer1/workdir-rich'],
      ['Read', 'read', '/home/developer1/workdir-rich/calc.py', '', ''],
      ['Bash', 'search', '/home/developer1/workdir-rich/calc.py', "grep -rn 'def ' /home/developer1/workdir-rich/calc.py", 'search\u0000def \u0000/home/developer1/workdir-rich/calc.py\u0000grep -n -r'],
      ['Edit', 'edit', '/home/developer1/workdir-rich/calc.py', '', ''],
      ['Write', 'write', '/home/developer1/workdir-rich/NOTES.md', '', ''],
      ['Bash', 'shell', '', "git add -A && git commit -m 'Add sub() and notes'", ''],
      ['mcp__demo__lookup', 'mcp', '', '', ''],
      ['Skill', 'skill', '', '', ''],
      // The subagent call starts before the Bash its subagent ran.
      ['Agent', 'agent', '', '', ''],
      ['Bash', 'search', '/home/developer1/workdir-rich/calc.py', "grep -c '^def ' /home/developer1/workdir-rich/calc.py", 'search\u0000^def \u0000/home/developer1/workdir-rich/calc.py\u0000grep -c'],
      ['Read', 'read', '/home/developer1/workdir-rich/does_not_exist.py', '', ''],
    ]);
    const edit = list.find((r) => r.ToolName === 'Edit')!;
    expect([edit.EditOldHash, edit.EditNewHash, edit.FilePaths]).toEqual([OLD_HASH, NEW_HASH, ['/home/developer1/workdir-rich/calc.py']]);
    // {"file_path":"/home/developer1/workdir-rich/calc.py"}
    expect(list[0]!.InputSize).toBe(53);
    expect(new Set(all.filter((r) => !TOOL_TYPES.includes(r.SpanType)).map((r) => r.ToolKind))).toEqual(new Set(['']));
  });

  it('Claude Code with default privacy: the kind from the tool name alone, no invented keys, sizes and unchanged reads from the result event', () => {
    const list = tools(normaliseRecording(`${CC}/default-privacy-protobuf`).filter((r) => r.SessionId === PRIVATE));
    expect(list.map((r) => [r.ToolName, r.ToolKind])).toEqual([
      ['Read', 'read'], ['Grep', 'search'], ['Read', 'read'], ['Bash', 'shell'], ['Edit', 'edit'], ['Write', 'write'],
      ['Bash', 'shell'], ['mcp_tool', 'mcp'], ['Skill', 'skill'], ['Agent', 'agent'], ['Bash', 'shell'], ['Read', 'read'],
    ]);
    expect(new Set(list.map((r) => `${r.FilePath}|${r.SearchKey}|${r.CommandKey}|${r.EditOldHash}`))).toEqual(new Set(['|||']));
    // tool_input_size_bytes of each tool_result event.
    expect(list.map((r) => r.InputSize)).toEqual([53, 91, 53, 115, 165, 99, 94, 16, 22, 124, 94, 63]);
    // Only the second Read got Claude Code's fixed 93-byte "file unchanged" answer.
    expect(list.map((r) => r.FileUnchanged)).toEqual([false, false, true, false, false, false, false, false, false, false, false, false]);
  });

  it('Codex OTLP: exec_command calls are reads of the file they cat and a search keyed by pattern, path and grep options', () => {
    const list = tools(normaliseRecording(`${FIXTURES}/codex-0.169.0/json`).filter((r) => r.SessionId === CODEX));
    expect(list.map((r) => [r.ToolKind, r.FilePath, r.SearchKey])).toEqual([
      ['read', '/home/developer1/workdir/calc.py', ''],
      ['search', '/home/developer1/workdir', 'search\u0000def \u0000/home/developer1/workdir\u0000grep -n -r'],
      ['read', '/home/developer1/workdir/calc.py', ''],
      ['read', '/home/developer1/workdir/missing.py', ''],
    ]);
  });

  it('Gemini CLI OTLP: read_file, grep_search, replace (same edit hashes as Claude Code), activate_skill', () => {
    const list = tools(normaliseRecording(`${FIXTURES}/gemini-cli-0.61.0/http-json`).filter((r) => r.SessionId === GEMINI));
    expect(list.map(facts)).toEqual([
      ['read_file', 'read', '/home/developer1/workdir-gemini/calc.py', '', ''],
      ['grep_search', 'search', '/home/developer1/workdir-gemini', '', 'search\u0000def \u0000/home/developer1/workdir-gemini'],
      ['read_file', 'read', '/home/developer1/workdir-gemini/calc.py', '', ''],
      ['run_shell_command', 'read', '/home/developer1/workdir-gemini/missing.py', 'cat /home/developer1/workdir-gemini/missing.py', ''],
      ['replace', 'edit', '/home/developer1/workdir-gemini/calc.py', '', ''],
      ['activate_skill', 'skill', '', '', ''],
    ]);
    const replace = list.find((r) => r.ToolName === 'replace')!;
    expect([replace.EditOldHash, replace.EditNewHash]).toEqual([OLD_HASH, NEW_HASH]);
  });

  it("Claude Code transcript: paths relative to each entry's cwd", () => {
    const list = tools(parseTranscript(claudeCodeParser('p'), RICH_TRANSCRIPT));
    expect(list.map((r) => [r.ToolName, r.ToolKind, r.FilePath, r.SearchKey])).toEqual([
      ['Read', 'read', 'calc.py', ''],
      ['Grep', 'search', '.', 'search\u0000def \u0000.'],
      ['Read', 'read', 'calc.py', ''],
      ['Bash', 'search', 'calc.py', 'search\u0000def \u0000calc.py\u0000grep -n -r'],
      ['Edit', 'edit', 'calc.py', ''],
      ['Write', 'write', 'NOTES.md', ''],
      ['Bash', 'shell', '', ''],
      ['mcp__demo__lookup', 'mcp', '', ''],
      ['Skill', 'skill', '', ''],
      ['Task', 'agent', '', ''],
      ['Read', 'read', 'does_not_exist.py', ''],
    ]);
    expect(list[0]!.SpanAttributes['process.working_directory']).toBe('/home/developer1/workdir-rich');
  });

  it('Codex rollout: the session cwd rides on each call', () => {
    const list = tools(parseTranscript(codexParser('p'), CODEX_ROLLOUT));
    expect(list.map((r) => [r.ToolKind, r.CommandKey, r.SpanAttributes['process.working_directory']])).toEqual([
      ['read', 'cat /home/developer1/workdir/calc.py', '/home/developer1/workdir'],
      ['search', "grep -rn 'def ' /home/developer1/workdir", '/home/developer1/workdir'],
      ['read', 'cat /home/developer1/workdir/calc.py', '/home/developer1/workdir'],
      ['read', 'cat /home/developer1/workdir/missing.py', '/home/developer1/workdir'],
    ]);
  });
});

interface StoredFacts {
  SessionId: string;
  ToolName: string;
  ToolKind: string;
  FilePath: string;
  FilePaths: string[];
  CommandKey: string;
  SearchKey: string;
  EditOldHash: string;
  EditNewHash: string;
  InputSize: string | number;
}

describe('stored by the real app (OTLP replay, transcript import, SDK export)', () => {
  let server: RunningServer;
  let tracing: TracingHandle | undefined;
  const stored = (project: string, session: string) =>
    rows<StoredFacts>(server.app.store.client, `SELECT SessionId, ToolName, ToolKind, FilePath, FilePaths, CommandKey, SearchKey, EditOldHash, EditNewHash, InputSize
      FROM spans FINAL WHERE Project = {p:String} AND SessionId = {s:String} AND SpanType IN ('tool','mcp','skill','agent') ORDER BY Timestamp`, { p: project, s: session });

  beforeAll(async () => {
    server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: false });
    for (const dir of [`${CC}/all-details-traces-json`, `${CC}/default-privacy-protobuf`, `${FIXTURES}/gemini-cli-0.61.0/http-json`]) {
      const answers = await replay(server.url, dir);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    }
    // Transcripts in a project of their own, so they do not replace the telemetry rows of the same calls.
    await importTranscripts({ harness: 'claude-code', path: RICH_TRANSCRIPT, store: server.app.store, project: 'imported' });
    tracing = startTracing({ endpoint: server.url, serviceName: 'sdk-agent', workingDirectory: '/repo', batch: false });
    withSession({ sessionId: 'sdk-session' }, () => {
      traceToolCall({ name: 'Read', id: 'r1', args: { file_path: '/repo/src/app.ts' } }, () => 'x');
      traceToolCall({ name: 'Edit', id: 'e1', args: { file_path: './src/app.ts', old_string: 'def main():', new_string: 'def run():' } }, () => 'ok');
      traceToolCall({ name: 'Bash', id: 'b1', args: { command: 'grep  -rn TODO src' } }, () => '');
    });
    await tracing.forceFlush();
    await server.app.spanWriter.flush();
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await server?.close();
  });

  it('Claude Code telemetry rows carry kind, path, command and search keys', async () => {
    const list = await stored('default', RICH);
    expect(list.map(facts).slice(0, 4)).toEqual([
      ['Read', 'read', '/home/developer1/workdir-rich/calc.py', '', ''],
      ['Grep', 'search', '/home/developer1/workdir-rich', '', 'search\u0000def \u0000/home/developer1/workdir-rich'],
      ['Read', 'read', '/home/developer1/workdir-rich/calc.py', '', ''],
      ['Bash', 'search', '/home/developer1/workdir-rich/calc.py', "grep -rn 'def ' /home/developer1/workdir-rich/calc.py", 'search\u0000def \u0000/home/developer1/workdir-rich/calc.py\u0000grep -n -r'],
    ]);
    const edit = list.find((r) => r.ToolName === 'Edit')!;
    expect([edit.ToolKind, edit.EditOldHash, edit.EditNewHash]).toEqual(['edit', OLD_HASH, NEW_HASH]);
    expect((await stored('default', PRIVATE)).map((r) => r.ToolKind)).toEqual(['read', 'search', 'read', 'shell', 'edit', 'write', 'shell', 'mcp', 'skill', 'agent', 'shell', 'read']);
  });

  it('Gemini CLI telemetry rows too', async () => {
    const list = await stored('default', GEMINI);
    expect(list.map((r) => [r.ToolName, r.ToolKind, r.SearchKey])).toEqual([
      ['read_file', 'read', ''], ['grep_search', 'search', 'search\u0000def \u0000/home/developer1/workdir-gemini'], ['read_file', 'read', ''],
      ['run_shell_command', 'read', ''], ['replace', 'edit', ''], ['activate_skill', 'skill', ''],
    ]);
  });

  it('imported transcript rows are relative to the session cwd', async () => {
    const list = await stored('imported', RICH);
    expect(list.filter((r) => r.ToolName === 'Read').map((r) => [r.FilePath, r.FilePaths])).toEqual([
      ['calc.py', ['calc.py']], ['calc.py', ['calc.py']], ['does_not_exist.py', ['does_not_exist.py']],
    ]);
    expect(list.find((r) => r.ToolName === 'Grep')!.SearchKey).toBe('search\u0000def \u0000.');
  });

  it('SDK spans: paths relative to process.working_directory, keys from the typed attributes, edit hashes from fulcrum.tool.args', async () => {
    // Spans started within the same microsecond have no reliable time order: by name.
    const list = (await stored('default', 'sdk-session')).sort((a, b) => a.ToolName.localeCompare(b.ToolName));
    expect(list.map(facts)).toEqual([
      ['Bash', 'search', 'src', 'grep -rn TODO src', 'search\u0000TODO\u0000src\u0000grep -n -r'],
      ['Edit', 'edit', 'src/app.ts', '', ''],
      ['Read', 'read', 'src/app.ts', '', ''],
    ]);
    expect([list[1]!.EditOldHash, list[1]!.EditNewHash]).toEqual([textHash('def main():'), textHash('def run():')]);
    expect(Number(list[2]!.InputSize)).toBe(Buffer.byteLength('{"file_path":"/repo/src/app.ts"}'));
  });
});
