import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '@fulcrum/store';
import { createApiKey } from '@fulcrum/ingest';
import { buildApp } from '@fulcrum/server';
import { redact } from '@fulcrum/vocab';
import { syncBranch } from '@fulcrum/cli/git/sync';
import { storeSink } from '@fulcrum/cli/git/sinks';
import { defaultBranch, repositoryFromRemote, repositoryName } from '@fulcrum/cli/git/repo';
import { emailHash } from '@fulcrum/cli/git/commit-facts';
import { LOG_FORMAT, LogParser } from '@fulcrum/cli/git/log-parser';
import { tempDataDir } from '../helpers/store.js';
import { runCli } from '../helpers/cli.js';

/*
 * A real repository built with the git CLI: human and agent commits, a
 * squash-merged PR, a true merge of a PR branch, a rename, a binary file and a
 * revert, synced into a real chDB store by the CLI (directly and through a
 * listening server), and read back row by row.
 */

const root = tempDataDir('fulcrum-git-');
const repo = join(root, 'api');
const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T12:00:00Z`;
const ms = (d: number) => Date.parse(day(d));
const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
function git(cwd: string, args: string[], date?: number): string {
  const env = date === undefined ? gitEnv : { ...gitEnv, GIT_AUTHOR_DATE: day(date), GIT_COMMITTER_DATE: day(date) };
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}
const write = (path: string, text: string | Buffer) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join('\n') + '\n';

const h: Record<string, string> = {};
let store: Store;
let app: FastifyInstance | undefined;
const dataDir = tempDataDir();

beforeAll(() => {
  mkdirSync(repo, { recursive: true });
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['config', 'user.name', 'Ada Human']);
  git(repo, ['config', 'user.email', 'Ada@Example.com']);
  git(repo, ['config', 'commit.gpgsign', 'false']);
  write('src/a.ts', lines(3, 'a'));
  write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0, 3]));
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'Initial commit'], 1);
  h.init = git(repo, ['rev-parse', 'HEAD']);

  // A squash-merged PR written by Claude Code (GitHub's squash subject ends "(#12)").
  write('src/parser.ts', lines(4, 'p'));
  write('src/a.ts', 'a 1\nchanged\na 3\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'Add parser (#12)', '-m', 'Parses things.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)', '-m', 'Co-Authored-By: Claude <noreply@anthropic.com>\nClaude-Session: https://claude.ai/code/session_01ABCdef'], 2);
  h.parser = git(repo, ['rev-parse', 'HEAD']);

  // A PR branch by Codex, merged with a merge commit.
  git(repo, ['checkout', '-q', '-b', 'x/y']);
  write('src/widget.ts', lines(5, 'w'));
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'Add widget', '-m', 'Co-authored-by: Codex <noreply@openai.com>\nSession-Id: 4f8e2a10-codex'], 3);
  h.widget = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['checkout', '-q', 'main']);
  git(repo, ['merge', '-q', '--no-ff', 'x/y', '-m', 'Merge pull request #13 from x/y'], 4);
  h.merge = git(repo, ['rev-parse', 'HEAD']);

  // A rename with one line changed.
  git(repo, ['mv', 'src/parser.ts', 'src/parse.ts']);
  write('src/parse.ts', 'p 1\np 2\np 3\np four\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'Rename parser'], 5);
  h.rename = git(repo, ['rev-parse', 'HEAD']);

  // A commit and its revert (git revert writes "This reverts commit <hash>.").
  write('debug.txt', 'debug=true\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'Add debug flag token=ghp_abcdefghijklmnopqrstuvwxyz0123456789'], 6);
  h.debug = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['revert', '--no-edit', 'HEAD'], 7);
  h.revert = git(repo, ['rev-parse', 'HEAD']);
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

const COMMIT_COLUMNS = `Hash, ParentHashes, toUnixTimestamp64Milli(AuthorTime) AS AuthorTime, toUnixTimestamp64Milli(CommitTime) AS CommitTime, AuthorEmailHash,
  IsMerge, Mainline, LandedIn, PullRequest, AgentCoAuthors, SessionIds, RevertsHash, Subject, LinesAdded, LinesRemoved, FilesChanged`;
const commitsOf = (project: string, repository: string) =>
  rows<Record<string, unknown>>(`SELECT ${COMMIT_COLUMNS} FROM git_commits FINAL WHERE Project = {p:String} AND Repository = {r:String} AND Branch = 'main' ORDER BY CommitTime, Hash`, { p: project, r: repository });
const filesOf = (project: string, repository: string) =>
  rows<Record<string, unknown>>(`SELECT Hash, Path, OldPath, LinesAdded, LinesRemoved, Binary FROM git_commit_files FINAL WHERE Project = {p:String} AND Repository = {r:String} ORDER BY CommitTime, Path`, { p: project, r: repository });

/** The rows the repository above must give, whoever wrote them. */
function expectedCommits() {
  const ada = emailHash('ada@example.com');
  const c = (name: string, d: number, extra: Record<string, unknown>) => ({
    Hash: h[name], AuthorTime: ms(d), CommitTime: ms(d), AuthorEmailHash: ada, IsMerge: false, Mainline: true, LandedIn: '',
    PullRequest: 0, AgentCoAuthors: [], SessionIds: [], RevertsHash: '', ...extra,
  });
  return [
    c('init', 1, { ParentHashes: [], Subject: 'Initial commit', LinesAdded: 3, LinesRemoved: 0, FilesChanged: 2 }),
    c('parser', 2, { ParentHashes: [h.init], PullRequest: 12, AgentCoAuthors: ['claude-code'], SessionIds: ['session_01ABCdef'], Subject: 'Add parser (#12)', LinesAdded: 5, LinesRemoved: 1, FilesChanged: 2 }),
    // The PR commit is kept for linking, its lines counted on the merge that landed it.
    c('widget', 3, { ParentHashes: [h.parser], Mainline: false, LandedIn: h.merge, AgentCoAuthors: ['codex'], SessionIds: ['4f8e2a10-codex'], Subject: 'Add widget', LinesAdded: 0, LinesRemoved: 0, FilesChanged: 0 }),
    c('merge', 4, { ParentHashes: [h.parser, h.widget], IsMerge: true, PullRequest: 13, AgentCoAuthors: ['codex'], SessionIds: ['4f8e2a10-codex'], Subject: 'Merge pull request #13 from x/y', LinesAdded: 5, LinesRemoved: 0, FilesChanged: 1 }),
    c('rename', 5, { ParentHashes: [h.merge], Subject: 'Rename parser', LinesAdded: 1, LinesRemoved: 1, FilesChanged: 1 }),
    c('debug', 6, { ParentHashes: [h.rename], Subject: 'Add debug flag token=[REDACTED:github_token]', LinesAdded: 1, LinesRemoved: 0, FilesChanged: 1 }),
    c('revert', 7, { ParentHashes: [h.debug], RevertsHash: h.debug, Subject: 'Revert "Add debug flag token=[REDACTED:github_token]"', LinesAdded: 0, LinesRemoved: 1, FilesChanged: 1 }),
  ];
}
const EXPECTED_FILES = () => [
  { Hash: h.init, Path: 'logo.png', OldPath: '', LinesAdded: 0, LinesRemoved: 0, Binary: true },
  { Hash: h.init, Path: 'src/a.ts', OldPath: '', LinesAdded: 3, LinesRemoved: 0, Binary: false },
  { Hash: h.parser, Path: 'src/a.ts', OldPath: '', LinesAdded: 1, LinesRemoved: 1, Binary: false },
  { Hash: h.parser, Path: 'src/parser.ts', OldPath: '', LinesAdded: 4, LinesRemoved: 0, Binary: false },
  { Hash: h.merge, Path: 'src/widget.ts', OldPath: '', LinesAdded: 5, LinesRemoved: 0, Binary: false },
  { Hash: h.rename, Path: 'src/parse.ts', OldPath: 'src/parser.ts', LinesAdded: 1, LinesRemoved: 1, Binary: false },
  { Hash: h.debug, Path: 'debug.txt', OldPath: '', LinesAdded: 1, LinesRemoved: 0, Binary: false },
  { Hash: h.revert, Path: 'debug.txt', OldPath: '', LinesAdded: 0, LinesRemoved: 1, Binary: false },
];

/** No session in these stores: a complete sync links none (and says so). */
const NO_LINKS = 'linked 0 session-commit pairs: 0 by trailer, 0 by the commit a session made, 0 by files edited\n';

describe('fulcrum git sync', () => {
  it('syncs into the store, and a second run reads nothing and adds nothing', async () => {
    const first = await runCli(['git', 'sync', repo, '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`synced api main: 6 commits, 8 file changes, 1 PR commit merges brought in (up to ${h.revert!.slice(0, 12)})\n${NO_LINKS}`);
    const again = await runCli(['git', 'sync', repo, '--data-dir', dataDir]);
    expect(again.stdout).toBe(`synced api main: no new commits (up to ${h.revert!.slice(0, 12)})\n${NO_LINKS}`);

    store = await openStore({ dataDir });
    expect(await commitsOf('default', 'api')).toEqual(expectedCommits());
    expect(await filesOf('default', 'api')).toEqual(EXPECTED_FILES());
    // No duplicate rows even before merges run: re-running wrote nothing but the sync state.
    expect(await rows('SELECT count() AS n FROM git_commits')).toEqual([{ n: 7 }]);
    expect(await rows('SELECT count() AS n FROM git_commit_files')).toEqual([{ n: 8 }]);
    expect(await rows("SELECT Repository, Branch, TipHash, toUnixTimestamp64Milli(CoveredSince) AS since FROM git_sync_state FINAL")).toEqual([{ Repository: 'api', Branch: 'main', TipHash: h.revert, since: 0 }]);
  }, 60_000);

  it('reads only the commits after the last sync, and --since only the recent ones', async () => {
    const sink = storeSink(store, { project: 'inc', repository: 'api', branch: 'main', redact });
    const before = await syncBranch({ path: repo, ref: 'refs/heads/main', sink, sinceMs: ms(5) });
    expect(before).toMatchObject({ commits: 3, files: 3, prCommits: 0, tip: h.revert });
    expect((await commitsOf('inc', 'api')).map((c) => c.Hash)).toEqual([h.rename, h.debug, h.revert]);
    // The state covers only since day 5: a full sync reads everything again (and duplicates nothing).
    const full = await syncBranch({ path: repo, ref: 'refs/heads/main', sink });
    expect(full).toMatchObject({ commits: 6, prCommits: 1, since: undefined });
    expect(await commitsOf('inc', 'api')).toEqual(expectedCommits());

    write('src/new.ts', lines(2, 'n'));
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'Add new (#14)', '-m', 'Co-authored-by: Gemini <gemini@google.com>'], 8);
    h.added = git(repo, ['rev-parse', 'HEAD']);
    const next = await syncBranch({ path: repo, ref: 'refs/heads/main', sink });
    expect(next).toMatchObject({ commits: 1, files: 1, prCommits: 0, since: h.revert, tip: h.added });
    const stored = await commitsOf('inc', 'api');
    expect(stored).toHaveLength(8);
    expect(stored.at(-1)).toMatchObject({ Hash: h.added, PullRequest: 14, AgentCoAuthors: ['gemini-cli'], LinesAdded: 2 });
  }, 30_000);

  it('names the repository from the origin remote and reads origin/HEAD, in both URL forms', () => {
    expect(repositoryFromRemote('git@github.com:acme/api.git')).toBe('acme/api');
    expect(repositoryFromRemote('https://github.com/acme/api.git')).toBe('acme/api');
    expect(repositoryFromRemote('https://x-access-token:ghp_secret@github.com/acme/api')).toBe('acme/api');
    expect(repositoryFromRemote('ssh://git@gitlab.example.com:2222/group/sub/api.git')).toBe('group/sub/api');
    expect(repositoryFromRemote('/srv/git/api.git')).toBeUndefined();

    const clone = join(root, 'clone');
    git(root, ['clone', '-q', repo, clone]);
    // No owner/name in a local remote: the folder's name.
    expect(repositoryName(clone)).toBe('clone');
    git(clone, ['remote', 'set-url', 'origin', 'git@github.com:acme/api.git']);
    expect(repositoryName(clone)).toBe('acme/api');
    git(clone, ['remote', 'set-url', 'origin', 'https://github.com/acme/api.git']);
    expect(repositoryName(clone)).toBe('acme/api');
    // Work on a local branch does not move the default branch: origin/HEAD names it.
    git(clone, ['checkout', '-q', '-b', 'local-work']);
    expect(defaultBranch(clone)).toEqual({ ref: 'refs/remotes/origin/main', branch: 'main' });
    // Without origin/HEAD, the checked-out branch.
    expect(defaultBranch(repo)).toEqual({ ref: 'refs/heads/main', branch: 'main' });
  });

  it('--server sends the commits to a running server under the API key\'s project', async () => {
    // The key exists before the server starts: auth is on from its first request.
    const { key } = await createApiKey(store.client, 'team-a', 'git');
    app = await buildApp({ store, analysis: false, diskSpace: false, limits: { requestsPerSecond: 0 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const clone = join(root, 'clone');

    const sent = await runCli(['git', 'sync', clone, '--server', url], { FULCRUM_API_KEY: key });
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toBe(`synced acme/api main: 7 commits, 9 file changes, 1 PR commit merges brought in (up to ${h.added!.slice(0, 12)})\n${NO_LINKS}`);
    const stored = await commitsOf('team-a', 'acme/api');
    expect(stored.slice(0, 7)).toEqual(expectedCommits());
    expect(stored.map((c) => c.Hash)).toEqual([h.init, h.parser, h.widget, h.merge, h.rename, h.debug, h.revert, h.added]);
    expect((await filesOf('team-a', 'acme/api')).slice(0, 8)).toEqual(EXPECTED_FILES());

    const again = await runCli(['git', 'sync', clone, '--server', url], { FULCRUM_API_KEY: key });
    expect(again.stdout).toBe(`synced acme/api main: no new commits (up to ${h.added!.slice(0, 12)})\n${NO_LINKS}`);
    expect(await rows("SELECT count() AS n FROM git_commits WHERE Project = 'team-a'")).toEqual([{ n: 8 }]);

    const wrong = await runCli(['git', 'sync', clone, '--server', url], { FULCRUM_API_KEY: 'fk_nope_nope' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^fulcrum: http:\/\/127\.0\.0\.1:\d+ refused the request \(401\)/);
    const otherProject = await runCli(['git', 'sync', clone, '--server', url, '--project', 'team-b'], { FULCRUM_API_KEY: key });
    expect(otherProject.status).toBe(2);
    expect(otherProject.stderr).toMatch(/the API key is for project "team-a", not another project/);
  }, 60_000);

  it('the route validates what it stores: a malformed hash is refused and counted, a bad body is a 400', async () => {
    const { key } = await createApiKey(store.client, 'team-v', 'git');
    await app!.reloadApiKeys();
    const post = (payload: string) => app!.inject({ method: 'POST', url: '/api/git/commits', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload });
    const good = { hash: 'A'.repeat(40), parents: ['nope', 'b'.repeat(40)], authorTime: 1e18, commitTime: -5, authorEmailHash: 'not-a-hash', pullRequest: 2 ** 40, agentCoAuthors: ['claude-code', 'cursor'], sessionIds: ['s1', 's1'], revertsHash: 'xyz', subject: 'key sk-ant-api03-' + 'x'.repeat(40), linesAdded: -3, linesRemoved: 1.5, filesChanged: 1 };
    const res = await post(JSON.stringify({ repository: 'r', branch: 'main', commits: [good, { hash: 'short' }], files: [{ hash: 'a'.repeat(40), path: '' }, { hash: 'a'.repeat(40), path: 'x.ts', linesAdded: 2 }] }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ commits: 1, files: 1, rejected: 2 });
    expect(await rows(`SELECT ${COMMIT_COLUMNS} FROM git_commits WHERE Project = 'team-v'`)).toEqual([{
      Hash: 'a'.repeat(40), ParentHashes: ['b'.repeat(40)], AuthorTime: 10_413_791_999_999, CommitTime: -5, AuthorEmailHash: '', IsMerge: false, Mainline: true, LandedIn: '',
      PullRequest: 0xffff_ffff, AgentCoAuthors: ['claude-code'], SessionIds: ['s1'], RevertsHash: '', Subject: expect.stringMatching(/^key \[REDACTED:[a-z_]+\]$/), LinesAdded: 0, LinesRemoved: 1, FilesChanged: 1,
    }]);
    expect((await post('{nope')).statusCode).toBe(400);
    expect((await post(JSON.stringify({ branch: 'main', commits: [] }))).json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'bad request: repository is required' } });
    const tooMany = await post(JSON.stringify({ repository: 'r', branch: 'main', commits: Array.from({ length: 50_001 }, () => ({})) }));
    expect(tooMany.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'bad request: at most 50000 commits and files per request, got 50001' } });
  });

  it('parses git\'s stream the same whatever the chunking', () => {
    const out = execFileSync('git', ['log', '-z', '--numstat', '-M', '--first-parent', '--diff-merges=first-parent', `--format=${LOG_FORMAT}`, 'main'], { cwd: repo, env: gitEnv, encoding: 'utf8' });
    const whole = new LogParser();
    const all = [...whole.push(out), ...whole.end()];
    expect(all.map((c) => c.hash)).toEqual([h.added, h.revert, h.debug, h.rename, h.merge, h.parser, h.init]);
    const bytewise = new LogParser();
    const pieces = [];
    for (const ch of out) pieces.push(...bytewise.push(ch));
    pieces.push(...bytewise.end());
    expect(pieces).toEqual(all);
    expect(all[3]!.files).toEqual([{ path: 'src/parse.ts', oldPath: 'src/parser.ts', added: 1, removed: 1, binary: false }]);
  });

  it('refuses a path that is not a repository, or is missing, on one line with exit code 2', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    const notRepo = await runCli(['git', 'sync', plain]);
    expect(notRepo.status).toBe(2);
    expect(notRepo.stderr).toBe(`fulcrum: ${plain} is not a git repository\n`);
    const missing = await runCli(['git', 'sync', join(root, 'nowhere')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`fulcrum: no such directory: ${join(root, 'nowhere')}\n`);
    const branch = await runCli(['git', 'sync', repo, '--branch', 'nope']);
    expect(branch.stderr).toBe(`fulcrum: no branch "nope" in ${repo}\n`);
    const noGit = await runCli(['git', 'sync', repo], { PATH: '/nonexistent' });
    expect(noGit.status).toBe(2);
    expect(noGit.stderr).toBe('fulcrum: git is not installed (or not on PATH): fulcrum git sync reads repositories with the git CLI\n');
  }, 30_000);
});
