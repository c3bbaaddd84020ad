/**
 * Reference for tests/vocab/perf-equivalence.test.ts: packages/vocab/src/shell.ts as it was
 * before the per-tool-call overhead work, kept verbatim (imports aside) so the
 * faster code can be held to it. Not used by any package.
 */
/**
 * What a shell command line means, for the few shapes coding agents use to
 * read, search, patch and commit: a small POSIX-shell lexer (quotes, escapes,
 * heredocs, command substitution) and recognisers over its simple commands.
 * Precision first: whatever is not recognised exactly means nothing here.
 */
import { isCodexPatch } from '../../packages/vocab/src/diff.js';

/** A word of a command, quotes removed. */
export interface ShellWord {
  text: string;
  /** True when the shell would change the word: `$` expansions, command substitutions, unquoted globs, a leading `~`. */
  dynamic: boolean;
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`. */
  op: string;
  /** The file descriptor written before the operator ('' when none). */
  fd: string;
  target: ShellWord;
  /** A heredoc's body (`<<`, `<<-`), each line with its newline. */
  body?: string;
}

export interface SimpleCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  /** The operator after it: `&&`, `||`, `|`, `|&`, `;` (also a newline), `&`, `(`, `)`, or '' at the end. */
  next: string;
}

// Sticky: each matches at lastIndex only, so lexing never copies the rest of the line.
const REDIRECT = /(\d*)(<<<|<<-|<<|>>|>&|<&|>\||&>>|&>|>|<)/y;
const OPERATOR = /&&|\|\||\|&|;;|[|;&()]/y;
const PARAMETER = /\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9#?$!@*-])?/y;

class Lexer {
  private i = 0;
  private readonly pending: ShellRedirect[] = [];
  readonly commands: SimpleCommand[] = [];
  private cur: SimpleCommand = { words: [], redirects: [], next: '' };

  constructor(private readonly s: string) {}

  /** Lexes to the end (or, inside `$(`, to its closing paren); false on a syntax error. */
  run(inSubstitution: boolean): boolean {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '\n') {
        this.i++;
        if (!this.readHeredocs()) return false;
        this.end(';');
      } else if (/\s/.test(c)) this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') this.i += 2;
      else if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === ')' && inSubstitution) {
        this.i++;
        this.end('');
        return this.pending.length === 0;
      } else {
        const op = this.operator();
        if (op === undefined) return false;
        if (op) continue;
        const w = this.word();
        if (w === undefined) return false;
        this.cur.words.push(w);
      }
    }
    if (inSubstitution || this.pending.length > 0) return false;
    this.end('');
    return true;
  }

  private end(next: string): void {
    this.cur.next = next;
    this.commands.push(this.cur);
    this.cur = { words: [], redirects: [], next: '' };
  }

  /** An operator or redirection at this.i: true when one was taken, undefined on a syntax error. */
  private operator(): boolean | undefined {
    REDIRECT.lastIndex = this.i;
    const redirect = REDIRECT.exec(this.s);
    if (redirect && (redirect[1] === '' || this.atWordStart())) {
      this.i += redirect[0].length;
      while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
      const from = this.i;
      const target = this.word();
      if (target === undefined || this.i === from) return undefined;
      const r: ShellRedirect = { op: redirect[2]!, fd: redirect[1]!, target };
      if (r.op === '<<' || r.op === '<<-') this.pending.push(r);
      this.cur.redirects.push(r);
      return true;
    }
    OPERATOR.lastIndex = this.i;
    const op = OPERATOR.exec(this.s);
    if (!op) return false;
    this.i += op[0].length;
    this.end(op[0] === ';;' ? ';' : op[0]);
    return true;
  }

  private atWordStart(): boolean {
    return this.i === 0 || /[\s|&;()<>]/.test(this.s[this.i - 1]!);
  }

  /** The heredoc bodies owed after a newline. */
  private readHeredocs(): boolean {
    while (this.pending.length > 0) {
      const r = this.pending.shift()!;
      const lines: string[] = [];
      for (;;) {
        if (this.i >= this.s.length) return false;
        let nl = this.s.indexOf('\n', this.i);
        if (nl < 0) nl = this.s.length;
        const line = this.s.slice(this.i, nl);
        this.i = Math.min(nl + 1, this.s.length);
        if ((r.op === '<<-' ? line.replace(/^\t+/, '') : line) === r.target.text) break;
        lines.push(line + '\n');
      }
      r.body = lines.join('');
    }
    return true;
  }

  /** One word from here; undefined on an unterminated quote or substitution. */
  private word(): ShellWord | undefined {
    const s = this.s;
    let text = '';
    let dynamic = false;
    const start = this.i;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (/[\s|&;()<>]/.test(c)) break;
      if (c === '\\') {
        if (s[this.i + 1] === '\n') this.i += 2;
        else {
          text += s[this.i + 1] ?? '';
          this.i += 2;
        }
      } else if (c === "'") {
        const close = s.indexOf("'", this.i + 1);
        if (close < 0) return undefined;
        text += s.slice(this.i + 1, close);
        this.i = close + 1;
      } else if (c === '"') {
        this.i++;
        for (;;) {
          if (this.i >= s.length) return undefined;
          const d = s[this.i]!;
          if (d === '"') {
            this.i++;
            break;
          }
          if (d === '\\' && /["\\$`\n]/.test(s[this.i + 1] ?? '')) {
            if (s[this.i + 1] !== '\n') text += s[this.i + 1];
            this.i += 2;
          } else if (d === '$' || d === '`') {
            dynamic = true;
            const end = this.expansion();
            if (end === undefined) return undefined;
            text += s.slice(this.i, end);
            this.i = end;
          } else {
            text += d;
            this.i++;
          }
        }
      } else if (c === '$' || c === '`') {
        dynamic = true;
        const end = this.expansion();
        if (end === undefined) return undefined;
        text += s.slice(this.i, end);
        this.i = end;
      } else {
        if (/[*?[{]/.test(c) || (c === '~' && this.i === start)) dynamic = true;
        text += c;
        this.i++;
      }
    }
    return { text, dynamic };
  }

  /** The end of the `$…` or backtick expansion at this.i. */
  private expansion(): number | undefined {
    const s = this.s;
    if (s[this.i] === '`') {
      let j = this.i + 1;
      while (j < s.length && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
      return j < s.length ? j + 1 : undefined;
    }
    if (s[this.i + 1] === '(') {
      const inner = new Lexer(s);
      inner.i = this.i + 2;
      return inner.run(true) ? inner.i : undefined;
    }
    if (s[this.i + 1] === '{') {
      const close = s.indexOf('}', this.i + 2);
      return close < 0 ? undefined : close + 1;
    }
    PARAMETER.lastIndex = this.i;
    const name = PARAMETER.exec(s);
    return this.i + Math.max(name?.[0].length ?? 0, 1);
  }

}

/**
 * The simple commands of a command line, each with the operator after it;
 * undefined when it does not lex (an unterminated quote, substitution or
 * heredoc). A trailing newline or `;` leaves no empty command behind.
 */
export function parseShell(command: string): SimpleCommand[] | undefined {
  const lexer = new Lexer(command);
  try {
    if (!lexer.run(false)) return undefined;
  } catch {
    // Command substitutions nested deeper than the stack: no meaning.
    return undefined;
  }
  const cmds = lexer.commands;
  while (cmds.length > 1 && cmds[cmds.length - 1]!.words.length === 0 && cmds[cmds.length - 1]!.redirects.length === 0 && cmds[cmds.length - 2]!.next === ';') {
    cmds.pop();
    cmds[cmds.length - 1]!.next = '';
  }
  return cmds;
}

/** What a recognised command line does. Paths are as spelled, joined to a leading `cd DIR` when relative; '' is the working directory. */
export type ShellMeaning =
  | { kind: 'read'; paths: string[]; readOffset: number; readLimit: number }
  | { kind: 'search'; pattern: string; paths: string[]; variant: string }
  | { kind: 'patch'; patch: string; dir: string };

const SHELL_PROGRAM = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z|da)?sh$/;
const HARMLESS_REDIRECT = (r: ShellRedirect) => r.fd === '2' && ((r.op === '>' && r.target.text === '/dev/null') || (r.op === '>&' && r.target.text === '1'));

interface Opt {
  name: string;
  value?: string;
}

/**
 * GNU-style options (permuted, `--` ends them, `-abc` clusters, `-nVALUE`,
 * `--name=value`); `shortArg` are the short options taking a value, `longArg`
 * the long ones. Undefined when a value is missing.
 */
function options(args: readonly string[], shortArg: string, longArg: readonly string[], permute = true): { opts: Opt[]; operands: string[] } | undefined {
  const opts: Opt[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) opts.push({ name: a.slice(0, eq), value: a.slice(eq + 1) });
      else if (longArg.includes(a.slice(2))) {
        if (i + 1 >= args.length) return undefined;
        opts.push({ name: a, value: args[++i] });
      } else opts.push({ name: a });
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        if (!shortArg.includes(ch)) {
          opts.push({ name: `-${ch}` });
          continue;
        }
        let value = a.slice(j + 1);
        if (value === '') {
          if (i + 1 >= args.length) return undefined;
          value = args[++i]!;
        }
        opts.push({ name: `-${ch}`, value });
        break;
      }
    } else {
      operands.push(a);
      if (!permute) {
        operands.push(...args.slice(i + 1));
        break;
      }
    }
  }
  return { opts, operands };
}

const has = (opts: readonly Opt[], ...names: string[]) => opts.some((o) => names.includes(o.name));
const valueOf = (opts: readonly Opt[], ...names: string[]) => opts.filter((o) => names.includes(o.name)).map((o) => o.value ?? '');
const spell = (w: string) => (/[\s"'\\]/.test(w) || w === '' ? JSON.stringify(w) : w);

/** Options as one canonical string: sorted, `-x` or `-x value` / `--name=value`, the given ones left out. */
function variantOf(program: string, opts: readonly Opt[], leaveOut: readonly string[] = []): string {
  const parts = opts
    .filter((o) => !leaveOut.includes(o.name))
    .map((o) => (o.value === undefined ? o.name : o.name.startsWith('--') ? `${o.name}=${spell(o.value)}` : `${o.name} ${spell(o.value)}`));
  return [program, ...[...new Set(parts)].sort()].join(' ');
}

/** A line count: digits only, more than 0. */
const count = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** `-20` → `-n 20`, for head and tail. */
const numericCount = (args: readonly string[]) => args.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));

type Read = { kind: 'read'; paths: string[]; readOffset: number; readLimit: number };
const whole = (paths: string[]): Read | undefined => (paths.length > 0 && !paths.includes('-') ? { kind: 'read', paths, readOffset: 0, readLimit: 0 } : undefined);

/** `sed -n` scripts that print one range: `5p`, `5,40p`, `5,$p`. */
function sedRange(script: string): { readOffset: number; readLimit: number } | undefined {
  const m = /^\s*(\d+)\s*(?:,\s*(\d+|\$)\s*)?p\s*;?\s*$/.exec(script);
  if (!m || Number(m[1]) === 0) return undefined;
  const from = Number(m[1]);
  if (m[2] === undefined) return { readOffset: from, readLimit: 1 };
  if (m[2] === '$') return { readOffset: from, readLimit: 0 };
  return { readOffset: from, readLimit: Math.max(Number(m[2]) - from + 1, 1) };
}

/** `sed -n …` with its script and files, when it only prints; undefined for -i, -f, w/e commands, several scripts. */
function sedPrint(args: readonly string[]): { range: { readOffset: number; readLimit: number }; files: string[] } | undefined {
  const o = options(args, 'efl', ['expression', 'file', 'line-length']);
  if (!o || !has(o.opts, '-n', '--quiet', '--silent') || has(o.opts, '-i', '--in-place', '-f', '--file')) return undefined;
  if (o.opts.some((x) => x.name.startsWith('--in-place'))) return undefined;
  const scripts = valueOf(o.opts, '-e', '--expression');
  const operands = [...o.operands];
  if (scripts.length === 0 && operands.length > 0) scripts.push(operands.shift()!);
  if (scripts.length !== 1) return undefined;
  const range = sedRange(scripts[0]!);
  return range && { range, files: operands };
}

/** head/tail's line count option, or undefined when it counts bytes, follows, or is not a plain count. */
function headTailCount(args: readonly string[], tail: boolean): { opts: Opt[]; files: string[]; lines?: string } | undefined {
  const o = options(numericCount(args), 'nc', ['lines', 'bytes', 'pid', 'sleep-interval', 'max-unchanged-stats']);
  if (!o || has(o.opts, '-c', '--bytes', '-f', '-F', '--follow', '--retry', '-z', '--zero-terminated')) return undefined;
  if (o.opts.some((x) => x.name.startsWith('--follow') || x.name === '--pid')) return undefined;
  const lines = valueOf(o.opts, '-n', '--lines');
  if (lines.length > 1) return undefined;
  const n = lines[0];
  if (n !== undefined && count(n) === undefined && !(tail && /^\+\d+$/.test(n))) return undefined;
  return { opts: o.opts, files: o.operands, lines: n };
}

/** A read of files: cat, head, tail, sed -n, nl, less. */
function readOf(words: readonly string[]): Read | undefined {
  const [program, ...args] = words;
  switch (program) {
    case 'cat': {
      const o = options(args, '', []);
      return o && whole(o.operands);
    }
    case 'nl': {
      const o = options(args, 'bdfhilnsvw', ['body-numbering', 'section-delimiter', 'footer-numbering', 'header-numbering', 'line-increment', 'join-blank-lines', 'number-format', 'number-separator', 'starting-line-number', 'number-width']);
      return o && whole(o.operands);
    }
    case 'less': {
      const o = options(args, 'bhjkoOpPtTxyz#', []);
      return o && whole(o.operands.filter((f) => !f.startsWith('+')));
    }
    case 'head': {
      const h = headTailCount(args, false);
      const r = h && whole(h.files);
      return r && { ...r, readOffset: 1, readLimit: count(h.lines) ?? 10 };
    }
    case 'tail': {
      const t = headTailCount(args, true);
      const r = t && whole(t.files);
      // `tail -n +5` reads from line 5 on; any other tail, to be safe, the whole file.
      return r && (t.lines?.startsWith('+') && Number(t.lines) > 0 ? { ...r, readOffset: Number(t.lines) } : r);
    }
    case 'sed': {
      const p = sedPrint(args);
      // Several files are one stream to sed: its line numbers are not any one file's.
      return p && p.files.length === 1 && !p.files.includes('-') ? { kind: 'read', paths: p.files, ...p.range } : undefined;
    }
    default:
      return undefined;
  }
}

const GREP_LONG_ARG = ['regexp', 'file', 'max-count', 'after-context', 'before-context', 'context', 'include', 'exclude', 'exclude-dir', 'exclude-from', 'devices', 'directories', 'binary-files', 'label', 'group-separator'];
const RG_LONG_ARG = [
  'regexp', 'file', 'type', 'type-not', 'glob', 'iglob', 'after-context', 'before-context', 'context', 'max-count', 'max-columns', 'threads', 'encoding',
  'replace', 'max-depth', 'type-add', 'type-clear', 'sort', 'sortr', 'color', 'colors', 'pre', 'pre-glob', 'ignore-file', 'path-separator',
  'context-separator', 'field-match-separator', 'field-context-separator', 'max-filesize', 'engine', 'dfa-size-limit', 'regex-size-limit',
];
const FIND_SIDE_EFFECTS = ['-exec', '-execdir', '-ok', '-okdir', '-delete', '-fprint', '-fprint0', '-fprintf', '-fls'];
const FIND_NAME_TESTS = ['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex'];

type Search = { kind: 'search'; pattern: string; paths: string[]; variant: string };

/**
 * grep-like: pattern from -e (several joined by newlines) or the first operand,
 * then paths ('.' when none); `stdin`: without paths it reads its standard
 * input unless it recurses (grep), so that is no search.
 */
function grepLike(program: string, args: readonly string[], shortArg: string, longArg: readonly string[], reject: readonly string[], stdin: boolean): Search | undefined {
  const o = options(args, shortArg, longArg);
  if (!o || has(o.opts, ...reject)) return undefined;
  const patterns = valueOf(o.opts, '-e', '--regexp');
  const operands = [...o.operands];
  const listFiles = program === 'rg' && has(o.opts, '--files');
  if (patterns.length === 0 && !listFiles) {
    if (operands.length === 0) return undefined;
    patterns.push(operands.shift()!);
  }
  if (operands.includes('-')) return undefined;
  if (operands.length === 0 && stdin && !has(o.opts, '-r', '-R', '--recursive', '--dereference-recursive')) return undefined;
  return { kind: 'search', pattern: patterns.join('\n'), paths: operands.length > 0 ? operands : ['.'], variant: variantOf(program, o.opts, ['-e', '--regexp']) };
}

/** A search: grep/egrep/fgrep (recursive, or naming files), rg, git grep, find, ls -R. */
function searchOf(words: readonly string[]): Search | undefined {
  const [program, ...args] = words;
  switch (program) {
    case 'grep':
    case 'egrep':
    case 'fgrep':
      return grepLike(program, args, 'efmABCdD', GREP_LONG_ARG, ['-f', '--file'], true);
    case 'rg':
      return grepLike('rg', args, 'eftTgABCmMjErd', RG_LONG_ARG, ['-f', '--file', '--pre', '--type-list', '--help', '--version'], false);
    case 'git':
      return args[0] === 'grep'
        ? grepLike('git grep', args.slice(1), 'efABCmO', ['regexp', 'file', 'after-context', 'before-context', 'context', 'max-count', 'max-depth', 'threads', 'open-files-in-pager'], ['-f', '--file', '-O', '--open-files-in-pager'], false)
        : undefined;
    case 'find': {
      const rest = [...args];
      const lead: string[] = [];
      while (rest.length > 0 && /^-[HLP]$/.test(rest[0]!)) lead.push(rest.shift()!);
      const paths: string[] = [];
      while (rest.length > 0 && !/^[-(!,]/.test(rest[0]!)) paths.push(rest.shift()!);
      if (rest.some((w) => FIND_SIDE_EFFECTS.includes(w))) return undefined;
      const names = rest.flatMap((w, i) => (FIND_NAME_TESTS.includes(w) && i + 1 < rest.length ? [rest[i + 1]!] : []));
      const expression = rest.map(spell).join(' ');
      return { kind: 'search', pattern: names.length === 1 ? names[0]! : expression, paths: paths.length > 0 ? paths : ['.'], variant: ['find', ...lead, expression].join(' ').trim() };
    }
    case 'ls': {
      const o = options(args, 'ITw', ['ignore', 'hide', 'tabsize', 'width', 'sort', 'format', 'color', 'time-style', 'block-size', 'quoting-style', 'indicator-style', 'time']);
      if (!o || !has(o.opts, '-R', '--recursive')) return undefined;
      return { kind: 'search', pattern: '', paths: o.operands.length > 0 ? o.operands : ['.'], variant: variantOf('ls', o.opts) };
    }
    default:
      return undefined;
  }
}

/** A line-window filter after a pipe: `head [-n N]`, `tail [-n N]`, `sed -n 'A,Bp'`, reading no file. */
function isLineFilter(words: readonly string[]): boolean {
  const [program, ...args] = words;
  if (program === 'head' || program === 'tail') {
    const h = headTailCount(args, program === 'tail');
    return h !== undefined && h.files.length === 0;
  }
  if (program === 'sed') return sedPrint(args)?.files.length === 0;
  return false;
}

const joinDir = (dir: string, p: string): string => (dir === '' || p.startsWith('/') ? p : p === '' ? dir : `${dir}/${p}`);

/**
 * What a shell command line does, when it is one of the shapes agents use to
 * read, search or patch files; undefined for anything else (which stays a
 * plain shell command). The rules:
 *
 * - Wrappers: `bash -lc '…'` / `sh -c '…'` (and zsh, dash) are unwrapped, and
 *   leading `cd DIR && ` steps make relative paths relative to DIR.
 * - Reads (offset 1-based, limit 0 = to the end): `cat f…`, `nl f…`, `less f…`
 *   and `tail f` read the whole file(s) (`tail -n +N f` from line N);
 *   `head [-n N | -N] f…` lines 1..N (10 by default); `sed -n 'A,Bp' f` lines
 *   A..B (`Ap`: one line, `A,$p`: to the end), one file only. Byte counts
 *   (`-c`), `tail -f`, `sed -i`, sed without `-n` or with another script,
 *   stdin (`-`) or no file are not reads.
 * - Searches: `grep`/`egrep`/`fgrep` naming files or recursing (`-r`/`-R`),
 *   `rg`, `git grep` (pattern from `-e` or the first operand, then the paths;
 *   `rg --files` has pattern ''), `find` (paths before the expression; the
 *   pattern is its one `-name`/`-iname`/`-path`/`-regex` value, else the whole
 *   expression; `-exec`, `-delete`, `-fprint`… are not searches) and
 *   `ls -R`/`--recursive` (pattern ''). No path means the working directory
 *   (''). `variant` is the program and its sorted options, so a search
 *   differing only in flags is another search.
 * - Patches: `apply_patch` fed a `*** Begin Patch` body by heredoc or as its
 *   one argument.
 * - A read or search may end in one line-window filter (`| head [-n N]`,
 *   `| tail [-n N]`, `| sed -n 'A,Bp'`): still the same read (then of the
 *   whole file, no range claimed) or search; and may redirect stderr
 *   (`2>/dev/null`, `2>&1`). Anything else compound (other pipes, `;`, `||`,
 *   `&`, subshells, other redirections, heredocs) or any word the shell would
 *   expand (`$x`, `$(…)`, unquoted globs, `~`) means nothing.
 */
export function describeShellCommand(command: string, depth = 0): ShellMeaning | undefined {
  const cmds = parseShell(command);
  if (!cmds || cmds.length === 0 || depth > 3) return undefined;
  if (cmds.length === 1 && cmds[0]!.redirects.length === 0) {
    const w = cmds[0]!.words;
    if (w.length === 3 && SHELL_PROGRAM.test(w[0]!.text) && /^-l?c$|^-cl$/.test(w[1]!.text) && !w.some((x) => x.dynamic)) return describeShellCommand(w[2]!.text, depth + 1);
  }
  let dir = '';
  let i = 0;
  for (; i < cmds.length - 1; i++) {
    const c = cmds[i]!;
    if (c.next !== '&&' || c.redirects.length > 0 || c.words.length !== 2 || c.words[0]!.text !== 'cd') break;
    const to = c.words[1]!;
    if (to.dynamic || to.text === '' || to.text === '-' || to.text.startsWith('-')) return undefined;
    dir = joinDir(dir, to.text);
  }
  const main = cmds[i]!;
  const filter = cmds[i + 1];
  if (cmds.length > i + 2 || main.words.length === 0 || main.words.some((w) => w.dynamic)) return undefined;
  const words = main.words.map((w) => w.text);
  if (words[0] === 'apply_patch' || words[0] === 'applypatch') {
    const heredocs = main.redirects.filter((r) => r.body !== undefined);
    if (filter || main.redirects.length !== heredocs.length || main.next !== '') return undefined;
    const patch = heredocs.length === 1 && words.length === 1 ? heredocs[0]!.body! : heredocs.length === 0 && words.length === 2 ? words[1]! : undefined;
    return patch !== undefined && isCodexPatch(patch) ? { kind: 'patch', patch, dir } : undefined;
  }
  if (!main.redirects.every(HARMLESS_REDIRECT)) return undefined;
  if (filter) {
    if (main.next !== '|' || filter.next !== '' || filter.words.some((w) => w.dynamic) || !filter.redirects.every(HARMLESS_REDIRECT)) return undefined;
    if (!isLineFilter(filter.words.map((w) => w.text))) return undefined;
  } else if (main.next !== '') return undefined;
  const read = readOf(words);
  if (read) return { ...read, paths: read.paths.map((p) => joinDir(dir, p)), ...(filter ? { readOffset: 0, readLimit: 0 } : {}) };
  const search = searchOf(words);
  if (search) return { ...search, paths: search.paths.map((p) => joinDir(dir, p)) };
  return undefined;
}

/** A git command's subcommand, global options (`-C dir`, `-c k=v`, `--no-pager`…) skipped. */
function gitSubcommand(words: readonly string[]): { sub: string; args: string[] } | undefined {
  if (words.length === 0 || !/^(?:.*\/)?git$/.test(words[0]!)) return undefined;
  let i = 1;
  while (i < words.length && words[i]!.startsWith('-')) {
    const w = words[i]!;
    i += ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--super-prefix', '--config-env'].includes(w) ? 2 : 1;
  }
  return i < words.length ? { sub: words[i]!, args: words.slice(i + 1) } : undefined;
}

/**
 * Whether a shell command line runs `git commit` or `git push`: any of its
 * simple commands (in `&&`/`;`/`|` chains, after `cd DIR &&` or environment
 * assignments, inside `bash -lc '…'`) whose program is git and subcommand
 * commit or push, git's global options skipped; `--dry-run` (and push's `-n`)
 * do neither. 'push' when it pushes (a commit and push is a push), else
 * 'commit', else ''. A line that does not lex is ''.
 */
export function vcsActionOf(command: string, depth = 0): 'commit' | 'push' | '' {
  if (!/\bgit\b/.test(command) || depth > 3) return '';
  const cmds = parseShell(command);
  if (!cmds) return '';
  let action: 'commit' | 'push' | '' = '';
  for (const c of cmds) {
    const words = c.words.map((w) => w.text);
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
    if (words.length === 3 && SHELL_PROGRAM.test(words[0]!) && /^-l?c$|^-cl$/.test(words[1]!)) {
      const inner = vcsActionOf(words[2]!, depth + 1);
      if (inner === 'push' || (inner === 'commit' && action === '')) action = inner;
      continue;
    }
    const git = gitSubcommand(words);
    if (!git || git.args.includes('--dry-run')) continue;
    if (git.sub === 'push' && !git.args.includes('-n')) action = 'push';
    else if (git.sub === 'commit' && action === '') action = 'commit';
  }
  return action;
}

/** A shell search's variant (see describeShellCommand), for its identity; undefined when the command is no search. */
export function shellSearchVariant(command: string): string | undefined {
  const m = describeShellCommand(command);
  return m?.kind === 'search' ? m.variant : undefined;
}
