import { createHash } from 'node:crypto';
import type { GitCommitFacts, GitFileFacts } from '@fulcrum/ingest';
import type { LoggedCommit } from './log-parser.js';

/*
 * What a commit says about outcomes, read from its message. The rules, most
 * specific first, and where the formats come from:
 *
 * Agent co-authors: a `Co-authored-by: Name <email>` trailer (any case, as git
 * reads trailer keys), anywhere in the message after the subject (squash merges
 * gather every commit's trailers into the body):
 * - claude-code: the name holds the word "Claude", or the email is @anthropic.com.
 *   Claude Code writes `Co-Authored-By: Claude <noreply@anthropic.com>`, newer
 *   versions with the model: `Claude Opus 4.6 <noreply@anthropic.com>`.
 * - codex: the name holds the word "Codex", or the email is @openai.com. Codex
 *   writes `Co-authored-by: Codex <noreply@openai.com>` when commit attribution
 *   is on (`commit_attribution`, openai/codex#14051, #19799).
 * - gemini-cli: the name holds the word "Gemini" (`Gemini <gemini@google.com>`,
 *   `gemini-code-assist[bot]`). Gemini CLI writes no trailer of its own
 *   (google-gemini/gemini-cli#12419): users and hooks add one.
 * The values are the harness names sessions carry, so a commit joins its sessions by Harness.
 *
 * Session ids: a trailer named in SESSION_TRAILERS. A value that is a URL
 * counts by its last path segment: Claude Code on the web writes
 * `Claude-Session: https://claude.ai/code/session_…`.
 *
 * Pull request: a subject `Merge pull request #N from …` (GitHub's merge
 * commit) or ending `(#N)` (GitHub's squash and rebase merges).
 *
 * Revert: `This reverts commit <hash>` in the message, as `git revert` writes it.
 */

/** Trailer keys (lowercase) whose value is a session id. */
export const SESSION_TRAILERS = [
  'session-id', 'fulcrum-session', 'fulcrum-session-id', 'agent-session-id',
  'claude-session', 'claude-session-id', 'codex-session', 'codex-session-id', 'gemini-session', 'gemini-session-id',
] as const;

/** Longest subject sent (characters); the store caps it again after redaction. */
const MAX_SUBJECT = 512;
const TRAILER = /^[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*?)[ \t\r]*$/;
const MERGE_PR = /^Merge pull request #(\d{1,9}) from /;
const SQUASH_PR = /\(#(\d{1,9})\)\s*$/;
const REVERTS = /This reverts commit ([0-9a-fA-F]{7,64})\b/;
const SESSION_ID = /^[A-Za-z0-9._:-]{1,256}$/;
const SESSION_KEYS = new Set<string>(SESSION_TRAILERS);

/** The harness a `Co-authored-by:` value names, if it names an agent. */
export function agentOf(coAuthor: string): 'claude-code' | 'codex' | 'gemini-cli' | undefined {
  const lt = coAuthor.indexOf('<');
  const name = lt >= 0 ? coAuthor.slice(0, lt) : coAuthor;
  const gt = lt >= 0 ? coAuthor.indexOf('>', lt) : -1;
  const email = lt >= 0 ? coAuthor.slice(lt + 1, gt < 0 ? undefined : gt).trim().toLowerCase() : '';
  if (/\bclaude\b/i.test(name) || email.endsWith('@anthropic.com')) return 'claude-code';
  if (/\bcodex\b/i.test(name) || email.endsWith('@openai.com')) return 'codex';
  if (/\bgemini\b/i.test(name)) return 'gemini-cli';
  return undefined;
}

/** A session trailer's value as an id: a URL by its last path segment; undefined when it is not id-shaped. */
export function sessionIdOf(value: string): string | undefined {
  let v = value.trim();
  if (/^https?:\/\//i.test(v)) {
    try {
      v = new URL(v).pathname.split('/').filter(Boolean).pop() ?? '';
    } catch {
      return undefined;
    }
  }
  return SESSION_ID.test(v) ? v : undefined;
}

/** The PR number a subject names, 0 when none. */
export function pullRequestOf(subject: string): number {
  const m = MERGE_PR.exec(subject) ?? SQUASH_PR.exec(subject);
  return m ? Number(m[1]) : 0;
}

/** SHA-256 hex of an email, lowercased and trimmed; '' for none. Matches `lower(hex(SHA256(lower(trim(email)))))` in ClickHouse. */
export function emailHash(email: string): string {
  const e = email.trim().toLowerCase();
  return e === '' ? '' : createHash('sha256').update(e).digest('hex');
}

/** The first max characters, without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, (s.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max);
}

/** One logged commit as the facts the store keeps. */
export function commitFacts(c: LoggedCommit): { commit: GitCommitFacts; files: GitFileFacts[] } {
  const nl = c.message.indexOf('\n');
  const subject = (nl < 0 ? c.message : c.message.slice(0, nl)).trim();
  const agents = new Set<string>();
  const sessions = new Set<string>();
  if (nl >= 0) {
    for (const line of c.message.slice(nl + 1).split('\n')) {
      const m = TRAILER.exec(line);
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      if (key === 'co-authored-by') {
        const agent = agentOf(m[2]!);
        if (agent) agents.add(agent);
      } else if (SESSION_KEYS.has(key)) {
        const id = sessionIdOf(m[2]!);
        if (id) sessions.add(id);
      }
    }
  }
  let linesAdded = 0;
  let linesRemoved = 0;
  const files = c.files.map((f): GitFileFacts => {
    linesAdded += f.added;
    linesRemoved += f.removed;
    return { hash: c.hash, authorTime: c.authorTime, commitTime: c.commitTime, path: f.path, oldPath: f.oldPath, linesAdded: f.added, linesRemoved: f.removed, binary: f.binary };
  });
  return {
    commit: {
      hash: c.hash,
      parents: c.parents,
      authorTime: c.authorTime,
      commitTime: c.commitTime,
      authorEmailHash: emailHash(c.authorEmail),
      pullRequest: pullRequestOf(subject),
      agentCoAuthors: [...agents],
      sessionIds: [...sessions],
      revertsHash: REVERTS.exec(c.message)?.[1]?.toLowerCase() ?? '',
      subject: cut(subject, MAX_SUBJECT),
      linesAdded,
      linesRemoved,
      filesChanged: files.length,
    },
    files,
  };
}
