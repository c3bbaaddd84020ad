// The row module alone, not the store's index: the guard's hook reads transcripts through these parsers and must not load chDB.
import { emptySpanRow, type SpanRow } from '@fulcrum/store/tables/spans';
import { commitHashInGitOutput, vcsActionOf } from '@fulcrum/vocab';
import { derivedSpanId, derivedTraceId } from '../normalise/harness/ids.js';
import type { HarnessName } from '../normalise/harness/harness.js';

/**
 * Transcript rows outrank every OTLP combination (Version 1..7): a transcript
 * knows file_unchanged results, error flags and full arguments that telemetry
 * may hide, so when an import lands on a call telemetry already stored (same
 * session, derived trace, same call id), the transcript copy wins.
 */
export const TRANSCRIPT_VERSION = 8;

/** ISO-8601 time → nanoseconds since the epoch, as a decimal string ('0' when unparseable). */
export function isoToNanos(iso: unknown): string {
  const ms = typeof iso === 'string' ? Date.parse(iso) : typeof iso === 'number' ? iso : NaN;
  return Number.isFinite(ms) ? (BigInt(Math.round(ms)) * 1_000_000n).toString() : '0';
}

/** A transcript row keyed like its telemetry counterpart (kind + call id within the session). */
export function transcriptRow(project: string, harness: HarnessName, sessionId: string, kind: string, key: string, name: string, time: string): SpanRow {
  const row = emptySpanRow();
  row.Project = project;
  row.SessionId = sessionId;
  row.TraceId = derivedTraceId(sessionId);
  row.SpanId = derivedSpanId(sessionId, kind, key);
  row.SpanName = name;
  row.ServiceName = harness;
  row.Harness = harness;
  row.Source = 'transcript';
  row.Timestamp = time;
  row.Version = TRANSCRIPT_VERSION;
  return row;
}

/** Nanosecond strings → non-negative duration in nanoseconds. */
export function between(start: string, end: string): number {
  if (start === '0' || end === '0') return 0;
  const d = Number(BigInt(end) - BigInt(start));
  return d > 0 ? d : 0;
}

/** What one parsed line contributes: finished rows, and the session it belongs to. */
export interface LineResult {
  rows: SpanRow[];
  sessionId?: string;
}

/** A per-file parser: feed it lines in order, then end() for rows still open (calls without results). */
export interface TranscriptParser {
  line(value: unknown): LineResult;
  end(): SpanRow[];
  /**
   * What the parser holds between lines (calls awaiting results, ids counted),
   * as plain JSON: a parser made with it as `resume` reads on where this one
   * stopped. The guard reads a live transcript this way, a few lines per hook.
   */
  snapshot(): ParserSnapshot;
}

/** A parser's state between lines, as JSON (see TranscriptParser.snapshot). */
export interface ParserSnapshot {
  open?: [string, SpanRow][];
  seen?: string[];
  issued?: [string, number][];
  unissued?: SpanRow[];
  sessionId?: string;
  model?: string;
  cwd?: string;
}

/**
 * Links a tool call to the model call that issued it, from the transcript's
 * own structure, and starts it after that call (a tool runs once the response
 * that asked for it is complete; the n-th call of a response 1 ns after the
 * one before), so session order never puts a call before its issuer even when
 * the file gives both the same timestamp.
 */
export function issuedBy(tool: SpanRow, llm: { SpanId: string; Timestamp: string }, nth: number): void {
  tool.IssuerSpanId = llm.SpanId;
  if (llm.Timestamp === '0') return;
  const after = BigInt(llm.Timestamp) + BigInt(nth + 1);
  if (tool.Timestamp === '0' || BigInt(tool.Timestamp) < after) tool.Timestamp = after.toString();
}

/**
 * A human prompt the transcript recorded, for delegation (tool calls per
 * prompt, autonomous runs). Named like the harness's own prompt event, typed
 * by that name, and never holding the text: only its length.
 */
export function promptRow(project: string, harness: HarnessName, sessionId: string, key: string, name: string, time: string, length: number): SpanRow {
  const row = transcriptRow(project, harness, sessionId, 'prompt', key, name, time);
  row.SpanAttributes = { prompt_length: String(length) };
  return row;
}

/** The characters of a message's text parts (a string, or blocks / parts with `text`). */
export function textLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const b of content) if (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string') n += (b as { text: string }).text.length;
  return n;
}

/**
 * The commit a shell call's `git commit` made, from git's summary line in the call's output
 * (Codex and Gemini transcripts keep the output; neither names the commit otherwise). Only a
 * command that runs `git commit` is read, so other output quoting a summary line links nothing.
 */
export function commitInOutput(row: SpanRow, output: string): string {
  return row.Command && vcsActionOf(row.Command) !== '' ? commitHashInGitOutput(output) : '';
}
