import type { PriceTable } from '@fulcrum/vocab';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { writeSpanRows, type SpanRow, type Store } from '@fulcrum/store';
import { finishRows } from '../normalise/finish-rows.js';
import { claudeCodeParser } from './claude-code.js';
import { codexParser } from './codex.js';
import type { TranscriptParser } from './entry.js';
import { transcriptFiles, type TranscriptHarness } from './files.js';
import { geminiParser } from './gemini.js';

export interface ImportOptions {
  harness: TranscriptHarness;
  /** A transcript file or a directory searched recursively. */
  path: string;
  store: Store;
  /** Project the rows are stored under. @default 'default' */
  project?: string;
  /** Redacts secrets before storing; false keeps text as is. @default none */
  redact?: ((s: string) => string) | false;
  /** Rows per INSERT. @default 2000 */
  batchRows?: number;
  /** Prices of model calls that come without a cost (Codex, Gemini CLI). @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Called as bytes are read, for a progress bar. @default none */
  onProgress?: (p: { bytesDone: number; bytesTotal: number; file: string }) => void;
}

export interface SkippedLine {
  file: string;
  line: number;
  error: string;
}

export interface ImportSummary {
  files: number;
  sessions: number;
  rows: number;
  skipped: SkippedLine[];
}

/**
 * Imports transcripts line by line (memory bounded by one file's open tool
 * calls and one batch), with deterministic ids so importing again changes
 * nothing once ReplacingMergeTree dedups (read with FINAL). A line that is not
 * JSON is reported with its file and line number and skipped.
 */
export async function importTranscripts(options: ImportOptions): Promise<ImportSummary> {
  const files = transcriptFiles(options.harness, options.path);
  const bytesTotal = files.reduce((s, f) => s + f.bytes, 0);
  const summary: ImportSummary = { files: files.length, sessions: 0, rows: 0, skipped: [] };
  const sessions = new Set<string>();
  const project = options.project ?? 'default';
  const redact = options.redact || undefined;
  let batch: SpanRow[] = [];
  let bytesDone = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await writeSpanRows(options.store, batch);
    summary.rows += batch.length;
    batch = [];
  };
  const take = async (rows: SpanRow[]) => {
    finishRows(rows, { redact });
    for (const r of rows) batch.push(r);
    if (batch.length >= (options.batchRows ?? 2000)) await flush();
  };
  let bytesOfFilesDone = 0;
  for (const f of files) {
    const parser = parserFor(options.harness, project, f.path, options.prices);
    let lineNo = 0;
    const lines = createInterface({ input: createReadStream(f.path), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      bytesDone += Buffer.byteLength(line) + 1;
      if (lineNo % 200 === 0) options.onProgress?.({ bytesDone, bytesTotal, file: f.path });
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        summary.skipped.push({ file: f.path, line: lineNo, error: (err as Error).message });
        continue;
      }
      for (const v of expand(options.harness, value)) {
        const r = parser.line(v);
        if (r.sessionId) sessions.add(r.sessionId);
        await take(r.rows);
      }
    }
    await take(parser.end());
    bytesOfFilesDone += f.bytes;
    bytesDone = Math.max(bytesDone, bytesOfFilesDone);
    options.onProgress?.({ bytesDone, bytesTotal, file: f.path });
  }
  await flush();
  summary.sessions = sessions.size;
  return summary;
}

/** Older Gemini CLI checkpoints are one JSON document holding the whole conversation. */
function expand(harness: TranscriptHarness, v: unknown): unknown[] {
  if (harness !== 'gemini' || v === null || typeof v !== 'object' || !Array.isArray((v as { messages?: unknown }).messages)) return [v];
  const doc = v as { sessionId?: string; messages: unknown[] };
  return [{ sessionId: doc.sessionId }, ...doc.messages];
}

function parserFor(harness: TranscriptHarness, project: string, path: string, prices: PriceTable | undefined): TranscriptParser {
  if (harness === 'codex') return codexParser(project, prices);
  if (harness === 'gemini') return geminiParser(project, prices);
  // A subagent's file sits next to agent-<id>.meta.json naming its type.
  const meta = path.replace(/\.jsonl$/, '.meta.json');
  let agentType = '';
  if (/\/subagents\/agent-[^/]+\.jsonl$/.test(path) && existsSync(meta)) {
    try {
      agentType = String((JSON.parse(readFileSync(meta, 'utf8')) as { agentType?: string }).agentType ?? '');
    } catch {
      // no type: the rows stay unnamed
    }
  }
  return claudeCodeParser(project, agentType, prices);
}
