import type { SessionSummary } from '@fulcrum/query';
import { count, LEVERAGE_HEADER, leverage, plural, tokens, usd, when } from './format.js';
import { renderTable, type Column, type TableFormat } from './table.js';

const COLUMNS: Column<SessionSummary>[] = [
  { header: 'session', cell: (s) => s.sessionId },
  { header: 'start', cell: (s) => when(s.start) },
  { header: 'team', cell: (s) => s.team || '-' },
  { header: 'repository', cell: (s) => s.repository || '-' },
  { header: 'harness', cell: (s) => s.harness || '-' },
  { header: 'spend', cell: (s) => usd(s.spendUsd), align: 'right' },
  { header: 'tokens', cell: (s) => tokens(s.tokens), align: 'right' },
  { header: 'tools', cell: (s) => count(s.toolCalls), align: 'right' },
  { header: 'failed', cell: (s) => count(s.failures), align: 'right' },
  { header: LEVERAGE_HEADER, cell: (s) => leverage(s.leverage), align: 'right' },
  { header: 'waste', cell: (s) => usd(s.wasteUsd), align: 'right' },
];

/** The session list; when the limit cut it, a last line says how many there are in all. */
export function renderSessions(rows: SessionSummary[], format: TableFormat, total = rows.length): string {
  const cols = rows.some((r) => r.userId !== undefined) ? [...COLUMNS.slice(0, 2), { header: 'user', cell: (s: SessionSummary) => s.userId || '-' }, ...COLUMNS.slice(2)] : COLUMNS;
  const more = total > rows.length ? `${format === 'md' ? '\n' : ''}showing ${count(rows.length)} of ${plural(total, 'session')}; --limit N for more\n` : '';
  return renderTable(rows, cols, format) + more;
}
