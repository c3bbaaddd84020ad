import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionSpan } from '@fulcrum/query/engine/span';
import type { ParserSnapshot } from '@fulcrum/ingest/transcripts/entry';
import type { GuardHarness } from './events.js';
import type { Intervention } from './intervention.js';

/** One tool call the hooks saw, as the engine reads a span, plus what the guard needs of it. */
export interface GuardCall {
  span: SessionSpan;
  /** The harness's call id; '' when its hooks carry none (Gemini CLI). */
  callId: string;
  /** The outcome is known (its after-tool hook, or the transcript, said). */
  settled: boolean;
  /** The guard refused it: it never ran. */
  denied: boolean;
  /** A note to deliver with its result (harnesses read notes on the after-tool hook). */
  note?: string;
  /** The start of its error (redacted), for a failed call: the breaker's reason quotes it. */
  errorText?: string;
}

/** Where the transcript was read up to, and the parser's state there. */
export interface TranscriptCursor {
  path: string;
  offset: number;
  parser: ParserSnapshot;
}

/** Everything the guard keeps between hook calls of one session, in one small file. */
export interface GuardState {
  version: 1;
  harness: GuardHarness;
  sessionId: string;
  calls: GuardCall[];
  transcript?: TranscriptCursor;
  /** Model calls read from the transcript: count, total $, and $ per budget window (start ms → $). */
  model: { calls: number; spendUsd: number; windows: Record<string, number> };
  /** The window whose budget warning was given (one warning per window). */
  budgetWarnedWindow?: number;
  /** Interventions not yet accepted by a Fulcrum server (all of them when none is configured). */
  outbox: Intervention[];
  /** No send before this time (ms): the last one was not accepted. */
  outboxRetryAtMs?: number;
  /** How many calls the session had when the human last prompted (0: none since the guard started). */
  lastPromptAtStep?: number;
  /** A budget stop decided before a call, for the after-batch hook to carry out (Claude Code). */
  stopPending?: string;
}

export function emptyState(harness: GuardHarness, sessionId: string): GuardState {
  return { version: 1, harness, sessionId, calls: [], model: { calls: 0, spendUsd: 0, windows: {} }, outbox: [] };
}

/** The state file of a session: the harness and session id hashed, so any id makes a safe file name. */
export function stateFile(dir: string, harness: GuardHarness, sessionId: string): string {
  return join(dir, `${createHash('sha256').update(`${harness}\u0000${sessionId}`).digest('hex').slice(0, 32)}.json`);
}

export function loadState(file: string, harness: GuardHarness, sessionId: string): GuardState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(harness, sessionId);
    throw err;
  }
  const s = JSON.parse(text) as GuardState;
  if (s.version !== 1 || s.sessionId !== sessionId || s.harness !== harness) return emptyState(harness, sessionId);
  return s;
}

/** Written whole to a temporary file and renamed over the old one, so a reader never sees half a state. */
export function saveState(file: string, state: GuardState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

export interface SessionLockOptions {
  /** Give up waiting after this long (the guard then allows the call). @default 2000 */
  timeoutMs?: number;
  /** A lock older than this was left by a killed hook and is taken over. @default 10000 */
  staleMs?: number;
}

/**
 * Hooks of one session can run side by side (parallel tool calls): the state
 * file is read, changed and written under a lock file, so no call is lost.
 * Returns the release function, or undefined when the lock could not be had in time.
 */
export function lockSession(file: string, options: SessionLockOptions = {}): (() => void) | undefined {
  const lock = `${file}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  mkdirSync(join(file, '..'), { recursive: true });
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > (options.staleMs ?? 10_000)) rmSync(lock, { force: true });
    } catch {
      // Released between the two calls: try again.
    }
    if (Date.now() > deadline) return undefined;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}
