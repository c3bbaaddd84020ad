/**
 * Keys that make two tool calls comparable: a file path, a shell command and
 * a search written differently but meaning the same thing give the same string.
 */
import { posix } from 'node:path';
import { parseShell, shellSearchVariant } from './shell.js';

/** Shell commands that only look at files: repeating one unchanged is a repeated search (those describeShellCommand recognises are reads and searches instead). */
export const SCAN_COMMANDS: readonly string[] = ['grep', 'rg', 'find', 'cat', 'ls', 'fd', 'head', 'tail'];

/**
 * Shell commands known to change no source file (build output aside): listing and
 * inspection (`ls`, `pwd`, `git status|diff|log|show`…), test runners without
 * a snapshot-update flag (`npm test`, `pytest`, `go test`, `cargo test`…),
 * and `curl` without an output file. A failure retried across one of these is
 * still a retry, and a file read again after one is still unchanged. Anything
 * else run through a shell may have changed any file.
 */
const CHANGES_NOTHING = new RegExp(
  '^(?:' +
    [
      'ls', 'pwd', 'echo', 'wc', 'which', 'whoami', 'date', 'printenv', 'true', 'stat', 'file', 'tree', 'du', 'df',
      'git\\s+(?:status|diff|log|show|branch|rev-parse|remote|blame)',
      '(?:npm|pnpm|yarn)\\s+(?:test|run\\s+test)', 'npx\\s+(?:vitest|jest|mocha)', 'vitest', 'jest', 'mocha', 'pytest', 'python3?\\s+-m\\s+(?:pytest|unittest)',
      'go\\s+(?:test|vet)', 'cargo\\s+(?:test|check)', 'make\\s+(?:test|check)',
      'curl',
    ].join('|') +
    ')(?:\\s|$)',
);
/** What makes an otherwise harmless command write files: snapshot updates, curl's output files, redirections, and any second command (`;`, `&&`, `|`, substitutions). */
const WRITES_ANYWAY = /(?:^|\s)(?:-u|--update(?:Snapshot|-snapshots)?|-o|-O|--output|--remote-name)(?:\s|=|$)|[>;&|`]|\$\(/;

/** True when a (normalised) shell command is known to change no file: see CHANGES_NOTHING. */
export function changesNothing(commandKey: string): boolean {
  return CHANGES_NOTHING.test(commandKey) && !WRITES_ANYWAY.test(commandKey);
}

/** `file:///a/b` → `/a/b` (also `file://localhost/a/b`), percent-escapes decoded; anything else as is. */
function stripFileUrl(path: string): string {
  if (!path.startsWith('file://')) return path;
  let rest = path.slice('file://'.length);
  if (rest.startsWith('localhost/')) rest = rest.slice('localhost'.length);
  if (!/%[0-9A-Fa-f]{2}/.test(rest)) return rest;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** POSIX-normalised, without a trailing slash ('' stays ''). */
function tidy(path: string): string {
  if (path === '') return '';
  const p = posix.normalize(path);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** True for a POSIX absolute path or a file URL. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('file://');
}

/**
 * One spelling per file, so reads, edits and searches of it compare equal
 * across tools and harnesses: `file://` stripped, POSIX-normalised (`./src/a.ts`
 * → `src/a.ts`, `a/../b` → `b`, no trailing slash), and an absolute path under
 * `cwd` made relative to it (`cwd` itself becomes `.`). A relative path stays
 * relative; an absolute path outside `cwd`, or with no (absolute) `cwd`, stays
 * absolute.
 */
export function normaliseFilePath(path: string, cwd?: string): string {
  const p = tidy(stripFileUrl(path));
  if (!p.startsWith('/') || cwd === undefined) return p;
  const base = tidy(stripFileUrl(cwd));
  // A relative cwd anchors nothing, and under `/` every path would turn relative.
  if (!base.startsWith('/') || base === '/') return p;
  if (p === base) return '.';
  return p.startsWith(base + '/') ? p.slice(base.length + 1) : p;
}

/** A shell command with surrounding whitespace trimmed and each whitespace run made one space. */
export function normaliseCommand(command: string): string {
  return command.trim().replace(/\s+/g, ' ');
}

/** What identifies a search, for {@link searchKeyOf}. */
export interface SearchKeyParts {
  /** The call's kind (see toolKindOf). */
  kind: string;
  /** The search pattern; '' when none. */
  searchPattern: string;
  /** The normalised path searched; '' means the working directory. */
  filePath: string;
  /** Every normalised path searched, filePath first, when a shell search names several. @default [filePath] */
  filePaths?: readonly string[];
  /** The normalised shell command; '' when none. */
  commandKey: string;
  /** The shell command as run, when known: a shell search's variant is read from it (commandKey has lost its newlines). @default commandKey */
  command?: string;
}

/**
 * A search's identity: `search\0<pattern>\0<path>` for a search tool (no path
 * is the working directory, `.`; neither pattern nor path is no identity, ''),
 * with `\0<variant>` after it for a search run as a shell command (`grep -rn`,
 * `rg`, `find`, `ls -R`…: its paths, all of them, then the program and its
 * sorted options, see describeShellCommand), so the same search however
 * quoted or spaced is one key and another pattern, path or flag another; and
 * `sh\0<command>` for a shell command whose first word is a read-only scan
 * ({@link SCAN_COMMANDS}) and that writes no file by redirection (`cat > f`
 * is no scan), else ''.
 */
export function searchKeyOf(parts: SearchKeyParts): string {
  if (parts.kind === 'search') {
    const command = parts.command || parts.commandKey;
    const variant = command === '' ? undefined : shellSearchVariant(command);
    if (variant !== undefined) {
      const paths = parts.filePaths && parts.filePaths.length > 1 ? parts.filePaths : [parts.filePath || '.'];
      return `search\u0000${parts.searchPattern}\u0000${paths.join('\u0000')}\u0000${variant}`;
    }
    // Nothing known (Claude Code's default privacy sends the tool name only): no identity, else every such search would be one.
    if (parts.searchPattern === '' && parts.filePath === '') return '';
    return `search\u0000${parts.searchPattern}\u0000${parts.filePath || '.'}`;
  }
  if (parts.kind !== 'shell' || parts.commandKey === '') return '';
  const first = parts.commandKey.split(' ', 1)[0];
  if (!SCAN_COMMANDS.includes(first) || writesFile(parts.command || parts.commandKey)) return '';
  return `sh\u0000${parts.commandKey}`;
}

/** True when a command line redirects output to a file (not /dev/null), or does not lex. */
function writesFile(command: string): boolean {
  if (!/[>]/.test(command)) return false;
  const cmds = parseShell(command);
  if (!cmds) return true;
  return cmds.some((c) => c.redirects.some((r) => /^(?:>|>>|>\||&>|&>>)$/.test(r.op) && r.target.text !== '/dev/null'));
}
