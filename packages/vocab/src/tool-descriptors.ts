/**
 * The tool vocabulary: which tool names Fulcrum understands and which of their
 * argument keys hold a path, a command, a pattern, the old and new text of an
 * edit... One data table for every harness (BUILT_IN_TOOLS), and the same
 * descriptor shape for a harness's own tools (createToolVocabulary), so a
 * custom mapping is read by exactly the code that reads Claude Code's Edit.
 */

/** An argument key, or several tried in order. `a.b` reaches into a nested object (an exact `a.b` key wins). */
export type ArgKeys = string | readonly string[];

/** What a descriptor says a tool does (the name decides mcp, skill and agent; see toolKindOf). */
export type DescriptorKind = 'read' | 'write' | 'edit' | 'delete' | 'search' | 'shell' | 'patch' | 'other';

/**
 * How to read one tool's arguments. Every key field names the argument(s)
 * holding that fact; a field left out means the tool has no such argument.
 * Where several keys are given, the first with a usable value wins.
 */
export interface ToolDescriptor {
  /**
   * - `read`: reads `path` (or the array at `paths`), lines from the range fields.
   * - `write`: writes `content` to `path`: its lines are lines added.
   * - `edit`: replaces `oldText` by `newText` in `path` (lines added and removed,
   *   common leading and trailing lines excluded), for each element of the
   *   `edits` array when there is one; or applies the unified diff or Codex
   *   patch at `patch` when no `oldText` is given.
   * - `patch`: applies the Codex patch or unified diff at `patch` (a bare
   *   string argument is the patch itself); a patch that only adds files is a
   *   write, one that only deletes them a delete, else an edit.
   * - `delete`: deletes `path`.
   * - `search`: searches `path` (none: the working directory) for `pattern`.
   * - `shell`: runs `command` (a string, or an argv array): a `cat`, `sed -n`,
   *   `grep`, `rg`, `find`… or an `apply_patch` heredoc is described as the
   *   read, search or edit it is (see describeShellCommand).
   * - `other`: a tool Fulcrum knows and counts nothing for.
   */
  kind: DescriptorKind;
  /** The file (or, for a search, the directory) the tool works on. Default: none. */
  path?: ArgKeys;
  /** An array of files the tool reads. Default: none. */
  paths?: ArgKeys;
  /** A shell command line, or an argv array. Default: none. */
  command?: ArgKeys;
  /** A search's pattern (regex, glob or query). Default: none. */
  pattern?: ArgKeys;
  /** The whole text a write writes. Default: none. */
  content?: ArgKeys;
  /** The text an edit replaces. Default: none (an insertion). */
  oldText?: ArgKeys;
  /** The text an edit writes in its place. Default: none. */
  newText?: ArgKeys;
  /** An array of edits, each with the oldText/newText keys. Default: none. */
  edits?: ArgKeys;
  /** A unified diff or Codex patch. Default: none. */
  patch?: ArgKeys;
  /** The first line read, 1-based. Default: none. */
  startLine?: ArgKeys;
  /** The lines skipped before reading (0-based offset: 0 is line 1). Default: none. */
  offset?: ArgKeys;
  /** The number of lines read. Default: none (to the end). */
  limit?: ArgKeys;
  /** The last line read, 1-based and inclusive. Default: none. */
  endLine?: ArgKeys;
  /** A `[first, last]` array, 1-based, last -1 meaning to the end. Default: none. */
  lineRange?: ArgKeys;
}

/** A tool whose meaning depends on one argument, as Anthropic's text editor's on `command`. */
export interface ToolVariants {
  /** The argument whose (string) value picks the descriptor. */
  by: string;
  /** A descriptor per value; any other value is kind `other`. */
  cases: Readonly<Record<string, ToolDescriptor>>;
}

export type ToolMapping = ToolDescriptor | ToolVariants;

/** Tool name → mapping; names compare case-insensitively. */
export type ToolMappings = Readonly<Record<string, ToolMapping>>;

/** A key compiled once: the name, and its path when it is dotted. */
export interface CompiledKey {
  name: string;
  path?: readonly string[];
}

/** A descriptor with its keys compiled (what describeToolCall reads). */
export type CompiledDescriptor = { kind: DescriptorKind } & {
  [F in KeyField]?: readonly CompiledKey[];
};

export type CompiledMapping = { descriptor: CompiledDescriptor } | { by: string; cases: ReadonlyMap<string, CompiledDescriptor> };

const KEY_FIELDS = ['path', 'paths', 'command', 'pattern', 'content', 'oldText', 'newText', 'edits', 'patch', 'startLine', 'offset', 'limit', 'endLine', 'lineRange'] as const;
type KeyField = (typeof KEY_FIELDS)[number];
const DESCRIPTOR_KINDS: readonly DescriptorKind[] = ['read', 'write', 'edit', 'delete', 'search', 'shell', 'patch', 'other'];

// The key lists the harnesses share.
const PATH = ['file_path', 'absolute_path', 'filePath', 'notebook_path', 'path', 'file'] as const;
const SEARCH_PATH = [...PATH, 'dir_path', 'directory'] as const;
const PATTERN = ['pattern', 'query', 'regex', 'glob'] as const;
const COMMAND = ['command', 'cmd', 'commands'] as const;
const CONTENT = ['content', 'contents', 'text'] as const;

const READ: ToolDescriptor = { kind: 'read', path: PATH, startLine: 'offset', limit: 'limit' };
const WRITE: ToolDescriptor = { kind: 'write', path: PATH, content: CONTENT };
const EDIT: ToolDescriptor = {
  kind: 'edit',
  path: PATH,
  oldText: ['old_string', 'oldString'],
  newText: ['new_string', 'newString', 'new_source'],
  edits: 'edits',
  patch: ['patch', 'diff', 'input'],
};
const SEARCH: ToolDescriptor = { kind: 'search', path: SEARCH_PATH, pattern: PATTERN };
const LIST: ToolDescriptor = { kind: 'search', path: SEARCH_PATH };
const SHELL: ToolDescriptor = { kind: 'shell', command: COMMAND };
const OTHER: ToolDescriptor = { kind: 'other' };

/** Anthropic's text editor tool (text_editor_20241022 … 20250728): `command` picks the operation. */
const TEXT_EDITOR: ToolVariants = {
  by: 'command',
  cases: {
    view: { kind: 'read', path: 'path', lineRange: 'view_range' },
    create: { kind: 'write', path: 'path', content: 'file_text' },
    str_replace: { kind: 'edit', path: 'path', oldText: 'old_str', newText: 'new_str' },
    // The model sends insert_text; the documentation (and older versions) say new_str.
    insert: { kind: 'edit', path: 'path', newText: ['insert_text', 'new_str'] },
    // Reverts the last edit: which lines, the arguments do not say.
    undo_edit: { kind: 'edit', path: 'path' },
  },
};

/**
 * Every tool name Fulcrum understands out of the box, by harness. Names compare
 * case-insensitively (Claude Code's `Read` and a generic `read` are one entry);
 * a name two harnesses share (Glob and glob, Bash and bash) has one mapping.
 */
export const BUILT_IN_TOOLS: ReadonlyArray<{ names: readonly string[]; mapping: ToolMapping; harness: string }> = [
  // Claude Code (Read's offset is a 1-based line), and the same names in lower case.
  { harness: 'Claude Code', names: ['Read', 'NotebookRead'], mapping: READ },
  { harness: 'Claude Code', names: ['Write'], mapping: WRITE },
  { harness: 'Claude Code', names: ['Edit', 'MultiEdit', 'NotebookEdit'], mapping: EDIT },
  { harness: 'Claude Code', names: ['Glob', 'Grep'], mapping: SEARCH },
  { harness: 'Claude Code', names: ['LS'], mapping: LIST },
  { harness: 'Claude Code', names: ['Bash'], mapping: SHELL },
  {
    harness: 'Claude Code',
    names: ['Task', 'Agent', 'Skill', 'WebFetch', 'WebSearch', 'TodoWrite', 'ExitPlanMode', 'EnterPlanMode', 'BashOutput', 'KillShell', 'KillBash', 'SlashCommand', 'AskUserQuestion', 'ListMcpResourcesTool', 'ReadMcpResourceTool'],
    mapping: OTHER,
  },
  // Anthropic API tools: the text editor under both its names, bash (`command`, or `restart` alone).
  { harness: 'Anthropic API', names: ['str_replace_based_edit_tool', 'str_replace_editor'], mapping: TEXT_EDITOR },
  { harness: 'Anthropic API', names: ['bash'], mapping: SHELL },
  { harness: 'Anthropic API', names: ['web_search', 'code_execution', 'computer', 'memory'], mapping: OTHER },
  // Codex: apply_patch's argument is the patch (JSON `input`, or the freeform text itself).
  { harness: 'Codex', names: ['apply_patch'], mapping: { kind: 'patch', patch: ['input', 'patch'] } },
  { harness: 'Codex', names: ['shell', 'shell_command', 'exec_command', 'container.exec'], mapping: SHELL },
  { harness: 'Codex', names: ['local_shell'], mapping: { kind: 'shell', command: [...COMMAND, 'action.command'] } },
  { harness: 'Codex', names: ['list_dir'], mapping: LIST },
  { harness: 'Codex', names: ['grep_files'], mapping: SEARCH },
  { harness: 'Codex', names: ['update_plan', 'view_image', 'write_stdin'], mapping: OTHER },
  // Gemini CLI: read_file is 1-based start_line/end_line since 0.x, a 0-based offset/limit before.
  { harness: 'Gemini CLI', names: ['read_file'], mapping: { kind: 'read', path: PATH, startLine: 'start_line', endLine: 'end_line', offset: 'offset', limit: 'limit' } },
  { harness: 'Gemini CLI', names: ['read_many_files'], mapping: { kind: 'read', paths: 'paths' } },
  { harness: 'Gemini CLI', names: ['write_file'], mapping: WRITE },
  { harness: 'Gemini CLI', names: ['replace'], mapping: EDIT },
  { harness: 'Gemini CLI', names: ['grep_search', 'search_file_content', 'glob'], mapping: SEARCH },
  { harness: 'Gemini CLI', names: ['list_directory'], mapping: LIST },
  { harness: 'Gemini CLI', names: ['run_shell_command'], mapping: SHELL },
  {
    harness: 'Gemini CLI',
    names: ['web_fetch', 'google_web_search', 'save_memory', 'write_todos', 'activate_skill', 'ask_user', 'enter_plan_mode', 'exit_plan_mode', 'get_internal_docs'],
    mapping: OTHER,
  },
  // Generic names other harnesses use.
  { harness: 'generic', names: ['view'], mapping: { kind: 'read', path: PATH, lineRange: 'view_range', startLine: 'offset', limit: 'limit' } },
  { harness: 'generic', names: ['create_file'], mapping: WRITE },
  { harness: 'generic', names: ['str_replace', 'edit_file'], mapping: EDIT },
  { harness: 'generic', names: ['delete', 'delete_file', 'remove_file'], mapping: { kind: 'delete', path: PATH } },
  { harness: 'generic', names: ['run_command', 'execute_command'], mapping: SHELL },
];

const isVariants = (m: ToolMapping): m is ToolVariants => 'by' in m && 'cases' in m;

/** The problem with a mapping, or undefined when it is usable. */
function problemOf(m: unknown, nested = false): string | undefined {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'is not an object';
  if (!nested && isVariants(m as ToolMapping)) {
    const v = m as ToolVariants;
    if (typeof v.by !== 'string' || v.by === '') return '`by` is not an argument name';
    if (v.cases === null || typeof v.cases !== 'object') return '`cases` is not an object';
    for (const [value, d] of Object.entries(v.cases)) {
      const p = problemOf(d, true);
      if (p) return `case ${JSON.stringify(value)} ${p}`;
    }
    return undefined;
  }
  const d = m as ToolDescriptor;
  if (!DESCRIPTOR_KINDS.includes(d.kind)) return `has kind ${JSON.stringify(d.kind)}, not one of ${DESCRIPTOR_KINDS.join(', ')}`;
  for (const f of KEY_FIELDS) {
    const keys = d[f];
    if (keys === undefined) continue;
    const list = typeof keys === 'string' ? [keys] : keys;
    if (!Array.isArray(list) || !list.every((k) => typeof k === 'string' && k !== '')) return `has \`${f}\` that is not an argument name or a list of them`;
  }
  return undefined;
}

function compileDescriptor(d: ToolDescriptor): CompiledDescriptor {
  const out: { -readonly [F in keyof CompiledDescriptor]: CompiledDescriptor[F] } = { kind: d.kind };
  for (const f of KEY_FIELDS) {
    const keys = d[f];
    if (keys === undefined) continue;
    out[f] = (typeof keys === 'string' ? [keys] : keys).map((name) => (name.includes('.') ? { name, path: name.split('.') } : { name }));
  }
  return out;
}

function compile(m: ToolMapping): CompiledMapping {
  if (!isVariants(m)) return { descriptor: compileDescriptor(m) };
  return { by: m.by, cases: new Map(Object.entries(m.cases).map(([value, d]) => [value, compileDescriptor(d)])) };
}

interface Entry {
  mapping: ToolMapping;
  compiled: CompiledMapping;
}

/** A vocabulary's entries by lower-case name, and the lookups made so far by the name as written (one Map get per call, no lower-casing). */
interface Table {
  byLowerName: ReadonlyMap<string, Entry>;
  byName: Map<string, Entry | null>;
}

const tables = new WeakMap<ToolVocabulary, Table>();

/** Names remembered per vocabulary as written: a harness has a few dozen tools; a bound keeps odd callers from growing it. */
const MAX_NAMES_REMEMBERED = 512;

function entryOf(table: Table, name: string): Entry | undefined {
  let entry = table.byName.get(name);
  if (entry === undefined) {
    entry = table.byLowerName.get(String(name).toLowerCase()) ?? null;
    if (typeof name === 'string' && table.byName.size < MAX_NAMES_REMEMBERED) table.byName.set(name, entry);
  }
  return entry ?? undefined;
}

/** The tool names a describer understands; make one with createToolVocabulary. */
export class ToolVocabulary {
  /** Custom entries left out, each with why (a bad kind, a key that is not a string...). */
  readonly rejected: readonly string[];

  /** @internal use createToolVocabulary */
  constructor(table: ReadonlyMap<string, Entry>, rejected: readonly string[]) {
    tables.set(this, { byLowerName: table, byName: new Map() });
    this.rejected = rejected;
  }

  /** True when the vocabulary maps this tool name (case-insensitively), even to kind `other`. */
  knows(name: string): boolean {
    return entryOf(tables.get(this)!, name) !== undefined;
  }

  /** The mapping for a tool name, as given. */
  mappingOf(name: string): ToolMapping | undefined {
    return entryOf(tables.get(this)!, name)?.mapping;
  }
}

/** The compiled mapping describeToolCall reads. */
export function compiledMappingOf(vocabulary: ToolVocabulary, name: string): CompiledMapping | undefined {
  const table = tables.get(vocabulary);
  return table === undefined ? undefined : entryOf(table, name)?.compiled;
}

function builtInTable(): Map<string, Entry> {
  const table = new Map<string, Entry>();
  for (const { names, mapping } of BUILT_IN_TOOLS) {
    const compiled = compile(mapping);
    for (const n of names) if (!table.has(n.toLowerCase())) table.set(n.toLowerCase(), { mapping, compiled });
  }
  return table;
}

/** The built-in tools only (see BUILT_IN_TOOLS). */
export const DEFAULT_TOOL_VOCABULARY: ToolVocabulary = new ToolVocabulary(builtInTable(), []);

/**
 * The built-in tools plus a harness's own: each name (compared
 * case-insensitively) maps to a descriptor, or to variants picked by one
 * argument; a custom name replaces a built-in one. An unusable entry is left
 * out and listed in `rejected` instead of throwing, so a typo in a mapping
 * never stops the host.
 * @example createToolVocabulary({ my_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' }, sh: { kind: 'shell', command: 'cmd' } })
 */
export function createToolVocabulary(tools: ToolMappings = {}): ToolVocabulary {
  const table = builtInTable();
  const rejected: string[] = [];
  if (tools === null || typeof tools !== 'object') return new ToolVocabulary(table, ['tools is not an object of tool name → mapping']);
  for (const [name, mapping] of Object.entries(tools)) {
    const problem = problemOf(mapping);
    if (problem !== undefined) {
      rejected.push(`tool ${JSON.stringify(name)} ${problem}`);
      continue;
    }
    table.set(name.toLowerCase(), { mapping, compiled: compile(mapping) });
  }
  return new ToolVocabulary(table, rejected);
}
