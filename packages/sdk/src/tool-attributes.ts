/** The attributes describing a tool call before it runs (shared by the eager and deferred paths). */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { argsHash, describeToolCall, FULCRUM, GEN_AI, GEN_AI_OPERATION, stableStringify, truncate } from '@fulcrum/vocab';
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
 * excluded): the constants, then canonical args, hash and what describeToolCall finds.
 */
export function emitToolAttributes(meta: ToolCallMeta, settings: WrapperSettings, emit: EmitAttribute): void {
  const { redactor, maxArgsLength } = settings;
  emit(GEN_AI.OPERATION_NAME, GEN_AI_OPERATION.EXECUTE_TOOL);
  emit(GEN_AI.TOOL_NAME, meta.name);
  emit(FULCRUM.SPAN_TYPE, 'tool');
  if (meta.id !== undefined) emit(GEN_AI.TOOL_CALL_ID, meta.id);
  if (meta.args !== undefined) {
    const canonical = redactor(stableStringify(meta.args));
    emit(FULCRUM.TOOL_ARGS, truncate(canonical, maxArgsLength));
    emit(FULCRUM.TOOL_ARGS_HASH, argsHash(canonical));
  }
  const d = describeToolCall(meta.name, meta.args);
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
