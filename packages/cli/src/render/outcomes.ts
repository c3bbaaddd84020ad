import type { OutcomeFigures, OutcomesResult } from '@fulcrum/query';
import { count, dimension, leverage, usd } from './format.js';
import { renderTable, type Column, type TableFormat } from './table.js';

const pct = (n: number | null): string => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
const shown = (f: (g: OutcomeFigures) => string) => (g: OutcomeFigures) => (g.withheld ? '' : f(g));
const n = (v: number | null): string => (v === null ? '-' : count(v));
const ratio = (v: number | null): string => (v === null ? '-' : v.toFixed(1));

/** Columns of an outcomes table; a withheld group shows why instead of figures. */
const columns = (by: string): Column<OutcomeFigures>[] => [
  { header: dimension(by), cell: (g) => g.key || '(none)' },
  { header: 'commits', cell: (g) => (g.withheld ? `withheld: ${g.reason}` : n(g.commits)), align: 'right' },
  { header: 'PRs', cell: shown((g) => n(g.pullRequests)), align: 'right' },
  { header: 'lines written', cell: shown((g) => n(g.linesWritten)), align: 'right' },
  { header: 'landed (est.)', cell: shown((g) => n(g.landedLines)), align: 'right' },
  { header: 'landing', cell: shown((g) => pct(g.landingRate)), align: 'right' },
  { header: 'survival 30d', cell: shown((g) => pct(g.survival30d)), align: 'right' },
  { header: 'rework', cell: shown((g) => pct(g.reworkRate)), align: 'right' },
  { header: 'reverts', cell: shown((g) => pct(g.revertRate)), align: 'right' },
  { header: '$ / commit', cell: shown((g) => (g.costPerAcceptedChange === null ? '-' : usd(g.costPerAcceptedChange))), align: 'right' },
  { header: 'abandoned', cell: shown((g) => (g.abandonedUsd === null ? '-' : usd(g.abandonedUsd))), align: 'right' },
  { header: 'landed leverage', cell: shown((g) => leverage(g.landedLeverage)), align: 'right' },
  { header: 'calls/prompt', cell: shown((g) => ratio(g.toolCallsPerPrompt)), align: 'right' },
];

/** Each group's outcomes, then the total, and what the figures cannot say yet. */
export function renderOutcomes(r: OutcomesResult, format: TableFormat): string {
  const total = { ...r.total, key: 'total' };
  const table = renderTable([...r.groups, total], columns(r.by === 'all' ? 'scope' : r.by), format);
  const notes = [
    r.outcomesAvailable ? '' : 'No outcomes yet: run "fulcrum git sync <repo>" for the repositories these sessions work in.',
    'Landed lines are estimated from line counts (lines the sessions added to a commit\'s files, capped by the lines the commit added), not from line contents.',
    r.total.survivalReason ? `Survival and rework: ${r.total.survivalReason}.` : '',
    `Groups covering fewer than ${r.minGroupSize} people are withheld (privacy.minGroupSize).`,
  ].filter(Boolean);
  return `${table}\n${notes.join('\n')}\n`;
}
