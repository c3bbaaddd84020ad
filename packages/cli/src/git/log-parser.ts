/**
 * An incremental parser of `git log -z --numstat --format=LOG_FORMAT`: text goes
 * in as it arrives, finished commits come out, and nothing but the commit being
 * read is held (a 100,000-commit history streams in constant memory).
 *
 * The format brackets each commit's header and message between two markers
 * that no commit message plausibly contains (a record separator and a unit
 * separator around a fixed word), so a message with blank lines, tabs or
 * control characters cannot split a record. With -z, numstat entries end in
 * NUL and paths are written raw (no quoting); a rename or copy is written as
 * `added\tremoved\t\0old\0new\0`.
 */

const START = '\x1eFULCRUM-GIT\x1f';
const BODY_END = '\x1fFULCRUM-GIT-END\x1f';
const US = '\x1f';

/** The --format that LogParser reads: hash, parents, author and committer time (s), author email, raw message. */
export const LOG_FORMAT = '%x1eFULCRUM-GIT%x1f%H%x1f%P%x1f%at%x1f%ct%x1f%ae%x1f%B%x1fFULCRUM-GIT-END%x1f';

export interface LoggedFile {
  /** The path after the commit. */
  path: string;
  /** The path before a rename or copy; '' otherwise. */
  oldPath: string;
  added: number;
  removed: number;
  /** numstat prints `-` for both counts of a binary file; they are 0 here. */
  binary: boolean;
}

export interface LoggedCommit {
  hash: string;
  parents: string[];
  /** Milliseconds since the epoch. */
  authorTime: number;
  commitTime: number;
  authorEmail: string;
  /** The raw message: subject, blank line, body, trailers. */
  message: string;
  files: LoggedFile[];
}

const NUMSTAT = /^(\d+|-)\t(\d+|-)\t([^]*)$/;

/** The numstat part of one record: entries separated by NUL, after the NUL and newline that end the message. */
export function parseNumstat(section: string): LoggedFile[] {
  const tokens = section.split('\0');
  const files: LoggedFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n+/, '');
    if (token === '') continue;
    const m = NUMSTAT.exec(token);
    if (!m) continue;
    const binary = m[1] === '-' || m[2] === '-';
    let path = m[3]!;
    let oldPath = '';
    if (path === '') {
      oldPath = tokens[i + 1] ?? '';
      path = tokens[i + 2] ?? '';
      i += 2;
    }
    if (path === '') continue;
    files.push({ path, oldPath, added: binary ? 0 : Number(m[1]), removed: binary ? 0 : Number(m[2]), binary });
  }
  return files;
}

function parseRecord(header: string, numstat: string): LoggedCommit | undefined {
  // hash, parents, author time, commit time, email, then the message (which may itself hold a unit separator).
  const fields: string[] = [];
  let at = 0;
  for (let k = 0; k < 5; k++) {
    const next = header.indexOf(US, at);
    if (next < 0) return undefined;
    fields.push(header.slice(at, next));
    at = next + 1;
  }
  const [hash, parents, authorTime, commitTime, authorEmail] = fields as [string, string, string, string, string];
  return {
    hash,
    parents: parents === '' ? [] : parents.split(' '),
    authorTime: Number(authorTime) * 1000,
    commitTime: Number(commitTime) * 1000,
    authorEmail,
    message: header.slice(at),
    files: parseNumstat(numstat),
  };
}

export class LogParser {
  #buf = '';
  /** Where to look for the next record's start: text before it was already searched. */
  #searchFrom = 0;

  /** Feeds text; returns the commits it completed. */
  push(text: string): LoggedCommit[] {
    this.#buf += text;
    return this.#drain(false);
  }

  /** The input ended: returns the last commit. */
  end(): LoggedCommit[] {
    return this.#drain(true);
  }

  #drain(ended: boolean): LoggedCommit[] {
    const out: LoggedCommit[] = [];
    const buf = this.#buf;
    let pos = buf.indexOf(START);
    if (pos < 0) {
      if (ended) this.#buf = '';
      return out;
    }
    for (;;) {
      const headerAt = pos + START.length;
      const bodyEnd = buf.indexOf(BODY_END, headerAt);
      if (bodyEnd < 0) break;
      const numstatAt = bodyEnd + BODY_END.length;
      let next = buf.indexOf(START, Math.max(numstatAt, this.#searchFrom));
      if (next < 0) {
        if (!ended) {
          // Most of this record's numstat has been searched already; a start marker can only straddle its last bytes.
          this.#searchFrom = Math.max(numstatAt, buf.length - START.length);
          break;
        }
        next = buf.length;
      }
      const commit = parseRecord(buf.slice(headerAt, bodyEnd), buf.slice(numstatAt, next));
      if (commit) out.push(commit);
      pos = next;
      this.#searchFrom = 0;
      if (pos >= buf.length) break;
    }
    this.#buf = buf.slice(pos);
    if (this.#searchFrom > 0) this.#searchFrom -= pos;
    if (ended) this.#buf = '';
    return out;
  }
}
