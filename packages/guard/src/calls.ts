import { GENERAL, redact } from '@fulcrum/vocab';
import { emptySpanRow } from '@fulcrum/store/tables/spans';
import { fillToolDetail, toolSpanType } from '@fulcrum/ingest/normalise/tool-detail';
import { finishRows } from '@fulcrum/ingest/normalise/finish-rows';
import { derivedSpanId } from '@fulcrum/ingest/normalise/harness/ids';
import { sessionSpanOfRow, type SessionSpan } from '@fulcrum/query/engine/span';
import type { GuardEvent } from './events.js';

/** A hook's tool call in the vocabulary's terms: the name and arguments ingest would see for it. */
export interface ToolCall {
  toolName: string;
  args: unknown;
}

/**
 * A tool call about to run, as the engine would read it once stored: the
 * same ingest steps a transcript import takes (fillToolDetail, then
 * finishRows: redaction, then the tool facts), so the classifier sees the
 * same identity, file, command and search keys the report later sees.
 */
export function callSpan(event: GuardEvent, call: ToolCall, step: number, nowMs: number): SessionSpan {
  const row = emptySpanRow();
  row.SessionId = event.sessionId;
  row.SpanId = derivedSpanId(event.sessionId, 'guard-call', `${step}\u0000${event.toolCallId}`);
  row.Timestamp = (BigInt(nowMs) * 1_000_000n + BigInt(step % 1_000_000)).toString();
  row.ToolName = call.toolName;
  row.ToolCallId = event.toolCallId;
  row.SpanType = toolSpanType(call.toolName);
  row.Harness = event.harness;
  row.Success = true;
  if (event.cwd) row.SpanAttributes[GENERAL.PROCESS_WORKING_DIRECTORY] = event.cwd;
  fillToolDetail(row, call.args);
  finishRows([row], { redact });
  return sessionSpanOfRow(row);
}
