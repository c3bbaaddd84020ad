import type { GroupLeverage, LeverageResult } from '@fulcrum/query';
import { count, dimension, LEVERAGE_HEADER, leverage, usd } from './format.js';
import { renderTable, type Column, type TableFormat } from './table.js';

/** Columns of a per-group leverage table (leverage and report). */
export const groupColumns = (by: string): Column<GroupLeverage>[] => [
  { header: dimension(by), cell: (g) => g.key || '(none)' },
  { header: 'sessions', cell: (g) => count(g.sessions), align: 'right' },
  { header: 'spend', cell: (g) => usd(g.spendUsd), align: 'right' },
  { header: '+lines', cell: (g) => count(g.linesAdded), align: 'right' },
  { header: '-lines', cell: (g) => count(g.linesRemoved), align: 'right' },
  { header: 'refactors', cell: (g) => count(g.refactors), align: 'right' },
  { header: 'skills', cell: (g) => count(g.skills), align: 'right' },
  { header: 'mcp', cell: (g) => count(g.mcp), align: 'right' },
  { header: LEVERAGE_HEADER, cell: (g) => leverage(g.leverage), align: 'right' },
  { header: 'waste', cell: (g) => usd(g.wasteUsd), align: 'right' },
];

/** Each group's leverage, then the total. */
export function renderLeverage(r: LeverageResult, format: TableFormat): string {
  const total = { ...r.total, key: 'total' };
  return renderTable([...r.groups, total], groupColumns(r.by === 'all' ? 'scope' : r.by), format);
}
