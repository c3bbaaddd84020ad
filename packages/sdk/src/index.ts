export { GEN_AI, GEN_AI_OPERATION, MCP, GENERAL, FULCRUM, SPAN_TYPES } from './conventions.js';
export type { SpanType } from './conventions.js';
export { createRedactor, redact, MIN_SECRET_LENGTH } from './redact.js';
export type { CustomPattern, Redactor, RedactorOptions } from './redact.js';
export { DEFAULT_PRICES, createPriceTable, findPrice, normaliseModelName, priceModelCall } from './prices.js';
export type { ModelCallCost, ModelCallUsage, ModelPrice, PriceTable } from './prices.js';
export { commandString, describeToolCall } from './tools.js';
export type { ToolCallDescription, ToolKind } from './tools.js';
export { argsHash, canonicalArgs, stableStringify, truncate, TRUNCATED_MARKER } from './canonical.js';
export { countLines, isCodexPatch, lineDelta, patchStats } from './diff.js';
export type { LineDelta, PatchStats } from './diff.js';
export { startTracing } from './start.js';
export type { StartTracingOptions, TracingHandle } from './start.js';
export { DEFAULT_ENDPOINT, exporterHeaders, parseKeyValueList, tracesUrl } from './otel-env.js';
export type { Env } from './otel-env.js';
export { configureWrappers, getSettings, getTracer, resetWrappers, TRACER_NAME, TRACER_VERSION } from './state.js';
export type { WrapperSettings } from './state.js';
export { recordFailure, runInSpan } from './run.js';
export type { ResultHook, SpanSpec } from './run.js';
export { getSessionId, setSessionId, SESSION_ID_KEY } from './session-context.js';
export { SessionSpanProcessor } from './session-processor.js';
export { prepareSpanForExport, RedactingSpanProcessor } from './redacting-processor.js';
export { RedactingSpanExporter } from './redacting-exporter.js';
export type { RedactingSpanExporterOptions } from './redacting-exporter.js';
export type { RedactingSpanProcessorOptions } from './redacting-processor.js';
export { traceSubagent, withSession } from './session.js';
export type { SessionMeta, SubagentMeta } from './session.js';
export { recordUsage, traceModelCall } from './model-call.js';
export type { ModelCallMeta } from './model-call.js';
export { extractUsage } from './usage.js';
export type { TokenUsage } from './usage.js';
export { isErrorResult, recordToolResult, resultSize, toolCallAttributes, traceToolCall } from './tool-call.js';
export type { ToolCallMeta } from './tool-call.js';
export { traceSkill } from './skill.js';
export { instrumentMcpClient, traceMcpCall } from './mcp.js';
export type { InstrumentMcpClientOptions, McpCallMeta, McpClientLike } from './mcp.js';
export { claudeAgentHooks } from './claude-agent.js';
export type { ClaudeAgentHooksOptions, ClaudeAgentTracing } from './claude-agent.js';
export type {
  ClaudeHookBaseInput,
  ClaudeHookCallback,
  ClaudeHookEvent,
  ClaudeHookInput,
  ClaudeHookMatcher,
  ClaudeHooks,
  PostToolUseFailureInput,
  PostToolUseInput,
  PreToolUseInput,
  SessionEndInput,
  SessionStartInput,
  SubagentStartInput,
  SubagentStopInput,
} from './claude-agent-types.js';
