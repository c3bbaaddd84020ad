import type { DecodedResourceLogs } from '../../otlp/model-logs-metrics.js';
import type { NormaliseContext } from '../span.js';
import type { NormalisedBatch } from '../traces.js';
import { claudeCodeLog, type ClaudeLogState } from './claude-code-logs.js';
import { codexLog } from './codex-logs.js';
import { geminiLog } from './gemini-logs.js';
import { harnessOf } from './harness.js';
import { JoinCache, type PendingRow } from './join.js';

const HEX_ID = /^(?:[0-9a-f]{32})?$/;
const HEX_SPAN = /^(?:[0-9a-f]{16})?$/;

/**
 * OTLP log records → span rows. Harness events (Claude Code, Codex, Gemini
 * CLI) become typed rows; records from other services carry no call we
 * analyse and are accepted without being stored. A record with malformed
 * trace context is rejected alone (partial success).
 */
export function normaliseLogs(resourceLogs: DecodedResourceLogs[], ctx: NormaliseContext, join: JoinCache = new JoinCache()): NormalisedBatch {
  const out: NormalisedBatch = { rows: [], rejected: 0, reasons: [] };
  const pending: PendingRow[] = [];
  const claude: ClaudeLogState = { pendingSkill: new Map(), pendingAgent: new Map() };
  for (const rl of resourceLogs) {
    const harness = harnessOf(rl.resource);
    if (!harness) continue;
    for (const sl of rl.scopeLogs) {
      for (const r of sl.logRecords) {
        if (!HEX_ID.test(r.traceId) || !HEX_SPAN.test(r.spanId)) {
          out.rejected++;
          // Described, not quoted: the answer may be logged by the client, and the ids may be anything.
          if (out.reasons.length < 5) out.reasons.push(`invalid trace context (trace id of ${r.traceId.length} and span id of ${r.spanId.length} characters, not 32 and 16 hex digits)`);
          continue;
        }
        const p =
          harness === 'claude-code' ? claudeCodeLog(r, rl.resource, sl.scope, ctx.project, claude)
          : harness === 'codex' ? codexLog(r, rl.resource, sl.scope, ctx.project, ctx.prices)
          : geminiLog(r, rl.resource, sl.scope, ctx.project, ctx.prices);
        if (p && p.row.SessionId) pending.push(p);
      }
    }
  }
  out.rows = join.resolve(pending);
  return out;
}
