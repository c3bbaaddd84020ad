import type { SpanRow } from '@fulcrum/store';
import { GUARD_SPAN_NAME, toolFactsFromColumns, type ToolKind } from '@fulcrum/vocab';

/**
 * One span as the engine reads it: the typed columns ingest decided (tool
 * kind, file, command and search identity, edit fingerprint) plus what a
 * summary needs (spend, tokens, activity, dimensions). Read in session order
 * (Timestamp, SpanId) by SESSION_SPAN_SQL.
 */
export interface SessionSpan {
  sessionId: string;
  spanId: string;
  parentSpanId: string;
  /** Start, nanoseconds since the epoch as decimal text (exceeds 2^53). */
  startNs: string;
  /** End (start + duration), nanoseconds as decimal text. */
  endNs: string;
  startMs: number;
  /** session | agent | llm | tool | skill | mcp | other */
  type: string;
  /** read | edit | write | delete | search | shell | mcp | skill | agent | other; '' when none. */
  toolKind: string;
  toolName: string;
  filePath: string;
  filePaths: string[];
  readOffset: number;
  readLimit: number;
  command: string;
  commandKey: string;
  searchPattern: string;
  searchKey: string;
  argsHash: string;
  editOldHash: string;
  editNewHash: string;
  success: boolean;
  fileUnchanged: boolean;
  resultSize: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  priced: boolean;
  model: string;
  team: string;
  repository: string;
  harness: string;
  useCase: string;
  userId: string;
  skillName: string;
  linesAdded: number;
  linesRemoved: number;
  /** Bytes of the call's arguments: all a privacy-minded harness says of them (Claude Code's tool_input_size_bytes). */
  inputSize: number;
  /** The model call that issued this tool call, when the source links them; '' = the latest model call before it in its thread. */
  issuerSpanId: string;
  /** 'commit' | 'push' | '' */
  vcsAction: string;
  /** The harness's event or span name (prompt events are told apart by it). */
  spanName: string;
  /** otlp-traces | otlp-logs | transcript | sdk, or several joined by '+'. */
  source: string;
  /** 'decision:<decision>[:<source>]' for a call the harness's permission step refused. */
  errorType: string;
  /** On a `fulcrum.guard` span: the policy that acted and its decision (observed | warned | denied | stopped), as ingest validated them; '' elsewhere. */
  guardPolicy: string;
  guardDecision: string;
  /** On a `fulcrum.guard` span: the guard's estimate of what the refused call would have cost, USD; 0 elsewhere. */
  guardSavedUsd: number;
}

/** [column expression, field] in the order SESSION_SPAN_SQL returns them. */
const FIELDS: readonly [string, keyof SessionSpan][] = [
  ['SessionId', 'sessionId'], ['SpanId', 'spanId'], ['ParentSpanId', 'parentSpanId'],
  ['toString(toUnixTimestamp64Nano(Timestamp))', 'startNs'],
  ['toString(toUnixTimestamp64Nano(Timestamp) + Duration)', 'endNs'],
  ['toUnixTimestamp64Milli(Timestamp)', 'startMs'],
  ['SpanType', 'type'], ['ToolKind', 'toolKind'], ['ToolName', 'toolName'], ['FilePath', 'filePath'], ['FilePaths', 'filePaths'],
  ['ReadOffset', 'readOffset'], ['ReadLimit', 'readLimit'], ['Command', 'command'], ['CommandKey', 'commandKey'], ['SearchPattern', 'searchPattern'], ['SearchKey', 'searchKey'],
  ['ArgsHash', 'argsHash'], ['EditOldHash', 'editOldHash'], ['EditNewHash', 'editNewHash'],
  ['Success', 'success'], ['FileUnchanged', 'fileUnchanged'], ['ResultSize', 'resultSize'],
  ['InputTokens', 'inputTokens'], ['OutputTokens', 'outputTokens'], ['CacheReadTokens', 'cacheReadTokens'], ['CacheWriteTokens', 'cacheWriteTokens'],
  ['CostUsd', 'costUsd'], ['Priced', 'priced'], ['Model', 'model'],
  ['Team', 'team'], ['Repository', 'repository'], ['Harness', 'harness'], ['UseCase', 'useCase'], ['UserId', 'userId'],
  ['SkillName', 'skillName'], ['LinesAdded', 'linesAdded'], ['LinesRemoved', 'linesRemoved'],
  ['InputSize', 'inputSize'], ['IssuerSpanId', 'issuerSpanId'], ['VcsAction', 'vcsAction'],
  ['SpanName', 'spanName'], ['Source', 'source'], ['ErrorType', 'errorType'],
  ['GuardPolicy', 'guardPolicy'], ['GuardDecision', 'guardDecision'], ['GuardSavedUsd', 'guardSavedUsd'],
];

/** The SELECT list of a SessionSpan, as a compact row (one array per span). */
export const SESSION_SPAN_COLUMNS = FIELDS.map(([e]) => e).join(', ');

/**
 * Ingest rejects a call costing more than its bound (1,000 USD by default), but
 * rows stored before it did may hold anything: two calls of 1e308 USD summed
 * are Infinity, which JSON prints as null. A cost no call could have is read as
 * 0, so every sum stays a finite number.
 */
const MAX_PLAUSIBLE_COST_USD = 1e9;

function plausibleCost(v: unknown): number {
  const n = Number(v);
  return n >= 0 && n <= MAX_PLAUSIBLE_COST_USD ? n : 0;
}

/** A compact row (JSONCompactEachRow) of SESSION_SPAN_COLUMNS as a SessionSpan. */
export function toSessionSpan(row: unknown[]): SessionSpan {
  const s = {} as Record<string, unknown>;
  for (let i = 0; i < FIELDS.length; i++) s[FIELDS[i]![1]] = row[i];
  const span = s as unknown as SessionSpan;
  span.startMs = Number(span.startMs);
  span.success = Boolean(span.success);
  span.fileUnchanged = Boolean(span.fileUnchanged);
  span.priced = Boolean(span.priced);
  span.inputSize = Number(span.inputSize);
  span.costUsd = plausibleCost(span.costUsd);
  span.guardSavedUsd = plausibleCost(span.guardSavedUsd);
  if (span.toolKind === '' && (span.type === 'tool' || span.type === 'mcp')) fillFactsFromColumns(span);
  return span;
}

/**
 * Spans stored before ingest decided tool facts (migration 0010) have none:
 * they are decided here from the columns those spans do have, by the same
 * vocabulary function ingest uses for argument-less calls.
 */
function fillFactsFromColumns(span: SessionSpan): void {
  const f = toolFactsFromColumns({
    toolName: span.toolName, kind: span.type === 'mcp' ? ('mcp' satisfies ToolKind) : undefined, filePath: span.filePath,
    readOffset: span.readOffset, readLimit: span.readLimit, command: span.command, searchPattern: span.searchPattern,
    linesAdded: span.linesAdded, linesRemoved: span.linesRemoved,
  });
  span.toolKind = f.kind;
  span.filePath = f.filePath;
  span.filePaths = f.filePaths;
  span.commandKey = f.commandKey;
  span.searchKey = f.searchKey;
}

/**
 * A span row as ingest built it (before it is stored), as the engine reads it
 * back: the same fields FIELDS selects, so the guard classifies the calls of a
 * live session exactly as the report later classifies the stored rows.
 */
export function sessionSpanOfRow(row: SpanRow): SessionSpan {
  const r = row as unknown as Record<string, unknown>;
  const computed: Partial<Record<keyof SessionSpan, unknown>> = {
    startNs: row.Timestamp,
    endNs: (BigInt(row.Timestamp) + BigInt(Math.max(0, Math.trunc(row.Duration)))).toString(),
    startMs: Number(BigInt(row.Timestamp) / 1_000_000n),
  };
  return toSessionSpan(FIELDS.map(([column, field]) => (field in computed ? computed[field] : r[column])));
}

/** A guard intervention (ingest typed it 'other', so it is never a call): a record of a decision, not of work. */
export const isGuard = (s: SessionSpan) => s.spanName === GUARD_SPAN_NAME;

/** The intervention a guard span records, when ingest knew its policy and decision: 'prevented' (denied or stopped), 'warned', or '' (observed, or unknown). */
export function guardOutcome(s: SessionSpan): 'prevented' | 'warned' | '' {
  if (!isGuard(s) || s.guardPolicy === '') return '';
  if (s.guardDecision === 'denied' || s.guardDecision === 'stopped') return 'prevented';
  return s.guardDecision === 'warned' ? 'warned' : '';
}

export const isCall = (s: SessionSpan) => s.type === 'llm' || s.type === 'tool' || s.type === 'mcp';
export const tokensOf = (s: SessionSpan) => s.inputTokens + s.outputTokens + s.cacheReadTokens + s.cacheWriteTokens;
