/**
 * What a tool call does, from its name and arguments, across harnesses:
 * Claude Code, Anthropic's API tools, Codex, Gemini CLI, generic lower-case
 * names and a harness's own (see tool-descriptors.ts for the table).
 */
import { countLines, isCodexPatch, lineDelta, patchStats, patchTexts } from './diff.js';
import { describeShellCommand, type ShellMeaning } from './shell.js';
import { compiledMappingOf, DEFAULT_TOOL_VOCABULARY, type CompiledDescriptor, type CompiledKey, type ToolVocabulary } from './tool-descriptors.js';
import type { ToolKind } from './tool-facts.js';

export interface ToolCallDescription {
  /** describeToolCall answers read, write, edit, delete, search, shell or other; toolKindOf decides the rest. */
  kind: ToolKind;
  filePath?: string;
  /** All paths when the tool touches several files. */
  filePaths?: string[];
  /** First line read, 1-based; 0 = from the start. */
  readOffset?: number;
  /** Lines read; 0 = to the end. */
  readLimit?: number;
  command?: string;
  searchPattern?: string;
  linesAdded?: number;
  linesRemoved?: number;
}

type Args = Record<string, unknown>;
type Keys = readonly CompiledKey[] | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

function valueAt(a: Args, key: CompiledKey): unknown {
  const v = a[key.name];
  if (v !== undefined || key.path === undefined) return v;
  let o: unknown = a;
  for (const part of key.path) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Args)[part];
  }
  return o;
}

/** The first non-empty string at the keys. */
function text(a: unknown, keys: Keys): string | undefined {
  if (a === null || typeof a !== 'object' || keys === undefined) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const s = str(valueAt(a as Args, keys[i]!));
    if (s !== undefined) return s;
  }
  return undefined;
}

/** The first finite number (or numeric string) at the keys. */
function number(a: Args, keys: Keys): number | undefined {
  if (keys === undefined) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const n = num(valueAt(a, keys[i]!));
    if (n !== undefined) return n;
  }
  return undefined;
}

/** The first value at the keys that is neither undefined nor null. */
function present(a: Args, keys: Keys): unknown {
  if (keys === undefined) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const v = valueAt(a, keys[i]!);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

function withPaths(d: ToolCallDescription, paths: string[]): ToolCallDescription {
  if (paths.length > 0) d.filePath = paths[0];
  if (paths.length > 1) d.filePaths = paths;
  return d;
}

/** A read, its first line and line count from whichever range arguments the tool has (see ToolDescriptor). */
function read(a: Args, d: CompiledDescriptor): ToolCallDescription {
  const start = number(a, d.startLine);
  const skipped = start === undefined ? number(a, d.offset) : undefined;
  const range = d.lineRange === undefined ? undefined : present(a, d.lineRange);
  const pair = Array.isArray(range) && range.length === 2 ? [num(range[0]), num(range[1])] : undefined;
  const readOffset = start ?? (skipped === undefined ? undefined : skipped + 1) ?? pair?.[0] ?? 0;
  let readLimit = number(a, d.limit);
  if (readLimit === undefined) {
    const end = number(a, d.endLine) ?? (pair?.[1] === -1 ? undefined : pair?.[1]);
    readLimit = end === undefined ? 0 : Math.max(end - Math.max(readOffset, 1) + 1, 0);
  }
  const list = d.paths === undefined ? undefined : present(a, d.paths);
  if (Array.isArray(list)) return withPaths({ kind: 'read', readOffset, readLimit }, list.filter((p): p is string => typeof p === 'string'));
  return { kind: 'read', filePath: text(a, d.path), readOffset, readLimit };
}

function patchDescription(patch: string): ToolCallDescription {
  const s = patchStats(patch);
  const kind: ToolKind = s.onlyAdds ? 'write' : s.onlyDeletes ? 'delete' : 'edit';
  return withPaths({ kind, linesAdded: s.linesAdded, linesRemoved: s.linesRemoved }, s.files);
}

/** An edit's patch, used only when it names no old text (Claude Code's Edit has `old_string`, a generic edit a `diff`). */
function editPatchOf(a: Args, d: CompiledDescriptor): string | undefined {
  if (d.oldText?.some((k) => valueAt(a, k) !== undefined)) return undefined;
  return text(a, d.patch);
}

/** Each edit's arguments: the elements of the edits array, else the call's own. */
function editsOf(a: Args, d: CompiledDescriptor): unknown[] {
  const list = present(a, d.edits);
  return Array.isArray(list) ? list : [a];
}

const countsLines = (d: CompiledDescriptor): boolean => d.oldText !== undefined || d.newText !== undefined || d.edits !== undefined || d.patch !== undefined;

function edit(a: Args, d: CompiledDescriptor): ToolCallDescription {
  const patch = editPatchOf(a, d);
  if (patch !== undefined) {
    const p = patchDescription(patch);
    return { ...p, kind: 'edit', filePath: text(a, d.path) ?? p.filePath };
  }
  if (!countsLines(d)) return { kind: 'edit', filePath: text(a, d.path) };
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const e of editsOf(a, d)) {
    const delta = lineDelta(text(e, d.oldText) ?? '', text(e, d.newText) ?? '');
    linesAdded += delta.linesAdded;
    linesRemoved += delta.linesRemoved;
  }
  return { kind: 'edit', filePath: text(a, d.path), linesAdded, linesRemoved };
}

/** A patch tool's body: a bare string argument is the patch itself. */
const patchBody = (a: Args, d: CompiledDescriptor, raw: unknown): string => (typeof raw === 'string' ? raw : (text(a, d.patch) ?? ''));

const SHELL_C = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z|da)?sh$/;

/** A shell command as one string: `["bash","-lc","ls"]` → `ls`, `["git","log"]` → `git log`. */
export function commandString(cmd: unknown): string | undefined {
  if (typeof cmd === 'string') return cmd;
  if (!Array.isArray(cmd) || !cmd.every((c) => typeof c === 'string')) return undefined;
  const parts = cmd as string[];
  if (parts.length === 3 && SHELL_C.test(parts[0]) && /^-l?c$/.test(parts[1])) return parts[2];
  return parts.map((p) => (/[\s"'$`\\]/.test(p) || p === '' ? JSON.stringify(p) : p)).join(' ');
}

const joinDir = (dir: string, p: string): string => (dir === '' || p.startsWith('/') ? p : `${dir}/${p}`);

/** A shell call's patch: its body, the directory it applies in, and the command line when there is one. */
interface ShellPatch {
  patch: string;
  dir: string;
  command?: string;
}

/** `["apply_patch", patch]`: a patch needing no command line. */
const argvPatchOf = (cmd: unknown): ShellPatch | undefined =>
  Array.isArray(cmd) && cmd[0] === 'apply_patch' && typeof cmd[1] === 'string' ? { patch: cmd[1], dir: '' } : undefined;

/** The apply_patch in a command line (meaning is describeShellCommand's, computed once by the caller). */
function commandPatchOf(command: string, meaning: ShellMeaning | undefined): ShellPatch | undefined {
  if (meaning?.kind === 'patch') return { patch: meaning.patch, dir: meaning.dir, command };
  // A heredoc that never reaches its delimiter does not lex; the patch in it is still the patch.
  if (isCodexPatch(command.replace(/^\s*apply_patch\s+<<-?\s*(['"]?)\w+\1\n/, ''))) return { patch: command, dir: '', command };
  return undefined;
}

/** A shell call's apply_patch body (`["apply_patch", patch]`, an `apply_patch <<'EOF'` heredoc, after `cd DIR &&`), if it is one. */
function shellPatchOf(cmd: unknown): ShellPatch | undefined {
  const argv = argvPatchOf(cmd);
  if (argv !== undefined) return argv;
  const command = commandString(cmd);
  return command === undefined ? undefined : commandPatchOf(command, describeShellCommand(command));
}

/**
 * A shell call (Claude Code Bash, Codex exec_command / shell / local_shell,
 * Gemini run_shell_command, Anthropic's bash): an apply_patch is the patch's
 * edit (see patchDescription), a recognised read or search is a read or
 * search of the files it names (the rules are describeShellCommand's),
 * anything else kind 'shell'. The command is kept in every case. The command
 * line is parsed once.
 */
function shell(a: Args, d: CompiledDescriptor): ToolCallDescription {
  const cmd = present(a, d.command);
  const argv = argvPatchOf(cmd);
  const command = argv === undefined ? commandString(cmd) : undefined;
  const m = command === undefined ? undefined : describeShellCommand(command);
  const p = argv ?? (command === undefined ? undefined : commandPatchOf(command, m));
  if (p) {
    const pd = patchDescription(p.patch);
    const files = [pd.filePath, ...(pd.filePaths ?? [])].filter((f): f is string => f !== undefined);
    const out = withPaths({ kind: pd.kind, linesAdded: pd.linesAdded, linesRemoved: pd.linesRemoved }, [...new Set(files)].map((f) => joinDir(p.dir, f)));
    return p.command === undefined ? out : { ...out, command: p.command };
  }
  if (m?.kind === 'read') return withPaths({ kind: 'read', readOffset: m.readOffset, readLimit: m.readLimit, command }, m.paths);
  if (m?.kind === 'search') {
    const s = withPaths({ kind: 'search', searchPattern: m.pattern, command }, m.paths);
    s.filePath ??= '';
    return s;
  }
  return { kind: 'shell', command };
}

function describeWith(d: CompiledDescriptor, a: Args, raw: unknown): ToolCallDescription {
  switch (d.kind) {
    case 'read':
      return read(a, d);
    case 'write':
      return { kind: 'write', filePath: text(a, d.path), linesAdded: countLines(text(a, d.content) ?? ''), linesRemoved: 0 };
    case 'edit':
      return edit(a, d);
    case 'patch':
      return patchDescription(patchBody(a, d, raw));
    case 'delete':
      return { kind: 'delete', filePath: text(a, d.path) };
    case 'search':
      return { kind: 'search', filePath: text(a, d.path), searchPattern: text(a, d.pattern) };
    case 'shell':
      return shell(a, d);
    default:
      return { kind: 'other' };
  }
}

const argsObject = (args: unknown): Args => (args !== null && typeof args === 'object' ? (args as Args) : {});

/** The descriptor that applies to this call: its own, or the variant its arguments pick. */
function descriptorFor(name: string, a: Args, vocabulary: ToolVocabulary): CompiledDescriptor | undefined {
  const m = compiledMappingOf(vocabulary, name);
  if (m === undefined) return undefined;
  if ('descriptor' in m) return m.descriptor;
  const value = a[m.by];
  return typeof value === 'string' ? m.cases.get(value) : undefined;
}

/**
 * Describes a tool call by its vocabulary entry (see BUILT_IN_TOOLS and
 * createToolVocabulary). Tools the vocabulary does not know (MCP tools, a
 * harness's own tools not mapped) are kind 'other'.
 * @param vocabulary the tool names understood. Default: DEFAULT_TOOL_VOCABULARY (the built-in tools)
 */
export function describeToolCall(name: string, args: unknown, vocabulary: ToolVocabulary = DEFAULT_TOOL_VOCABULARY): ToolCallDescription {
  const a = argsObject(args);
  const descriptor = descriptorFor(name, a, vocabulary);
  if (!descriptor) return { kind: 'other' };
  const d = describeWith(descriptor, a, args);
  for (const k in d) if (d[k as keyof ToolCallDescription] === undefined) delete d[k as keyof ToolCallDescription];
  return d;
}

/**
 * Arguments carrying only a command, under the key the tool's descriptor reads
 * it from (`command` for a tool that has none): for describing a call known by
 * its command column alone.
 */
export function commandArgs(name: string, command: string, vocabulary: ToolVocabulary = DEFAULT_TOOL_VOCABULARY): Args {
  const m = compiledMappingOf(vocabulary, name);
  const key = m !== undefined && 'descriptor' in m ? m.descriptor.command?.[0]?.name : undefined;
  return { [key ?? 'command']: command };
}

/** The text an edit replaces and the text it writes, when its arguments carry them. */
export interface EditTexts {
  oldText: string;
  newText: string;
}

/**
 * The old and new text of an edit call: a string replacement's old/new strings
 * (several edits joined with NUL), or a patch's removed/added lines joined with
 * newlines. Undefined when the call carries no such text (or is no edit tool).
 * @param vocabulary Default: DEFAULT_TOOL_VOCABULARY
 */
export function editTextsOf(name: string, args: unknown, vocabulary: ToolVocabulary = DEFAULT_TOOL_VOCABULARY): EditTexts | undefined {
  const a = argsObject(args);
  const d = descriptorFor(name, a, vocabulary);
  let patch: string | undefined;
  if (d?.kind === 'patch') patch = patchBody(a, d, args);
  else if (d?.kind === 'shell') patch = shellPatchOf(present(a, d.command))?.patch;
  else if (d?.kind === 'edit') {
    patch = editPatchOf(a, d);
    if (patch === undefined) {
      if (!countsLines(d)) return undefined;
      const edits = editsOf(a, d);
      const olds = edits.map((e) => text(e, d.oldText));
      const news = edits.map((e) => text(e, d.newText));
      if (olds.every((t) => t === undefined) && news.every((t) => t === undefined)) return undefined;
      return { oldText: olds.map((t) => t ?? '').join('\u0000'), newText: news.map((t) => t ?? '').join('\u0000') };
    }
  }
  if (!patch) return undefined;
  const t = patchTexts(patch);
  return { oldText: t.removed, newText: t.added };
}
