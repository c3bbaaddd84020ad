import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';

/*
 * The few questions `fulcrum git sync` asks a repository, each one short git
 * command. The git CLI is a real dependency: a missing git or a path that is
 * not a repository is a one-line usage error.
 */

export interface GitRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs git in `cwd` with settings that keep its output plain (no pager, no signatures, no prompts). */
export function git(cwd: string, args: readonly string[], gitBin = 'git'): GitRun {
  const r = spawnSync(gitBin, ['-c', 'core.quotePath=false', ...args], {
    cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
  });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`git is not installed (or not on PATH): fulcrum git sync reads repositories with the git CLI`);
    throw r.error;
  }
  return { status: r.status ?? 1, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** The path is a directory inside a git repository (work tree or bare), or a one-line usage error. */
export function checkRepository(path: string, gitBin?: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`no such directory: ${path}`);
  }
  if (!isDir) throw new UsageError(`${path} is not a directory`);
  const r = git(path, ['rev-parse', '--git-dir'], gitBin);
  if (r.status !== 0) throw new UsageError(`${path} is not a git repository`);
}

/** A branch as the store names it: without refs/heads/, refs/remotes/origin/ or origin/. */
export function branchName(ref: string): string {
  return ref.replace(/^refs\/heads\//, '').replace(/^refs\/remotes\/origin\//, '').replace(/^origin\//, '');
}

/** The ref to walk and the branch name to store: the origin remote's default branch (origin/HEAD), else the checked-out branch. */
export function defaultBranch(path: string, gitBin?: string): { ref: string; branch: string } {
  const origin = git(path, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], gitBin);
  if (origin.status === 0 && origin.stdout) return { ref: origin.stdout, branch: branchName(origin.stdout) };
  const head = git(path, ['symbolic-ref', '--quiet', 'HEAD'], gitBin);
  if (head.status === 0 && head.stdout) return { ref: head.stdout, branch: branchName(head.stdout) };
  throw new UsageError(`cannot tell the default branch of ${path} (no origin/HEAD, and HEAD is detached): pass --branch`);
}

/** A branch named by --branch, checked: a local branch, a remote-tracking one, or any ref that names a commit. */
export function namedBranch(path: string, name: string, gitBin?: string): { ref: string; branch: string } {
  for (const ref of [name, `refs/heads/${name}`, `refs/remotes/origin/${name}`]) {
    if (git(path, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], gitBin).status === 0) return { ref, branch: branchName(name) };
  }
  throw new UsageError(`no branch "${name}" in ${path}`);
}

/** The commit a ref points at, or undefined for a branch with no commits yet. */
export function resolveCommit(path: string, ref: string, gitBin?: string): string | undefined {
  const r = git(path, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], gitBin);
  return r.status === 0 && r.stdout ? r.stdout : undefined;
}

/** `ancestor` is reachable from `descendant` (false too when git does not know `ancestor`: history rewritten or pruned). */
export function isAncestor(path: string, ancestor: string, descendant: string, gitBin?: string): boolean {
  return git(path, ['merge-base', '--is-ancestor', ancestor, descendant], gitBin).status === 0;
}

/** Commits a sync will read: for the progress bar's total. */
export function countCommits(path: string, revs: readonly string[], since: string | undefined, gitBin?: string): number {
  const r = git(path, ['rev-list', '--count', '--first-parent', ...(since ? [`--since=${since}`] : []), ...revs, '--'], gitBin);
  return r.status === 0 ? Number(r.stdout) || 0 : 0;
}

/**
 * `owner/name` from a remote URL: https://host/owner/name(.git), ssh://[user@]host[:port]/owner/name(.git),
 * git://…, and the scp-like user@host:owner/name(.git). Deeper paths (GitLab subgroups) are kept whole.
 * Credentials in the URL are never part of the answer. Undefined for a local path or anything unrecognised.
 */
export function repositoryFromRemote(url: string): string | undefined {
  const u = url.trim();
  let path: string | undefined;
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(u);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    try {
      const parsed = new URL(u);
      if (parsed.protocol === 'file:' || !parsed.hostname) return undefined;
      path = decodeURIComponent(parsed.pathname);
    } catch {
      return undefined;
    }
  } else if (scp && !/^[A-Za-z]$/.test(scp[1]!)) {
    // (A one-letter "host" is a Windows drive: C:\repo.)
    path = scp[2];
  }
  if (!path) return undefined;
  const name = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').replace(/^~[^/]*\//, '');
  return name.split('/').filter(Boolean).length >= 2 ? name : undefined;
}

/** --repository's default: the origin remote's owner/name, else the repository folder's name. */
export function repositoryName(path: string, gitBin?: string): string {
  const remote = git(path, ['remote', 'get-url', 'origin'], gitBin);
  const fromRemote = remote.status === 0 ? repositoryFromRemote(remote.stdout) : undefined;
  if (fromRemote) return fromRemote;
  const top = git(path, ['rev-parse', '--show-toplevel'], gitBin);
  if (top.status === 0 && top.stdout) return basename(top.stdout);
  // A bare repository: its folder, without .git.
  const dir = git(path, ['rev-parse', '--absolute-git-dir'], gitBin);
  return basename(dir.stdout || path).replace(/\.git$/, '');
}
