/**
 * The one place every attribute Fulcrum reads or writes is named.
 *
 * OpenTelemetry GenAI semantic conventions v1.41 and the MCP conventions come
 * first; only what they lack lives under the `fulcrum.` prefix. The SDK writes
 * these names and the ingest normaliser reads them, so both import this file
 * (through @fulcrum/vocab).
 * docs/conventions.md explains each one for people.
 */

/** GenAI semantic conventions (v1.41). */
export const GEN_AI = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Deprecated in favour of gen_ai.provider.name, still sent by older clients. */
  SYSTEM: 'gen_ai.system',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_ID: 'gen_ai.response.id',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_ID: 'gen_ai.agent.id',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_TYPE: 'gen_ai.tool.type',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  /** Older spellings some clients still send. */
  USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
} as const;

/** Values of gen_ai.operation.name. */
export const GEN_AI_OPERATION = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  GENERATE_CONTENT: 'generate_content',
  EXECUTE_TOOL: 'execute_tool',
  INVOKE_AGENT: 'invoke_agent',
  CREATE_AGENT: 'create_agent',
  EMBEDDINGS: 'embeddings',
} as const;

/** MCP semantic conventions. */
export const MCP = {
  METHOD_NAME: 'mcp.method.name',
  SESSION_ID: 'mcp.session.id',
  RESOURCE_URI: 'mcp.resource.uri',
  PROMPT_NAME: 'gen_ai.prompt.name',
  PROTOCOL_VERSION: 'mcp.protocol.version',
  JSONRPC_REQUEST_ID: 'jsonrpc.request.id',
} as const;

/** General conventions we read. */
export const GENERAL = {
  ERROR_TYPE: 'error.type',
  SERVICE_NAME: 'service.name',
  SESSION_ID: 'session.id',
  USER_ID: 'user.id',
  ENDUSER_ID: 'enduser.id',
  VCS_REPOSITORY_URL: 'vcs.repository.url.full',
  VCS_REPOSITORY_NAME: 'vcs.repository.name',
  FILE_PATH: 'file.path',
  PROCESS_COMMAND_LINE: 'process.command_line',
  /**
   * Resource or span (the span wins): the working directory of the agent, so
   * ingest can store file paths under it relative to it. Experimental in the
   * OpenTelemetry process conventions.
   */
  PROCESS_WORKING_DIRECTORY: 'process.working_directory',
} as const;

/** What the conventions lack: Fulcrum's own attributes. */
export const FULCRUM = {
  /** Resource: the team that owns the work. */
  TEAM: 'fulcrum.team',
  /** Resource: the repository the session works in (name or URL). */
  REPOSITORY: 'fulcrum.repository',
  /** Resource: the agent harness (claude-code, codex, gemini-cli, or a custom harness name). */
  HARNESS: 'fulcrum.harness',
  /** Resource or span: what the work is for (feature, bugfix, review, migration...). */
  USE_CASE: 'fulcrum.use_case',
  /** Resource: the project (tenant). Ignored when ingest authenticates with a key. */
  PROJECT: 'fulcrum.project',
  /** Span: session | agent | llm | tool | skill | mcp | other, when the span cannot be classified by convention. */
  SPAN_TYPE: 'fulcrum.span.type',
  /** Span: skill name on a skill invocation. */
  SKILL_NAME: 'fulcrum.skill.name',
  /** Span: MCP server name (the MCP conventions have no attribute for it). */
  MCP_SERVER: 'fulcrum.mcp.server',
  /** Span: cost of the call in US dollars. */
  COST_USD: 'fulcrum.cost.usd',
  /** Span: true when the model is not in the price table, so cost is unknown (not $0). */
  COST_UNPRICED: 'fulcrum.cost.unpriced',
  /** Where fulcrum.cost.usd came from: claude_code (a share of the harness's own figure) or price_table. */
  COST_SOURCE: 'fulcrum.cost.source',
  /** True when a call's output tokens are a share of a turn's unattributed output, not the call's own count. */
  USAGE_OUTPUT_ESTIMATED: 'fulcrum.usage.output_estimated',
  /** True on the span standing for model calls the harness counted but did not show (titles, compaction). */
  LLM_UNSEEN_CALLS: 'fulcrum.llm.unseen_calls',
  /** Span: canonicalised, redacted, truncated tool arguments (JSON). */
  TOOL_ARGS: 'fulcrum.tool.args',
  /** Span: hash of the canonical tool arguments; loop detection compares it. */
  TOOL_ARGS_HASH: 'fulcrum.tool.args_hash',
  /** The kind a harness declared for a tool the built-in vocabulary does not describe (read, edit, write, delete, search, shell). */
  TOOL_KIND: 'fulcrum.tool.kind',
  /** Span: size of the tool result in bytes. */
  TOOL_RESULT_SIZE: 'fulcrum.tool.result_size',
  /** Span: true when the harness answered "file unchanged" without returning content. */
  TOOL_FILE_UNCHANGED: 'fulcrum.tool.file_unchanged',
  /** Span: file path a file tool touched. */
  FILE_PATH: 'fulcrum.file.path',
  /** Span: first line read (1-based), 0 when the whole file. */
  READ_OFFSET: 'fulcrum.read.offset',
  /** Span: number of lines read, 0 when to the end of file. */
  READ_LIMIT: 'fulcrum.read.limit',
  /** Span: shell command a shell tool ran (redacted). */
  COMMAND: 'fulcrum.command',
  /** Span: search pattern of a grep/glob tool. */
  SEARCH_PATTERN: 'fulcrum.search.pattern',
  /** Span: lines added by an edit or write. */
  LINES_ADDED: 'fulcrum.lines.added',
  /** Span: lines removed by an edit. */
  LINES_REMOVED: 'fulcrum.lines.removed',
  /** Span: true when the call succeeded. Absent means success unless the status is ERROR. */
  SUCCESS: 'fulcrum.success',
  /** Span: the subagent's type or name on an agent span. */
  SUBAGENT_TYPE: 'fulcrum.subagent.type',
  /**
   * Span `fulcrum.guard` (one per guard intervention, sent by `fulcrum guard`):
   * the policy that acted: failing_command | identical_call | reread | research | budget.
   */
  GUARD_POLICY: 'fulcrum.guard.policy',
  /** Span `fulcrum.guard`: what the guard did: observed (recorded only) | warned (allowed, with a note to the model) | denied (the call was refused) | stopped (the session was stopped). */
  GUARD_DECISION: 'fulcrum.guard.decision',
  /** Span `fulcrum.guard`: the policy's mode: observe | warn | enforce. */
  GUARD_MODE: 'fulcrum.guard.mode',
  /** Span `fulcrum.guard`: the classifier's waste kind for the call (failed_retry, repeated_call, redundant_read, repeated_search...), '' for a budget. */
  GUARD_WASTE_KIND: 'fulcrum.guard.waste_kind',
  /** Span `fulcrum.guard`: the tool call ids (the harness's) of the earlier calls this one repeats, comma-separated. */
  GUARD_ANCHOR_CALL_IDS: 'fulcrum.guard.anchor_call_ids',
  /** Span `fulcrum.guard`: estimated US dollars a denied or stopped call saved (an estimate: see docs/guard.md). */
  GUARD_SAVED_USD: 'fulcrum.guard.saved_usd',
  /** Span `fulcrum.guard`: the reason given to the model (redacted like any text). */
  GUARD_REASON: 'fulcrum.guard.reason',
} as const;

/** The span name of a guard intervention. */
export const GUARD_SPAN_NAME = 'fulcrum.guard';
export const GUARD_POLICIES = ['failing_command', 'identical_call', 'reread', 'research', 'budget'] as const;
export type GuardPolicy = (typeof GUARD_POLICIES)[number];
export const GUARD_DECISIONS = ['observed', 'warned', 'denied', 'stopped'] as const;
export type GuardDecision = (typeof GUARD_DECISIONS)[number];

export type SpanType = 'session' | 'agent' | 'llm' | 'tool' | 'skill' | 'mcp' | 'other';
export const SPAN_TYPES: readonly SpanType[] = ['session', 'agent', 'llm', 'tool', 'skill', 'mcp', 'other'];
