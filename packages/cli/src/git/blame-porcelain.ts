import { spawn } from 'node:child_process';

/*
 * `git blame --porcelain`, streamed: lines per origin commit, counted as the
 * output arrives (a header line names the commit, each content line starts
 * with a tab), in constant memory whatever the file's size.
 */

/** What blame said about one file. */
export interface BlameCount {
  /** Lines per origin commit (full hash). Empty for a missing or binary file. */
  lines: Map<string, number>;
  /** The path does not exist at that revision (deleted or renamed away). */
  missing: boolean;
  /** A NUL in the first 8,000 bytes, git's own test: its lines are not counted. */
  binary: boolean;
}

export interface BlameRequest {
  /** The repository directory. */
  cwd: string;
  /** A revision, or a range `A..B` (lines older than A are blamed to A, and the walk stops there). */
  rev: string;
  path: string;
  /** @default 'git' */
  gitBin?: string;
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) \d+ \d+/;
/** As git's buffer_is_binary: a NUL within the first 8,000 bytes. */
const BINARY_SNIFF = 8000;

/** Runs `git blame --first-parent --porcelain rev -- path` and counts lines per origin. */
export function blameCount(request: BlameRequest): Promise<BlameCount> {
  const { cwd, rev, path } = request;
  const child = spawn(request.gitBin ?? 'git', ['blame', '--first-parent', '--porcelain', rev, '--', path], {
    cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
  });
  const lines = new Map<string, number>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  let atStart = true;
  let inContent = false;
  let header = '';
  let current = '';
  let sniffed = 0;
  let binary = false;
  child.stdout.on('data', (chunk: Buffer) => {
    let pos = 0;
    while (pos < chunk.length) {
      if (atStart) {
        inContent = chunk[pos] === 0x09;
        header = '';
        atStart = false;
        if (inContent) {
          lines.set(current, (lines.get(current) ?? 0) + 1);
          pos++;
        }
      }
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (inContent) {
        if (sniffed < BINARY_SNIFF && !binary) {
          const upto = Math.min(end, pos + BINARY_SNIFF - sniffed);
          if (chunk.subarray(pos, upto).includes(0)) binary = true;
          sniffed += upto - pos + 1;
        }
      } else if (header.length < 80) {
        header += chunk.toString('latin1', pos, Math.min(end, pos + 80));
      }
      if (nl < 0) break;
      if (!inContent) {
        const m = HEADER.exec(header);
        if (m) current = m[1]!;
      }
      atStart = true;
      pos = nl + 1;
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve({ lines: binary ? new Map() : lines, missing: false, binary });
      else if (/no such path/.test(stderr)) resolve({ lines: new Map(), missing: true, binary: false });
      else reject(new Error(`git blame ${rev} -- ${path} failed (exit ${code}): ${stderr.split('\n').find(Boolean) ?? ''}`));
    });
  });
}

/** Runs `work` over `items` with at most `limit` at once; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
