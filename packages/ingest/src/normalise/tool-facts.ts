import { Buffer } from 'node:buffer';
import { describeToolFacts, filePathsOf, FULCRUM, GEN_AI, TOOL_KINDS, toolFactsFromColumns, type ToolKind } from '@fulcrum/vocab';
import type { SpanRow, SpanType } from '@fulcrum/store';
import { cwdOf, parseJson } from './tool-detail.js';

/** Span types that are calls of a tool: they get a ToolKind; every other row gets ''. */
const TOOL_SPAN_TYPES: ReadonlySet<SpanType> = new Set(['tool', 'mcp', 'skill', 'agent']);

/** An MCP, skill or agent row is that kind whatever its tool name says (our SDK names MCP tools plainly). */
const kindOfSpanType = (t: SpanType): ToolKind | undefined => (t === 'mcp' || t === 'skill' || t === 'agent' ? t : undefined);

/** The kind the harness declared (fulcrum.tool.kind: a tool it mapped itself), when it names a kind. */
function declaredKind(row: SpanRow): ToolKind | undefined {
  const k = row.SpanAttributes[FULCRUM.TOOL_KIND];
  return k !== undefined && (TOOL_KINDS as readonly string[]).includes(k) ? (k as ToolKind) : undefined;
}

export interface FinishToolFactsOptions {
  /** The agent's working directory. @default process.working_directory on the span, else on the resource (see cwdOf) */
  cwd?: string;
}

/**
 * Decides a tool row's facts once, before it is written, whatever its source
 * (OTLP spans, harness events, transcripts): ToolKind, FilePaths, CommandKey,
 * SearchKey, and FilePath normalised against the working directory. What
 * fillToolDetail took from full arguments is kept; a row that never had them
 * (our SDK sends fulcrum.tool.args and typed attributes, Claude Code with
 * default privacy only the tool name) is decided from its arguments attribute
 * when that still parses, else from its columns. Keys are rebuilt every time
 * from the (redacted) columns, so running it again on a merged row is safe.
 */
export function finishToolFacts(row: SpanRow, options: FinishToolFactsOptions = {}): void {
  if (!TOOL_SPAN_TYPES.has(row.SpanType)) {
    row.ToolKind = '';
    return;
  }
  const cwd = options.cwd ?? cwdOf(row);
  if (row.InputSize === 0) fillFromArgsAttribute(row);
  const declared = declaredKind(row);
  if (declared !== undefined) row.ToolKind = declared;
  const fromArgs = (row.InputSize > 0 || declared !== undefined) && row.ToolKind !== '';
  const f = toolFactsFromColumns(
    {
      toolName: row.ToolName,
      kind: kindOfSpanType(row.SpanType) ?? (fromArgs ? (row.ToolKind as ToolKind) : undefined),
      filePath: row.FilePath,
      filePaths: row.FilePaths,
      command: row.Command,
      searchPattern: row.SearchPattern,
    },
    { cwd },
  );
  row.ToolKind = f.kind;
  row.FilePath = f.filePath;
  row.FilePaths = f.filePaths;
  row.CommandKey = f.commandKey;
  row.SearchKey = f.searchKey;
  row.VcsAction = f.vcsAction;
}

/**
 * Kind, files, edit hashes and input size from the arguments attribute, for
 * rows fillToolDetail never saw arguments for (our SDK's spans). The attribute
 * is already redacted here, so its paths may be taken as they are.
 */
function fillFromArgsAttribute(row: SpanRow): void {
  const raw = row.SpanAttributes[FULCRUM.TOOL_ARGS] ?? row.SpanAttributes[GEN_AI.TOOL_CALL_ARGUMENTS];
  if (raw === undefined || raw === '') return;
  const args = parseJson(raw);
  // Truncated arguments (the SDK cuts them at 1 KiB by default) no longer parse: only their size is known.
  if (args === undefined) {
    row.InputSize = Buffer.byteLength(raw);
    return;
  }
  const f = describeToolFacts(row.ToolName, args);
  row.ToolKind ||= f.kind;
  if (row.FilePaths.length === 0) row.FilePaths = filePathsOf(row.ToolName, args);
  row.EditOldHash ||= f.editOldHash;
  row.EditNewHash ||= f.editNewHash;
  row.InputSize = f.inputSize;
}
