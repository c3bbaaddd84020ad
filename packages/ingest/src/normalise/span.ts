import { FULCRUM, GEN_AI, GENERAL, MCP, SPAN_TYPES, type PriceTable, type SpanType } from '@fulcrum/vocab';
import { priceRow } from './price.js';
import { fillToolDetail, parseJson } from './tool-detail.js';
import { emptySpanRow, type SpanRow } from '@fulcrum/store';
import type { Attributes, DecodedScope, DecodedSpan } from '../otlp/model.js';
import { count, flag, money, pick } from './attrs.js';
import { fillGuard } from './guard.js';
import type { JoinCache } from './harness/join.js';

const SPAN_KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_NAMES = ['Unset', 'Ok', 'Error'];
const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

export interface NormaliseContext {
  /** Tenant every row is written under. */
  project: string;
  /** Redactor for text a normaliser derives itself (sanitiseRows redacts every stored string afterwards). @default identity */
  redact?: (s: string) => string;
  /** Joins a harness call's log and trace reports across requests. @default a fresh cache per request */
  join?: JoinCache;
  /** Prices of model calls that come without a cost (Codex, Gemini CLI, plain GenAI spans). @default DEFAULT_PRICES */
  prices?: PriceTable;
}

/** Maps one decoded OTLP span to a stored row, reading GenAI, MCP and fulcrum.* attributes. */
export function normaliseSpan(span: DecodedSpan, resource: Attributes, scope: DecodedScope, ctx: NormaliseContext): SpanRow {
  const a = span.attributes;
  const row = emptySpanRow();
  row.Timestamp = span.startTimeUnixNano;
  row.TraceId = span.traceId;
  row.SpanId = span.spanId;
  row.ParentSpanId = span.parentSpanId;
  row.TraceState = span.traceState;
  row.SpanName = span.name;
  row.SpanKind = SPAN_KIND_NAMES[span.kind] ?? 'Unspecified';
  row.ServiceName = resource[GENERAL.SERVICE_NAME] ?? '';
  row.ResourceAttributes = resource;
  row.ScopeName = scope.name;
  row.ScopeVersion = scope.version;
  row.SpanAttributes = a;
  row.Duration = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano);
  row.StatusCode = STATUS_NAMES[span.statusCode] ?? 'Unset';
  row.StatusMessage = span.statusMessage;
  row.Events = span.events.map((e) => ({ Timestamp: e.timeUnixNano, Name: e.name, Attributes: e.attributes }));
  row.Links = span.links.map((l) => ({ TraceId: l.traceId, SpanId: l.spanId, TraceState: l.traceState, Attributes: l.attributes }));
  row.Project = ctx.project;
  row.SessionId = pick(a, GEN_AI.CONVERSATION_ID, GENERAL.SESSION_ID) || pick(resource, GEN_AI.CONVERSATION_ID, GENERAL.SESSION_ID) || span.traceId;
  fillScope(row, resource, a);
  fillTyped(row, a);
  row.SpanType = spanType(a, span.parentSpanId);
  fillOutcome(row, a, span.statusCode);
  if (row.SpanType === 'llm') fillCost(row, a, ctx.prices);
  fillGuard(row, a);
  return row;
}

function durationNanos(start: string, end: string): number {
  if (end === '0' || start === '0') return 0;
  const d = BigInt(end) - BigInt(start);
  return d > 0n ? Number(d) : 0;
}

function fillScope(row: SpanRow, resource: Attributes, a: Attributes): void {
  row.Team = pick(a, FULCRUM.TEAM) || pick(resource, FULCRUM.TEAM, 'team.name', 'team.id');
  row.Repository = pick(a, FULCRUM.REPOSITORY) || pick(resource, FULCRUM.REPOSITORY, GENERAL.VCS_REPOSITORY_NAME, GENERAL.VCS_REPOSITORY_URL);
  row.Harness = pick(resource, FULCRUM.HARNESS) || row.ServiceName;
  row.UseCase = pick(a, FULCRUM.USE_CASE) || pick(resource, FULCRUM.USE_CASE);
  row.UserId = pick(a, GENERAL.USER_ID, GENERAL.ENDUSER_ID) || pick(resource, GENERAL.USER_ID, GENERAL.ENDUSER_ID);
}

function fillTyped(row: SpanRow, a: Attributes): void {
  row.AgentName = pick(a, GEN_AI.AGENT_NAME, FULCRUM.SUBAGENT_TYPE);
  row.ToolName = pick(a, GEN_AI.TOOL_NAME);
  row.ToolCallId = pick(a, GEN_AI.TOOL_CALL_ID);
  row.McpServer = pick(a, FULCRUM.MCP_SERVER);
  row.SkillName = pick(a, FULCRUM.SKILL_NAME);
  row.Model = pick(a, GEN_AI.RESPONSE_MODEL, GEN_AI.REQUEST_MODEL);
  row.InputTokens = count(pick(a, GEN_AI.USAGE_INPUT_TOKENS, GEN_AI.USAGE_PROMPT_TOKENS));
  row.OutputTokens = count(pick(a, GEN_AI.USAGE_OUTPUT_TOKENS, GEN_AI.USAGE_COMPLETION_TOKENS));
  row.CacheReadTokens = count(pick(a, GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS));
  row.CacheWriteTokens = count(pick(a, GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS));
  // The conventions' input_tokens includes cached tokens; the column holds the uncached rest.
  row.InputTokens = Math.max(0, row.InputTokens - row.CacheReadTokens - row.CacheWriteTokens);
  row.FilePath = pick(a, FULCRUM.FILE_PATH, GENERAL.FILE_PATH);
  row.ReadOffset = count(pick(a, FULCRUM.READ_OFFSET));
  row.ReadLimit = count(pick(a, FULCRUM.READ_LIMIT));
  row.Command = pick(a, FULCRUM.COMMAND);
  row.SearchPattern = pick(a, FULCRUM.SEARCH_PATTERN);
  row.ArgsHash = pick(a, FULCRUM.TOOL_ARGS_HASH);
  row.ResultSize = count(pick(a, FULCRUM.TOOL_RESULT_SIZE));
  row.LinesAdded = count(pick(a, FULCRUM.LINES_ADDED));
  row.LinesRemoved = count(pick(a, FULCRUM.LINES_REMOVED));
  row.FileUnchanged = flag(pick(a, FULCRUM.TOOL_FILE_UNCHANGED)) === true;
  if (row.ToolName && !row.ArgsHash) fillFromArguments(row, a);
}

/** Plain GenAI clients send gen_ai.tool.call.arguments only; derive what our SDK would have sent. */
function fillFromArguments(row: SpanRow, a: Attributes): void {
  const raw = a[GEN_AI.TOOL_CALL_ARGUMENTS] ?? a[FULCRUM.TOOL_ARGS];
  if (raw === undefined) return;
  // Arguments that are not JSON are hashed as the text they are.
  fillToolDetail(row, parseJson(raw) ?? raw);
}

function spanType(a: Attributes, parentSpanId: string): SpanType {
  const declared = a[FULCRUM.SPAN_TYPE] as SpanType | undefined;
  if (declared && SPAN_TYPES.includes(declared)) return declared;
  if (a[MCP.METHOD_NAME]) return 'mcp';
  const op = a[GEN_AI.OPERATION_NAME];
  if (op === 'execute_tool') return 'tool';
  if (op && LLM_OPERATIONS.has(op)) return 'llm';
  if (op === 'invoke_agent' || op === 'create_agent') return parentSpanId ? 'agent' : 'session';
  if (a[GEN_AI.TOOL_NAME]) return 'tool';
  return 'other';
}

function fillOutcome(row: SpanRow, a: Attributes, statusCode: number): void {
  row.ErrorType = pick(a, GENERAL.ERROR_TYPE);
  const declared = flag(pick(a, FULCRUM.SUCCESS));
  row.Success = declared ?? (statusCode !== 2 && row.ErrorType === '');
}

function fillCost(row: SpanRow, a: Attributes, prices: PriceTable | undefined): void {
  const declared = pick(a, FULCRUM.COST_USD);
  if (declared) {
    row.CostUsd = money(declared);
    row.Priced = true;
    return;
  }
  if (flag(pick(a, FULCRUM.COST_UNPRICED)) === true || !row.Model) {
    row.Priced = row.InputTokens + row.OutputTokens === 0;
    return;
  }
  priceRow(row, prices);
}
