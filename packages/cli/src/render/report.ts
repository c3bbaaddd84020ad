import type { Report } from '@fulcrum/query';
import { groupColumns } from '../commands/leverage.js';
import { int, renderTable, score, tokens, usd } from './table.js';

const KIND_LABEL: Record<string, string> = {
  failed_retry: 'failing command retried', repeated_call: 'identical call loop', ping_pong: 'A→B→A→B ping-pong',
  edit_revert: 'edit reverted', redundant_read: 'redundant file re-read', repeated_search: 'repeated search',
  failed_tool: 'failed tool call', failed_model: 'failed model call',
};

/** The report as terminal tables or Markdown: spend, leverage, waste by category, worst sessions, runaways. */
export function renderReport(r: Report, format: 'table' | 'md'): string {
  const md = format === 'md';
  const h = (s: string) => (md ? `\n### ${s}\n\n` : `\n${s}\n`);
  const scope = Object.entries(r.scope).map(([k, v]) => `${k}=${v}`).join(' ');
  const t = r.total;
  const out: string[] = [];
  out.push(md ? `## Fulcrum report (${scope})\n` : `Fulcrum report (${scope})\n`);
  out.push(`${md ? '**' : ''}${int(t.sessions)} sessions, spend ${usd(t.spendUsd)}, leverage ${score(t.leverage)}, wasted ${usd(r.waste.totalUsd)} (${tokens(r.waste.totalTokens)} tokens)${md ? '**' : ''}\n`);
  out.push(h(`Leverage by ${r.by}`), renderTable(r.groups, groupColumns(r.by), format));
  out.push(h('Waste by category'));
  out.push(r.waste.categories.length === 0 ? 'no waste found\n' : renderTable(r.waste.categories, [
    { header: 'category', cell: (c) => KIND_LABEL[c.kind] ?? c.kind },
    { header: 'findings', cell: (c) => int(c.findings), align: 'right' },
    { header: 'spans', cell: (c) => int(c.spans), align: 'right' },
    { header: 'tokens', cell: (c) => `${tokens(c.tokens)}${c.estimated ? '*' : ''}`, align: 'right' },
    { header: 'wasted', cell: (c) => usd(c.costUsd), align: 'right' },
  ], format));
  if (r.waste.categories.some((c) => c.estimated)) out.push('* includes tokens estimated from tool result size (bytes / 4)\n');
  out.push(h('Worst sessions'));
  for (const s of r.waste.worstSessions) {
    out.push(`${md ? '- **' : '  '}${s.sessionId}${md ? '**' : ''}: wasted ${usd(s.wasteUsd)} (${tokens(s.wasteTokens)} tokens)\n`);
    for (const f of s.findings.slice(0, 5)) {
      const what = [f.toolName, f.filePath || f.command].filter(Boolean).join(' ');
      out.push(`${md ? '  - ' : '      '}${KIND_LABEL[f.kind] ?? f.kind}${what ? ` (${what})` : ''}: ${f.wasteSpanIds.length}× ${usd(f.costUsd)}${f.estimated ? ' estimated' : ''}\n`);
    }
    if (s.findings.length > 5) out.push(`${md ? '  - ' : '      '}… ${s.findings.length - 5} more\n`);
  }
  out.push(h('Runaway spend (budgets, not targets)'));
  out.push(r.runaways.length === 0 ? 'none\n' : renderTable(r.runaways, [
    { header: 'level', cell: (x) => x.level },
    { header: 'who', cell: (x) => x.entity || '(none)' },
    { header: 'team', cell: (x) => x.team || '-' },
    { header: 'window', cell: (x) => `${x.windowStart.slice(0, 16).replace('T', ' ')} +${x.windowMinutes}m` },
    { header: 'spend', cell: (x) => usd(x.spendUsd), align: 'right' },
    { header: 'calls', cell: (x) => int(x.calls), align: 'right' },
    { header: 'median', cell: (x) => usd(x.trailingMedianSpendUsd), align: 'right' },
    { header: 'why', cell: (x) => x.reasons.join(', ') },
  ], format));
  return out.join('');
}
