import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitHashInGitOutput, commitIdOf } from '@fulcrum/vocab';
import { commitInOutput } from '@fulcrum/ingest/transcripts/entry';
import { emptySpanRow } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * The hash `git commit` prints, read from the real git's output: the first commit of a repository
 * (root-commit), a later one, one on a detached HEAD, and one in a command that also pushes. Codex
 * and Gemini transcripts keep this output; it is what links their sessions to the commits they made.
 */
const repo = join(tempDataDir('fulcrum-git-output-'), 'r');
const env = { ...process.env, HOME: repo, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
const git = (args: string[]) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' });
function commit(file: string, subject: string): { output: string; short: string } {
  writeFileSync(join(repo, file), `${subject}\n`);
  git(['add', '-A']);
  const output = git(['commit', '-m', subject]);
  return { output, short: git(['rev-parse', '--short', 'HEAD']).trim() };
}

describe("git commit's output", () => {
  it('names the commit just made: root commit, a later one, a detached HEAD', () => {
    mkdirSync(repo, { recursive: true });
    git(['init', '-q', '-b', 'main']);
    git(['config', 'user.name', 'Ada']);
    git(['config', 'user.email', 'ada@example.com']);
    git(['config', 'commit.gpgsign', 'false']);
    const root = commit('a.txt', 'First [draft]');
    expect(root.output).toMatch(/^\[main \(root-commit\) [0-9a-f]+\] /);
    expect(commitHashInGitOutput(root.output)).toBe(root.short);
    const next = commit('b.txt', 'Second');
    expect(commitHashInGitOutput(next.output)).toBe(next.short);
    git(['checkout', '-q', '--detach']);
    const detached = commit('c.txt', 'Third');
    expect(detached.output).toMatch(/^\[detached HEAD [0-9a-f]+\] /);
    expect(commitHashInGitOutput(detached.output)).toBe(detached.short);
  });

  it('is read only from a command that commits, and the last of several commits counts', () => {
    const a = commit('d.txt', 'Fourth');
    const b = commit('e.txt', 'Fifth');
    const both = `${a.output}${b.output}`;
    const row = emptySpanRow();
    row.Command = "git commit -am 'Fourth' && git commit -am 'Fifth' && git push";
    expect(commitInOutput(row, both)).toBe(b.short);
    // `git log` quoting a summary line, or cat of a file holding one, made no commit.
    row.Command = 'cat notes.txt';
    expect(commitInOutput(row, both)).toBe('');
    expect(commitHashInGitOutput('nothing to commit, working tree clean\n')).toBe('');
  });

  it('takes a harness-reported id only as hex', () => {
    expect(commitIdOf('7675E39')).toBe('7675e39');
    expect(commitIdOf('not-a-hash')).toBe('');
    expect(commitIdOf(7675)).toBe('');
  });
});
