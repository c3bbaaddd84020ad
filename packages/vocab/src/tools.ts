/**
 * What a tool call does, from its name and arguments, across harnesses:
 * Claude Code, Codex, Gemini CLI and generic lower-case names.
 */
import { countLines, isCodexPatch, lineDelta, patchStats, patchTexts } from './diff.js';
import { describeShellCommand } from './shell.js';
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
type Describer = (args: Args, raw: unknown) => ToolCallDescription;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const pathOf = (a: Args): string | undefined =>
  str(a.file_path) ?? str(a.absolute_path) ?? str(a.filePath) ?? str(a.notebook_path) ?? str(a.path) ?? str(a.file);

function withPaths(d: ToolCallDescription, paths: string[]): ToolCallDescription {
  if (paths.length > 0) d.filePath = paths[0];
  if (paths.length > 1) d.filePaths = paths;
  return d;
}

/** Claude Code Read and generic read: offset is already 1-based. */
const read =
  (zeroBased: boolean): Describer =>
  (a) => {
    const offset = num(a.offset);
    return {
      kind: 'read',
      filePath: pathOf(a),
      readOffset: offset === undefined ? 0 : zeroBased ? offset + 1 : offset,
      readLimit: num(a.limit) ?? 0,
    };
  };

const readMany: Describer = (a) => {
  const paths = Array.isArray(a.paths) ? a.paths.filter((p): p is string => typeof p === 'string') : [];
  return withPaths({ kind: 'read', readOffset: 0, readLimit: 0 }, paths);
};

const write: Describer = (a) => ({
  kind: 'write',
  filePath: pathOf(a),
  linesAdded: countLines(str(a.content) ?? str(a.contents) ?? str(a.text) ?? ''),
  linesRemoved: 0,
});

function patchDescription(patch: string): ToolCallDescription {
  const s = patchStats(patch);
  const kind: ToolKind = s.onlyAdds ? 'write' : s.onlyDeletes ? 'delete' : 'edit';
  return withPaths({ kind, linesAdded: s.linesAdded, linesRemoved: s.linesRemoved }, s.files);
}

const oldTextOf = (e: Args | undefined): string | undefined => str(e?.old_string) ?? str(e?.oldString);
const newTextOf = (e: Args | undefined): string | undefined => str(e?.new_string) ?? str(e?.newString) ?? str(e?.new_source);
const editPatchOf = (a: Args): string | undefined => (a.old_string === undefined ? (str(a.patch) ?? str(a.diff) ?? str(a.input)) : undefined);

const edit: Describer = (a) => {
  const patch = editPatchOf(a);
  if (patch !== undefined) {
    const d = patchDescription(patch);
    return { ...d, kind: 'edit', filePath: pathOf(a) ?? d.filePath };
  }
  const edits = Array.isArray(a.edits) ? (a.edits as Args[]) : [a];
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const e of edits) {
    const d = lineDelta(oldTextOf(e) ?? '', newTextOf(e) ?? '');
    linesAdded += d.linesAdded;
    linesRemoved += d.linesRemoved;
  }
  return { kind: 'edit', filePath: pathOf(a), linesAdded, linesRemoved };
};

const applyPatchBody = (a: Args, raw: unknown): string => (typeof raw === 'string' ? raw : (str(a.input) ?? str(a.patch) ?? ''));
const applyPatch: Describer = (a, raw) => patchDescription(applyPatchBody(a, raw));

const remove: Describer = (a) => ({ kind: 'delete', filePath: pathOf(a) });

const search: Describer = (a) => ({
  kind: 'search',
  filePath: pathOf(a) ?? str(a.dir_path) ?? str(a.directory),
  searchPattern: str(a.pattern) ?? str(a.query) ?? str(a.regex) ?? str(a.glob),
});

const list: Describer = (a) => ({ kind: 'search', filePath: pathOf(a) ?? str(a.dir_path) ?? str(a.directory) });

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

/** A shell call's apply_patch body (`["apply_patch", patch]`, an `apply_patch <<'EOF'` heredoc, after `cd DIR &&`), if it is one. */
function shellPatchOf(a: Args): { patch: string; dir: string; command?: string } | undefined {
  const cmd = a.command ?? a.cmd ?? a.commands;
  if (Array.isArray(cmd) && cmd[0] === 'apply_patch' && typeof cmd[1] === 'string') return { patch: cmd[1], dir: '' };
  const command = commandString(cmd);
  if (command === undefined) return undefined;
  const m = describeShellCommand(command);
  if (m?.kind === 'patch') return { patch: m.patch, dir: m.dir, command };
  // A heredoc that never reaches its delimiter does not lex; the patch in it is still the patch.
  if (isCodexPatch(command.replace(/^\s*apply_patch\s+<<-?\s*(['"]?)\w+\1\n/, ''))) return { patch: command, dir: '', command };
  return undefined;
}

/**
 * A shell call (Claude Code Bash, Codex exec_command / shell / local_shell,
 * Gemini run_shell_command): an apply_patch is the patch's edit (see
 * patchDescription), a recognised read or search is a read or search of the
 * files it names (the rules are describeShellCommand's), anything else kind
 * 'shell'. The command is kept in every case.
 */
const shell: Describer = (a) => {
  const cmd = a.command ?? a.cmd ?? a.commands;
  const p = shellPatchOf(a);
  if (p) {
    const d = patchDescription(p.patch);
    const files = [d.filePath, ...(d.filePaths ?? [])].filter((f): f is string => f !== undefined);
    const out = withPaths({ kind: d.kind, linesAdded: d.linesAdded, linesRemoved: d.linesRemoved }, [...new Set(files)].map((f) => joinDir(p.dir, f)));
    return p.command === undefined ? out : { ...out, command: p.command };
  }
  const command = commandString(cmd);
  const m = command === undefined ? undefined : describeShellCommand(command);
  if (m?.kind === 'read') return withPaths({ kind: 'read', readOffset: m.readOffset, readLimit: m.readLimit, command }, m.paths);
  if (m?.kind === 'search') {
    const d = withPaths({ kind: 'search', searchPattern: m.pattern, command }, m.paths);
    d.filePath ??= '';
    return d;
  }
  return { kind: 'shell', command };
};

const DESCRIBERS: Record<string, Describer> = {
  read: read(false),
  notebookread: read(false),
  read_file: read(true),
  read_many_files: readMany,
  write: write,
  write_file: write,
  create_file: write,
  edit: edit,
  multiedit: edit,
  notebookedit: edit,
  replace: edit,
  str_replace: edit,
  edit_file: edit,
  apply_patch: applyPatch,
  delete: remove,
  delete_file: remove,
  remove_file: remove,
  glob: search,
  grep: search,
  grep_search: search,
  search_file_content: search,
  ls: list,
  list_directory: list,
  bash: shell,
  shell: shell,
  exec_command: shell,
  run_shell_command: shell,
  local_shell: shell,
};

const argsObject = (args: unknown): Args => (args !== null && typeof args === 'object' ? (args as Args) : {});

/** Describes a tool call; unknown tools (MCP tools, Task, WebFetch...) are kind 'other'. */
export function describeToolCall(name: string, args: unknown): ToolCallDescription {
  const describer = DESCRIBERS[String(name).toLowerCase()];
  if (!describer) return { kind: 'other' };
  const d = describer(argsObject(args), args);
  for (const k of Object.keys(d) as Array<keyof ToolCallDescription>) if (d[k] === undefined) delete d[k];
  return d;
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
 */
export function editTextsOf(name: string, args: unknown): EditTexts | undefined {
  const describer = DESCRIBERS[String(name).toLowerCase()];
  const a = argsObject(args);
  let patch: string | undefined;
  if (describer === applyPatch) patch = applyPatchBody(a, args);
  else if (describer === shell) patch = shellPatchOf(a)?.patch;
  else if (describer === edit) {
    patch = editPatchOf(a);
    if (patch === undefined) {
      const edits = Array.isArray(a.edits) ? (a.edits as Args[]) : [a];
      const olds = edits.map(oldTextOf);
      const news = edits.map(newTextOf);
      if (olds.every((t) => t === undefined) && news.every((t) => t === undefined)) return undefined;
      return { oldText: olds.map((t) => t ?? '').join('\u0000'), newText: news.map((t) => t ?? '').join('\u0000') };
    }
  }
  if (!patch) return undefined;
  const t = patchTexts(patch);
  return { oldText: t.removed, newText: t.added };
}
