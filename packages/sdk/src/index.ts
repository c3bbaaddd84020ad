// The shared vocabulary lives in @fulcrum/vocab; re-exported so SDK users import one package.
export { GEN_AI, GEN_AI_OPERATION, MCP, GENERAL, FULCRUM, SPAN_TYPES } from '@fulcrum/vocab';
export type { SpanType } from '@fulcrum/vocab';
export { createRedactor, redact, MIN_SECRET_LENGTH } from '@fulcrum/vocab';
export type { CustomPattern, Redactor, RedactorOptions } from '@fulcrum/vocab';
export { DEFAULT_PRICES, createPriceTable, findPrice, normaliseModelName, priceModelCall } from '@fulcrum/vocab';
export type { ModelCallCost, ModelCallUsage, ModelPrice, PriceTable } from '@fulcrum/vocab';
export { commandString, describeToolCall } from '@fulcrum/vocab';
export type { ToolCallDescription, ToolKind } from '@fulcrum/vocab';
export { BUILT_IN_TOOLS, createToolVocabulary, DEFAULT_TOOL_VOCABULARY, ToolVocabulary } from '@fulcrum/vocab';
export type { ArgKeys, DescriptorKind, ToolDescriptor, ToolMapping, ToolMappings, ToolVariants } from '@fulcrum/vocab';
export { argsHash, canonicalArgs, stableStringify, truncate, TRUNCATED_MARKER } from '@fulcrum/vocab';
export { countLines, isCodexPatch, lineDelta, patchStats } from '@fulcrum/vocab';
export type { LineDelta, PatchStats } from '@fulcrum/vocab';
export { startTracing } from './start.js';
export type { StartTracingOptions, TracingHandle } from './start.js';
export type { HarnessDescription } from './resource.js';
export { belongsToSession, fulcrumSpanProcessors } from './host-provider.js';
export type { FulcrumProcessors, FulcrumSpanProcessorsOptions } from './host-provider.js';
export type { ExportOptions } from './pipeline.js';
export type { WrapperOptions } from './wrapper-options.js';
export { DEFAULT_BATCH, FulcrumBatchSpanProcessor } from './batch-processor.js';
export type { BatchOptions, ExportReport } from './batch-processor.js';
export { AsyncLocalContextManager } from './context-manager.js';
export type { FulcrumLogger } from './log.js';
export { DEFAULT_ENDPOINT, exporterHeaders, parseKeyValueList, tracesUrl } from './otel-env.js';
export type { Env } from './otel-env.js';
export { activeContext, configureWrappers, getSettings, getTracer, resetWrappers, TRACER_NAME, TRACER_VERSION, withContext } from './state.js';
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
export { inModelCall, recordUsage, traceModelCall } from './model-call.js';
export type { ModelCallMeta } from './model-call.js';
export { extractUsage } from './usage.js';
export type { TokenUsage, UsageFormat } from './usage.js';
export { isAsyncIterable, isEventStream, observeStream } from './stream.js';
export type { StreamEnd, StreamObserver } from './stream.js';
export { StreamUsage } from './stream-usage.js';
export { instrumentAnthropic } from './instrument-anthropic.js';
export type { AnthropicClientLike, InstrumentAnthropicOptions } from './instrument-anthropic.js';
export { instrumentOpenAI } from './instrument-openai.js';
export type { InstrumentOpenAIOptions, OpenAIClientLike } from './instrument-openai.js';
export { instrumentGoogleGenAI } from './instrument-google.js';
export type { GoogleGenAIClientLike, InstrumentGoogleGenAIOptions } from './instrument-google.js';
export type { InstrumentClientOptions } from './instrument-client.js';
export { isErrorResult, recordToolResult, resultSize, toolCallAttributes, traceToolCall } from './tool-call.js';
export type { ToolCallMeta } from './tool-call.js';
export { traceSkill } from './skill.js';
export { instrumentMcpClient, traceMcpCall } from './mcp.js';
export type { InstrumentMcpClientOptions, McpCallMeta, McpClientLike } from './mcp.js';
export { mcpTraceMeta, withMcpTraceContext } from './mcp-propagation.js';
export { continueMcpTrace, traceMcpToolHandler } from './mcp-server.js';
export type { McpServerCallMeta, McpServerRequestLike, McpToolHandlerMeta } from './mcp-server.js';
export { claudeAgentHooks, claudeAgentTracing } from './claude-agent.js';
export type { ClaudeAgentHooksOptions, ClaudeAgentTracing, ClaudeAgentTracingOptions } from './claude-agent.js';
export type {
  ClaudeHookBaseInput,
  ClaudeHookCallback,
  ClaudeHookEvent,
  ClaudeHookEventInput,
  ClaudeHookInput,
  ClaudeHookMatcher,
  ClaudeHooks,
  ClaudeTracedHookEvent,
  PostToolUseFailureInput,
  PostToolUseInput,
  PreToolUseInput,
  SessionEndInput,
  SessionStartInput,
  SubagentStartInput,
  SubagentStopInput,
} from './claude-agent-types.js';
