import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { SpanRow } from '@fulcrum/store/tables/spans';
import type { PriceTable } from '@fulcrum/vocab';
import { redact } from '@fulcrum/vocab';
import { claudeCodeParser } from '@fulcrum/ingest/transcripts/claude-code';
import { codexParser } from '@fulcrum/ingest/transcripts/codex';
import { geminiParser } from '@fulcrum/ingest/transcripts/gemini';
import type { ParserSnapshot, TranscriptParser } from '@fulcrum/ingest/transcripts/entry';
import { finishRows } from '@fulcrum/ingest/normalise/finish-rows';
import type { GuardHarness } from './events.js';
import type { TranscriptCursor } from './state.js';

export interface TranscriptTailOptions {
  /** Prices of model calls that come without a cost. @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Most bytes read in one hook call; the rest is read by the next. @default 16 MiB */
  maxBytes?: number;
}

/** The rows of the lines written since the cursor, and the cursor after them. */
export interface TranscriptTail {
  rows: SpanRow[];
  cursor: TranscriptCursor;
}

function parserOf(harness: GuardHarness, resume: ParserSnapshot, prices: PriceTable | undefined): TranscriptParser {
  if (harness === 'claude-code') return claudeCodeParser('default', '', prices, resume);
  if (harness === 'codex') return codexParser('default', prices, resume);
  return geminiParser('default', prices, resume);
}

/**
 * Reads a live transcript on from where the last hook call stopped, through
 * the same parsers `fulcrum import` uses (resumed from their snapshot), so
 * each hook call reads only the lines written since. A line still being
 * written (no newline yet) waits for the next call. A file that shrank was
 * replaced: it is read again from the start.
 */
export function readTranscriptTail(harness: GuardHarness, path: string, cursor: TranscriptCursor | undefined, options: TranscriptTailOptions = {}): TranscriptTail {
  let at = cursor && cursor.path === path ? cursor : { path, offset: 0, parser: {} };
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < at.offset) at = { path, offset: 0, parser: {} };
    const want = Math.min(size - at.offset, options.maxBytes ?? 16 << 20);
    if (want <= 0) return { rows: [], cursor: at };
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, at.offset + got);
      if (n === 0) break;
      got += n;
    }
    const end = buf.lastIndexOf(0x0a, got - 1);
    if (end < 0) return { rows: [], cursor: at };
    const parser = parserOf(harness, at.parser, options.prices);
    const rows: SpanRow[] = [];
    let start = 0;
    while (start <= end) {
      const nl = buf.indexOf(0x0a, start);
      const line = buf.toString('utf8', start, nl);
      start = nl + 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // `fulcrum import` reports such a line; the guard has no one to tell, and the next line may be fine.
      }
      for (const row of parser.line(value).rows) rows.push(row);
    }
    finishRows(rows, { redact });
    return { rows, cursor: { path, offset: at.offset + end + 1, parser: parser.snapshot() } };
  } finally {
    closeSync(fd);
  }
}
