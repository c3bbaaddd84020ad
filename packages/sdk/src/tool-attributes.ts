/** The attributes describing a tool call before it runs (shared by the eager and deferred paths). */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import {
  argsHash,
  DEFAULT_TOOL_VOCABULARY,
  describeToolCall,
  FULCRUM,
  GEN_AI,
  GEN_AI_OPERATION,
  guessToolDescriptor,
  stableStringify,
  toolKindOf,
  truncate,
  type ToolDescriptor,
  type ToolGuess,
  type ToolVocabulary,
} from '@fulcrum/vocab';
import { warn, warnOnce } from './log.js';
import { getSettings, type WrapperSettings } from './state.js';

export interface ToolCallMeta {
  /** gen_ai.tool.name, e.g. Read, Bash, apply_patch. */
  name: string;
  /** gen_ai.tool.call.id. Default: none. */
  id?: string;
  /** Tool arguments; canonicalised, redacted and truncated into fulcrum.tool.args. Default: none. */
  args?: unknown;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

export type EmitAttribute = (key: string, value: AttributeValue) => void;

/**
 * Emits the wrapper's own attributes for a tool call, in order (meta.attributes
 * excluded): the constants, then canonical args, hash and what describeToolCall
 * finds. Never throws: arguments that throw when read (a getter, a proxy trap)
 * leave out what depends on them, with one warning per process. Returns false then.
 */
export function emitToolAttributes(meta: ToolCallMeta, settings: WrapperSettings, emit: EmitAttribute): boolean {
  emit(GEN_AI.OPERATION_NAME, GEN_AI_OPERATION.EXECUTE_TOOL);
  emit(GEN_AI.TOOL_NAME, meta.name);
  emit(FULCRUM.SPAN_TYPE, 'tool');
  if (meta.id !== undefined) emit(GEN_AI.TOOL_CALL_ID, meta.id);
  try {
    emitArgumentAttributes(meta, settings, emit);
    return true;
  } catch {
    warnOnce('tool-arguments-unreadable', `the arguments of a ${JSON.stringify(String(meta.name))} tool call threw when read; its span is recorded without argument attributes (this warning is shown once).`);
    return false;
  }
}

/** What the arguments say: canonical args and hash, then describeToolCall's facts. */
function emitArgumentAttributes(meta: ToolCallMeta, settings: WrapperSettings, emit: EmitAttribute): void {
  const { redactor, maxArgsLength } = settings;
  if (meta.args !== undefined) {
    const canonical = redactor(stableStringify(meta.args));
    emit(FULCRUM.TOOL_ARGS, truncate(canonical, maxArgsLength));
    emit(FULCRUM.TOOL_ARGS_HASH, argsHash(canonical));
  }
  const tools = settings.tools ?? DEFAULT_TOOL_VOCABULARY;
  const d = describeToolCall(meta.name, meta.args, tools);
  if (d.kind === 'other') hintUnmappedTool(meta.name, meta.args, tools);
  // Ingest reads tools with the built-in vocabulary: a kind only the harness's own mapping gives must travel with the span.
  if (tools !== DEFAULT_TOOL_VOCABULARY && d.kind !== 'other' && tools.mappingOf(meta.name) !== DEFAULT_TOOL_VOCABULARY.mappingOf(meta.name)) {
    emit(FULCRUM.TOOL_KIND, d.kind);
  }
  if (d.filePath !== undefined) emit(FULCRUM.FILE_PATH, d.filePath);
  if (d.readOffset !== undefined) emit(FULCRUM.READ_OFFSET, d.readOffset);
  if (d.readLimit !== undefined) emit(FULCRUM.READ_LIMIT, d.readLimit);
  if (d.command !== undefined) emit(FULCRUM.COMMAND, truncate(redactor(d.command), maxArgsLength));
  if (d.searchPattern !== undefined) emit(FULCRUM.SEARCH_PATTERN, d.searchPattern);
  if (d.linesAdded !== undefined) emit(FULCRUM.LINES_ADDED, d.linesAdded);
  if (d.linesRemoved !== undefined) emit(FULCRUM.LINES_REMOVED, d.linesRemoved);
}

/** Attributes describing a tool call before it runs, with the settings in force (default: current). */
export function toolCallAttributes(meta: ToolCallMeta, settings: WrapperSettings = getSettings()): Attributes {
  const attrs: Attributes = { ...meta.attributes };
  emitToolAttributes(meta, settings, (key, value) => {
    attrs[key] = value;
  });
  return attrs;
}

/** Tool names hinted at already: once per name per process, and never more than this many names. */
const hinted = new Set<string>();
const MAX_HINTED = 200;

const WHAT_IS_LOST: Record<ToolGuess['looksLike'], string> = {
  edit: 'an edit, so its lines are not counted',
  write: 'a file write, so its lines are not counted',
  read: 'a file read, so its file and re-reads of it are not tracked',
  shell: 'a shell command, so its command is not recorded',
};

const quote = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const propertyName = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name));

/** A descriptor as the object literal a user would write: `{ kind: 'edit', path: 'file' }`. */
function literal(d: ToolDescriptor): string {
  const fields = Object.entries(d).map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map((x: string) => quote(x)).join(', ')}]` : quote(String(v))}`);
  return `{ ${fields.join(', ')} }`;
}

/**
 * Tells the harness author, once per tool name, that a tool the vocabulary
 * does not know has arguments that look like an edit, a write, a read or a
 * shell command, and how to map it. MCP tools, skills and subagents are
 * decided by name and never hinted at. Never throws.
 */
function hintUnmappedTool(name: string, args: unknown, tools: ToolVocabulary): void {
  if (hinted.has(name) || hinted.size >= MAX_HINTED) return;
  try {
    if (tools.knows(name) || toolKindOf(name, { kind: 'other' }) !== 'other') return;
    const guess = guessToolDescriptor(args);
    if (guess === undefined) return;
    hinted.add(name);
    warn(
      `tool ${JSON.stringify(name)} is not in the tool vocabulary; its arguments look like ${WHAT_IS_LOST[guess.looksLike]}. ` +
        `Map it with startTracing({ tools: { ${propertyName(name)}: ${literal(guess.descriptor)} } })`,
    );
  } catch {
    // A hint is worth less than the span: arguments that throw on access get none.
  }
}
