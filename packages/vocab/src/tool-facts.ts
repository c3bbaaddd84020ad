/**
 * Tool facts: what a call does and what it touched, decided once (at ingest)
 * from its name and arguments, so queries read typed columns instead of
 * classifying tool names themselves.
 */
import { Buffer } from 'node:buffer';
import { stableStringify, textHash } from './canonical.js';
import { isAbsolutePath, normaliseCommand, normaliseFilePath, searchKeyOf } from './tool-keys.js';
import { vcsActionOf } from './shell.js';
import type { ToolVocabulary } from './tool-descriptors.js';
import { commandArgs, describeToolCall, editTextsOf, type ToolCallDescription } from './tools.js';

/** What a tool call does, across harnesses. */
export type ToolKind = 'read' | 'edit' | 'write' | 'delete' | 'search' | 'shell' | 'mcp' | 'skill' | 'agent' | 'other';

export const TOOL_KINDS: readonly ToolKind[] = ['read', 'edit', 'write', 'delete', 'search', 'shell', 'mcp', 'skill', 'agent', 'other'];

/** Everything ingest stores about a tool call; '' / 0 / [] when unknown. */
export interface ToolFacts {
  kind: ToolKind;
  /** The first file touched (normalised); for a search, the path searched. */
  filePath: string;
  /** Every file touched, normalised, in order, without repeats; filePath is the first. */
  filePaths: string[];
  /** First line read, 1-based; 0 = from the start. */
  readOffset: number;
  /** Lines read; 0 = to the end. */
  readLimit: number;
  command: string;
  /** The command with whitespace normalised (normaliseCommand). */
  commandKey: string;
  /** A grep/glob pattern; '' when none. */
  searchPattern: string;
  /** A search's identity (searchKeyOf); '' when the call is no search. */
  searchKey: string;
  /** textHash of the text an edit replaces; '' when not an edit or the text is unknown. */
  editOldHash: string;
  /** textHash of the text an edit writes; '' when not an edit or the text is unknown. */
  editNewHash: string;
  linesAdded: number;
  linesRemoved: number;
  /** A shell command that runs `git commit` or `git push` (vcsActionOf: 'push' when it does both), else ''. The kind stays 'shell'. */
  vcsAction: 'commit' | 'push' | '';
  /** UTF-8 bytes of the canonical arguments JSON (or of the raw argument string). */
  inputSize: number;
}

export interface ToolFactsOptions {
  /** The session's working directory: absolute paths under it become relative. @default the arguments' `workdir` or `cwd` when absolute, else none */
  cwd?: string;
  /** stableStringify(args), when the caller has it already (it is the costly part of inputSize). @default computed */
  argsJson?: string;
  /** The tool names understood (see createToolVocabulary). @default DEFAULT_TOOL_VOCABULARY */
  vocabulary?: ToolVocabulary;
}

/** What is left of a call when its arguments are not: the columns an SDK or a privacy-minded harness sends. */
export interface ToolColumns {
  toolName: string;
  /** The kind, when already decided from the arguments. @default toolKindOf(toolName, { command }) */
  kind?: ToolKind;
  /** @default '' */
  filePath?: string;
  /** Further files touched. @default [] */
  filePaths?: readonly string[];
  /** @default 0 */
  readOffset?: number;
  /** @default 0 */
  readLimit?: number;
  /** @default '' */
  command?: string;
  /** @default '' */
  searchPattern?: string;
  /** @default 0 */
  linesAdded?: number;
  /** @default 0 */
  linesRemoved?: number;
}

const DELETE_COMMAND = /^\s*(git\s+)?rm\s/;

/**
 * What a call does. The name decides MCP tools (`mcp__*`, `mcp_tool`), skills
 * (`Skill`, `activate_skill`) and subagents (`Agent`, `Task`); otherwise
 * describeToolCall's kind (a patch that only adds files is a write, one that
 * only deletes them a delete; a shell command that only reads or searches
 * files, by describeShellCommand's rules, a read or search), with a shell
 * `rm` / `git rm` a delete. `git commit` / `git push` stay 'shell' (see
 * ToolFacts.vcsAction). Names compare case-insensitively.
 * @param facts what describeToolCall said of the call. @default described from the name (and command) alone
 * @param vocabulary the tool names understood. @default DEFAULT_TOOL_VOCABULARY
 */
export function toolKindOf(toolName: string, facts: { kind?: ToolKind; command?: string } = {}, vocabulary?: ToolVocabulary): ToolKind {
  const name = toolName.toLowerCase();
  if (name.startsWith('mcp__') || name === 'mcp_tool') return 'mcp';
  if (name === 'skill' || name === 'activate_skill') return 'skill';
  if (name === 'agent' || name === 'task') return 'agent';
  const kind = facts.kind ?? describeToolCall(toolName, facts.command ? commandArgs(toolName, facts.command, vocabulary) : undefined, vocabulary).kind;
  if (kind === 'shell' && facts.command && DELETE_COMMAND.test(facts.command)) return 'delete';
  return kind;
}

function normalisedPaths(paths: readonly string[], cwd: string | undefined): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!p) continue;
    const n = normaliseFilePath(p, cwd);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * The facts of a call known only by its columns (no arguments): our SDK sends
 * fulcrum.file.path, fulcrum.command, fulcrum.search.pattern…, and Claude Code
 * with default privacy only the tool name. The kind comes from the name and
 * command, the keys from the command, pattern and path, and paths are
 * normalised; edit hashes and input size stay unknown. A shell command the
 * columns say nothing else of (a span stored with its command only) gives
 * what describeToolCall reads in it: the files a `cat`/`grep`/apply_patch…
 * names, a search's pattern, a read's range, a patch's line counts. vcsAction
 * comes from the command.
 */
export function toolFactsFromColumns(columns: ToolColumns, options: ToolFactsOptions = {}): ToolFacts {
  const command = columns.command ?? '';
  const kind = columns.kind ?? toolKindOf(columns.toolName, { command }, options.vocabulary);
  let given = [columns.filePath ?? '', ...(columns.filePaths ?? [])];
  let searchPattern = columns.searchPattern ?? '';
  let readOffset = columns.readOffset ?? 0;
  let readLimit = columns.readLimit ?? 0;
  let linesAdded = columns.linesAdded ?? 0;
  let linesRemoved = columns.linesRemoved ?? 0;
  if (command !== '' && kind !== 'shell' && given.every((p) => p === '') && searchPattern === '') {
    const d = describeToolCall(columns.toolName, commandArgs(columns.toolName, command, options.vocabulary), options.vocabulary);
    if (d.kind === kind && d.command !== undefined) {
      given = [d.filePath ?? '', ...(d.filePaths ?? [])];
      searchPattern = d.searchPattern ?? '';
      if (readOffset === 0 && readLimit === 0) [readOffset, readLimit] = [d.readOffset ?? 0, d.readLimit ?? 0];
      if (linesAdded === 0 && linesRemoved === 0) [linesAdded, linesRemoved] = [d.linesAdded ?? 0, d.linesRemoved ?? 0];
    }
  }
  const filePaths = normalisedPaths(given, options.cwd);
  const filePath = filePaths[0] ?? '';
  const commandKey = normaliseCommand(command);
  return {
    kind,
    filePath,
    filePaths,
    readOffset,
    readLimit,
    command,
    commandKey,
    searchPattern,
    searchKey: searchKeyOf({ kind, searchPattern, filePath, filePaths, commandKey, command }),
    editOldHash: '',
    editNewHash: '',
    linesAdded,
    linesRemoved,
    vcsAction: command === '' ? '' : vcsActionOf(command),
    inputSize: 0,
  };
}

/** The call's own working directory (Codex `workdir`, or `cwd`) as spelled, when absolute. Gemini's `dir_path` is a search root, not a cwd. */
export function workdirOf(args: unknown): string | undefined {
  if (args === null || typeof args !== 'object') return undefined;
  const a = args as Record<string, unknown>;
  const dir = typeof a.workdir === 'string' && a.workdir ? a.workdir : typeof a.cwd === 'string' && a.cwd ? a.cwd : undefined;
  return dir !== undefined && isAbsolutePath(dir) ? dir : undefined;
}

function pathsOf(d: ToolCallDescription, workdir: string | undefined): string[] {
  const out: string[] = [];
  for (const p of [d.filePath, ...(d.filePaths ?? [])]) {
    if (!p) continue;
    // Relative paths in the arguments are relative to the call's own workdir, which may differ from the session's.
    const full = workdir !== undefined && !isAbsolutePath(p) ? `${workdir}/${p}` : p;
    if (!out.includes(full)) out.push(full);
  }
  return out;
}

/**
 * Every file a call touches, the main one first, as its arguments spell them
 * (a relative path only prefixed with the call's own workdir). Not normalised:
 * normalising first could hide a secret from redaction (`a://b` becomes
 * `a:/b`), so a caller that stores them redacts, then normalises.
 * @param vocabulary the tool names understood. @default DEFAULT_TOOL_VOCABULARY
 */
export function filePathsOf(toolName: string, args: unknown, vocabulary?: ToolVocabulary): string[] {
  return pathsOf(describeToolCall(toolName, args, vocabulary), workdirOf(args));
}

function inputSizeOf(args: unknown, argsJson: string | undefined): number {
  if (args === undefined) return 0;
  return Buffer.byteLength(typeof args === 'string' ? args : (argsJson ?? stableStringify(args)));
}

/**
 * Everything a call's name and arguments say about it (see ToolFacts). A
 * relative path in the arguments is relative to the call's own workdir when it
 * names one, then made relative to `cwd` like any other.
 */
export function describeToolFacts(toolName: string, args: unknown, options: ToolFactsOptions = {}): ToolFacts {
  const d = describeToolCall(toolName, args, options.vocabulary);
  const workdir = workdirOf(args);
  const facts = toolFactsFromColumns(
    {
      toolName,
      kind: toolKindOf(toolName, d, options.vocabulary),
      filePaths: pathsOf(d, workdir),
      readOffset: d.readOffset,
      readLimit: d.readLimit,
      command: d.command,
      searchPattern: d.searchPattern,
      linesAdded: d.linesAdded,
      linesRemoved: d.linesRemoved,
    },
    { cwd: options.cwd ?? workdir, vocabulary: options.vocabulary },
  );
  if (facts.kind === 'edit') {
    const texts = editTextsOf(toolName, args, options.vocabulary);
    if (texts) {
      facts.editOldHash = textHash(texts.oldText);
      facts.editNewHash = textHash(texts.newText);
    }
  }
  facts.inputSize = inputSizeOf(args, options.argsJson);
  return facts;
}
