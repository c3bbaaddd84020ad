import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDataDir } from '../helpers/store.js';

/*
 * A session imported from a real Claude Code 2.1.197 transcript names no repository. The transcript
 * is the recorded one, moved to this test's folder (its working directory rewritten), and the
 * repository is built with git around what it did: calc.py gains `sub` (Edit) and NOTES.md is
 * written (Write), then committed. The session's own Bash `git commit` made that commit: the hash
 * its transcript records (toolUseResult.gitOperation) is rewritten to the rebuilt commit's, and
 * links it by the commit rule. Without that hash it is linked by files under the working tree
 * that `fulcrum git sync` was given.
 */

const RECORDED_CWD = '/home/developer1/workdir-rich';
/** The commit the recorded session made, as its transcript names it. */
const RECORDED_COMMIT = '7675e39';
const SESSION = '73732c52-38e1-4da5-b45e-39170c330c7b';
const TRANSCRIPTS = join(FIXTURES, 'claude-code-2.1.197/all-details-traces-json/transcripts/projects/-home-developer1-workdir-rich');
const root = tempDataDir('fulcrum-outcomes-import-');
const repo = join(root, 'workdir-rich');
const dataDir = join(root, 'data');
const config = join(root, 'fulcrum.config.json');
const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };

function git(args: string[], at?: string): string {
  const date = at ? { GIT_AUTHOR_DATE: at, GIT_COMMITTER_DATE: at } : {};
  return execFileSync('git', args, { cwd: repo, env: { ...gitEnv, ...date }, encoding: 'utf8' }).trim();
}

const CALC_BEFORE = 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef main():\n    print(add(1, 2))\n';

let landed = '';

/** The recorded transcript, moved under `dir`, naming `commit` as the one its git commit made. */
function moveTranscript(dir: string, commit: string): void {
  mkdirSync(join(dir, SESSION, 'subagents'), { recursive: true });
  for (const file of [`${SESSION}.jsonl`, `${SESSION}/subagents/agent-a9397726f5b4c2517.jsonl`]) {
    writeFileSync(join(dir, file), readFileSync(join(TRANSCRIPTS, file), 'utf8').split(RECORDED_CWD).join(repo).split(RECORDED_COMMIT).join(commit));
  }
}

beforeAll(() => {
  mkdirSync(repo, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Ada Human']);
  git(['config', 'user.email', 'ada@example.com']);
  git(['config', 'commit.gpgsign', 'false']);
  writeFileSync(join(repo, 'calc.py'), CALC_BEFORE);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'Calculator'], '2026-11-21T09:00:00Z');
  // What the session did (09:05 on the 22nd), committed at 10:00.
  writeFileSync(join(repo, 'calc.py'), CALC_BEFORE.replace('def main():', 'def sub(a, b):\n    return a - b\n\n\ndef main():'));
  writeFileSync(join(repo, 'NOTES.md'), '# Notes\n\n- add\n- mul\n- sub\n');
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'Add sub and notes'], '2026-11-22T10:00:00Z');
  landed = git(['rev-parse', '--short=7', 'HEAD']);
  moveTranscript(join(root, 'projects', '-workdir-rich'), landed);
  // The same session, its commit hash not one of this repository's (as if rewritten by a rebase).
  moveTranscript(join(root, 'projects-rebased', '-workdir-rich'), '0000000');
  writeFileSync(config, JSON.stringify({ privacy: { minGroupSize: 1 } }));
});

describe('outcomes of a transcript-imported session', () => {
  it('links the imported session to the commit its git commit made, and counts what landed', async () => {
    const imported = await runCli(['import', 'claude-code', join(root, 'projects'), '--data-dir', dataDir]);
    expect(imported.status).toBe(0);
    const synced = await runCli(['git', 'sync', repo, '--data-dir', dataDir, '--repository', 'acme/rich']);
    expect(synced.stderr).toBe('');
    expect(synced.stdout).toContain('synced acme/rich main: 2 commits');
    expect(synced.stdout).toContain('linked 1 session-commit pair: 0 by trailer, 1 by the commit a session made, 0 by files edited');
    const out = await runCli(['outcomes', '--by', 'repository', '--data-dir', dataDir, '--config', config, '--format', 'json']);
    expect(out.stderr).toBe('');
    const r = JSON.parse(out.stdout) as { total: Record<string, number | boolean | null> };
    // calc.py +4 (sub) and NOTES.md +5: all 9 lines the session wrote landed, in the one commit it is linked to.
    expect(r.total).toMatchObject({ withheld: false, sessions: 1, commits: 1, pullRequests: 0, linesWritten: 9, landedLines: 9, landingRate: 1, revertRate: 0, abandonedUsd: 0 });
    // The accepted change cost what the session cost, as Claude Code reported it.
    const sessions = await runCli(['sessions', '--data-dir', dataDir, '--format', 'json']);
    const [session] = JSON.parse(sessions.stdout) as { sessionId: string; spendUsd: number }[];
    expect(session!.sessionId).toBe(SESSION);
    expect(r.total.costPerAcceptedChange).toBeCloseTo(session!.spendUsd, 12);
    expect(session!.spendUsd).toBeGreaterThan(0);
    // The calculator commit, a day before the session, is nobody's: only the commit holding its edits is linked.
    expect(r.total.commits).toBe(1);
  });

  it('links it by the files under the working tree when its commit hash is not in the repository', async () => {
    const rebasedDir = join(root, 'data-rebased');
    expect((await runCli(['import', 'claude-code', join(root, 'projects-rebased'), '--data-dir', rebasedDir])).status).toBe(0);
    const synced = await runCli(['git', 'sync', repo, '--data-dir', rebasedDir, '--repository', 'acme/rich']);
    expect(synced.stdout).toContain('linked 1 session-commit pair: 0 by trailer, 0 by the commit a session made, 1 by files edited');
    const out = await runCli(['outcomes', '--data-dir', rebasedDir, '--config', config, '--format', 'json']);
    expect((JSON.parse(out.stdout) as { total: Record<string, unknown> }).total).toMatchObject({ commits: 1, landedLines: 9 });
  });
});
