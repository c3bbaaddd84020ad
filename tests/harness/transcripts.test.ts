import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@fulcrum/store';
import { importTranscripts, type ImportSummary } from '@fulcrum/ingest';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES, byName, calls, llmTotals, rows } from './replay.js';

const CC = `${FIXTURES}/claude-code-2.1.197`;
const RICH = '73732c52-38e1-4da5-b45e-39170c330c7b';
const PRIVATE = '67b10a32-3ba0-45b2-9cbe-d501b898b852';
const CODEX = '01a20283-63ec-78b2-9c4e-d3476625c4ad';
const GEMINI = '1014ebe6-2d08-4789-91d4-21f7d1180322';

let store: Store;
const first: Record<string, ImportSummary> = {};
const count = async () => Number((await rows<{ n: string }>(store.client, 'SELECT count() AS n FROM spans FINAL'))[0]!.n);

beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir() });
  first.rich = await importTranscripts({ harness: 'claude-code', path: `${CC}/all-details-traces-json/transcripts/projects`, store });
  first.private = await importTranscripts({ harness: 'claude-code', path: `${CC}/default-privacy-protobuf/transcripts/projects`, store });
  first.codex = await importTranscripts({ harness: 'codex', path: `${FIXTURES}/codex-0.169.0/json/sessions`, store });
  first.gemini = await importTranscripts({ harness: 'gemini', path: `${FIXTURES}/gemini-cli-0.61.0/http-json/chats`, store });
});
afterAll(async () => store?.close());

describe('Claude Code transcripts', () => {
  it('import the session with its subagent file, counted once', async () => {
    expect([first.rich!.files, first.rich!.sessions, first.rich!.skipped]).toEqual([2, 1, []]);
    const list = await calls(store.client, RICH);
    expect(byName(list)).toEqual({ Read: 3, Grep: 1, Bash: 3, Edit: 1, Write: 1, mcp__demo__lookup: 1, Skill: 1, Task: 1 });
    expect(list.filter((c) => c.SpanType === 'agent').map((c) => c.AgentName)).toEqual(['general-purpose']);
    expect(list.filter((c) => c.SpanType === 'skill').map((c) => c.SkillName)).toEqual(['demo-skill']);
    expect(list.filter((c) => c.Command.startsWith('grep -c')).map((c) => c.AgentName)).toEqual(['general-purpose']);
    // Stored relative to the session's working directory (/home/developer1/workdir-rich, from each entry's cwd).
    expect(list.filter((c) => !c.Success).map((c) => c.FilePath)).toEqual(['does_not_exist.py']);
  });

  it('have the same tokens and dollars as the telemetry', async () => {
    // The same figures the OTLP replay of this session yields (claude-code-telemetry.test.ts).
    expect(await llmTotals(store.client, RICH)).toEqual({ calls: 14, input: 207, output: 1029, cacheRead: 80100, cacheWrite: 14565, cost: 0.15784125, unpriced: 0 });
    expect(await llmTotals(store.client, PRIVATE)).toEqual({ calls: 14, input: 207, output: 1029, cacheRead: 80100, cacheWrite: 14565, cost: 0.15784125, unpriced: 0 });
  });

  it('flag the second read of calc.py as file_unchanged, and count edit lines', async () => {
    const list = await calls(store.client, RICH);
    const reads = list.filter((c) => c.ToolName === 'Read' && c.FilePath === 'calc.py');
    expect(reads.map((r) => r.FileUnchanged)).toEqual([false, true]);
    expect(list.filter((c) => c.LinesAdded > 0).map((c) => [c.ToolName, c.LinesAdded, c.LinesRemoved])).toEqual([['Edit', 4, 0], ['Write', 5, 0]]);
  });

  it('keep the commit a Bash call made (toolUseResult.gitOperation), as the telemetry names it', async () => {
    const committed = (await calls(store.client, RICH)).filter((c) => c.VcsCommit !== '');
    expect(committed.map((c) => [c.ToolName, c.VcsAction, c.VcsCommit])).toEqual([['Bash', 'commit', '7675e39']]);
    expect((await calls(store.client, PRIVATE)).filter((c) => c.VcsCommit !== '').map((c) => c.VcsCommit)).toEqual(['2273293']);
  });
});

describe('Codex and Gemini CLI transcripts', () => {
  it('import Codex calls, the failure from its exit code, and the turn tokens', async () => {
    const list = await calls(store.client, CODEX);
    expect(list.map((c) => [c.Command, c.Success])).toEqual([
      ['cat /home/developer1/workdir/calc.py', true], ["grep -rn 'def ' /home/developer1/workdir", true],
      ['cat /home/developer1/workdir/calc.py', true], ['cat /home/developer1/workdir/missing.py', false],
    ]);
    const t = await llmTotals(store.client, CODEX);
    expect([t.calls, t.input, t.cacheRead, t.output, t.unpriced]).toEqual([5, 1800, 6200, 200, 0]);
  });

  it('import Gemini calls, the skill and the failed shell command', async () => {
    const list = await calls(store.client, GEMINI);
    expect(byName(list)).toEqual({ read_file: 2, grep_search: 1, run_shell_command: 1, replace: 1, activate_skill: 1 });
    expect(list.filter((c) => !c.Success).map((c) => c.ToolName)).toEqual(['run_shell_command']);
    expect(list.filter((c) => c.SpanType === 'skill').map((c) => c.SkillName)).toEqual(['skill-creator']);
    // The chat holds the main model's 7 calls; the router's flash-lite call appears only in telemetry.
    const t = await llmTotals(store.client, GEMINI);
    expect([t.calls, t.input, t.output, t.cacheRead]).toEqual([7, 5000, 364, 17400]);
  });
});

describe('re-import and bad lines', () => {
  it('adds zero rows when the same files are imported again', async () => {
    const before = await count();
    await importTranscripts({ harness: 'claude-code', path: `${CC}/all-details-traces-json/transcripts/projects`, store });
    await importTranscripts({ harness: 'codex', path: `${FIXTURES}/codex-0.169.0/json/sessions`, store });
    expect(await count()).toBe(before);
  });

  it('reports a corrupted line with file:line and imports the rest', async () => {
    const dir = tempDataDir('fulcrum-cc-');
    cpSync(`${CC}/headers-gzip-json/transcripts/projects`, dir, { recursive: true });
    const file = join(dir, '-home-developer1-workdir', '4999f9ac-b3e4-439a-83a0-a4ac2d09acc7.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(2, 0, '{"type":"assistant","message":{"id": trunc');
    writeFileSync(file, lines.join('\n'));
    const s = await importTranscripts({ harness: 'claude-code', path: dir, store, project: 'corrupt' });
    expect(s.skipped.map((k) => [k.file, k.line])).toEqual([[file, 3]]);
    // The transcript also shows the refused Grep call, which sent no telemetry event (README quirk).
    const got = await rows<{ ToolName: string; Success: boolean }>(store.client, `SELECT ToolName, Success FROM spans FINAL WHERE Project = 'corrupt' AND SpanType = 'tool' ORDER BY Timestamp`);
    expect(got.map((g) => [g.ToolName, g.Success])).toEqual([['Read', true], ['Grep', false], ['Read', true]]);
    const [r] = await rows<{ llm: string }>(store.client, `SELECT count() AS llm FROM spans FINAL WHERE Project = 'corrupt' AND SpanType = 'llm'`);
    expect(Number(r!.llm)).toBe(4);
  });
});
