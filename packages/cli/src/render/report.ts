import type { Report } from '@fulcrum/query';
import { count, dimension, leverageWithUnit, minutes, plural, RUNAWAY_REASON, tokens, unpricedText, usd, WASTE_LABEL, when, words } from './format.js';
import { groupColumns } from './leverage.js';
import { renderTable } from './table.js';

/** The report's scope as the CLI would write it: project=default since=2025-11-21 00:00 use-case=bugfix. */
function scopeText(scope: Report['scope']): string {
  return Object.entries(scope)
    .map(([k, v]) => `${k === 'useCase' ? 'use-case' : k}=${k === 'since' || k === 'until' ? when(v) : v}`)
    .join(' ');
}

const BUDGET_UNIT = { session: ['session', 'sessions'], team: ['team', 'teams'], repository: ['repository', 'repositories'] } as const;

/**
 * The headline's budget lines: spend over each budget that applied, who went
 * over and their share of all spend, and the budget itself; then the calls
 * spend leaves out (unpriced models).
 */
export function budgetLines(r: Report): string[] {
  const lines: string[] = [];
  const over = r.budgets?.over ?? [];
  const spend = r.total.spendUsd;
  for (const o of over) {
    const [one, many] = BUDGET_UNIT[o.level];
    const rule = `budget ${usd(o.budgetUsd)} per ${minutes(o.windowMinutes)} ${o.level === 'session' ? 'session' : 'team'} window`;
    if (o.overUsd <= 0) {
      lines.push(`over ${o.level} budget: ${usd(0)} (${rule})`);
      continue;
    }
    const share = spend > 0 ? `, ${Math.round((o.spendUsd / spend) * 100)}% of spend` : '';
    lines.push(`over ${o.level} budget: ${usd(o.overUsd)} in ${plural(o.entities, one, many)}, which spent ${usd(o.spendUsd)}${share} (${rule})`);
  }
  if (r.budgets && over.length === 0) lines.push('no budgets set (budgets.sessionUsd, teamUsd, repositoryUsd in the config file, or --session-budget)');
  const unpriced = unpricedText(r.total.unpricedCalls);
  if (unpriced) lines.push(unpriced);
  const u = r.waste.unverifiable;
  if (u.calls > 0) {
    const fix = u.hints.length > 0 ? `; set ${u.hints.join(', ')} to check them` : '';
    lines.push(`${plural(u.calls, 'tool call')} in ${plural(u.sessions, 'session')} could not be checked for waste: the harness sent no arguments${fix}`);
  }
  return lines;
}

/**
 * What the guard prevented, beside waste: "prevented: 3 calls, ≈ $0.4200
 * (guard, estimated)", with the warnings it gave; nothing when no session in
 * scope had an intervention. The dollars are the guard's estimate, never in spend or waste.
 */
export function preventedLines(r: Report): string[] {
  const p = r.waste.prevented;
  if (!p || p.calls + p.warnings === 0) return [];
  const warned = p.warnings > 0 ? `; ${plural(p.warnings, 'call')} warned` : '';
  return [`prevented: ${plural(p.calls, 'call')}, ≈ ${usd(p.usd)} (guard, estimated)${warned}`];
}

/** One finding as a line: category, tool and file or command, spans, $. */
function findingLine(f: Report['waste']['worstSessions'][number]['findings'][number], md: boolean, withSession = false): string {
  const what = [f.toolName, f.filePath || f.command].filter(Boolean).join(' ');
  const where = withSession ? ` in ${f.sessionId}` : '';
  return `${md ? '  - ' : '      '}${words(WASTE_LABEL, f.kind)}${what ? ` (${what})` : ''}${where}: ${plural(f.wasteSpanIds.length, 'span')}, ${usd(f.costUsd)}${f.estimated ? ' estimated' : ''}\n`;
}

/** The report as terminal tables or Markdown: spend, leverage, waste by category, worst sessions, runaways. */
export function renderReport(r: Report, format: 'table' | 'md'): string {
  const md = format === 'md';
  const h = (s: string) => (md ? `\n### ${s}\n\n` : `\n${s}\n`);
  const t = r.total;
  const out: string[] = [];
  out.push(md ? `## Fulcrum report (${scopeText(r.scope)})\n` : `Fulcrum report (${scopeText(r.scope)})\n`);
  const landed = r.outcomes.available && !r.outcomes.total.withheld ? r.outcomes.total : undefined;
  // Once outcomes exist for the scope, leverage on what landed is the headline; activity leverage stands beside it.
  const leverageText = landed
    ? `leverage on landed work ${leverageWithUnit(landed.landedLeverage ?? 0)} (on activity ${leverageWithUnit(t.leverage)})`
    : `leverage ${leverageWithUnit(t.leverage)}`;
  out.push(`${md ? '**' : ''}${plural(t.sessions, 'session')}, spend ${usd(t.spendUsd)}, ${leverageText}, wasted ${usd(r.waste.totalUsd)} (${tokens(r.waste.totalTokens)} tokens)${md ? '**' : ''}\n`);
  const budgets = [...preventedLines(r), ...budgetLines(r)];
  if (budgets.length) out.push(`${md ? '\n' : ''}${budgets.map((l) => `${md ? '- ' : ''}${l}\n`).join('')}`);
  out.push(h(`Leverage by ${dimension(r.by)}`), renderTable(r.groups, groupColumns(r.by), format));
  const outcomes = outcomeLines(r);
  if (outcomes.length) out.push(h('Outcomes'), outcomes.map((l) => `${md ? '- ' : '  '}${l}\n`).join(''));
  out.push(h('Waste by category'));
  out.push(r.waste.categories.length === 0 ? 'no waste found\n' : renderTable(r.waste.categories, [
    { header: 'category', cell: (c) => words(WASTE_LABEL, c.kind) },
    { header: 'findings', cell: (c) => count(c.findings), align: 'right' },
    { header: 'spans', cell: (c) => count(c.spans), align: 'right' },
    { header: 'tokens', cell: (c) => `${tokens(c.tokens)}${c.estimated ? '*' : ''}`, align: 'right' },
    { header: 'wasted', cell: (c) => usd(c.costUsd), align: 'right' },
  ], format));
  if (r.waste.categories.some((c) => c.estimated)) out.push('* includes result tokens carried by later requests, estimated from result size (bytes / 4)\n');
  out.push(h('Worst sessions'));
  if (r.waste.worstSessions.length === 0) out.push('no waste found\n');
  for (const s of r.waste.worstSessions) {
    out.push(`${md ? '- **' : '  '}${s.sessionId}${md ? '**' : ''}: wasted ${usd(s.wasteUsd)} (${tokens(s.wasteTokens)} tokens)\n`);
    for (const f of s.findings.slice(0, 5)) out.push(findingLine(f, md));
    if (s.findings.length > 5) out.push(`${md ? '  - ' : '      '}… ${count(s.findings.length - 5)} more\n`);
  }
  const p = r.waste.partial;
  if (p.categories.length > 0) {
    out.push(h('Possible waste (partial evidence: sizes and outcomes only; not in the totals above)'));
    out.push(renderTable(p.categories, [
      { header: 'category', cell: (c) => words(WASTE_LABEL, c.kind) },
      { header: 'findings', cell: (c) => count(c.findings), align: 'right' },
      { header: 'spans', cell: (c) => count(c.spans), align: 'right' },
      { header: 'possibly wasted', cell: (c) => usd(c.costUsd), align: 'right' },
    ], format));
    for (const f of p.findings.slice(0, 5)) out.push(findingLine(f, md, true));
  }
  out.push(h('Runaway spend (budgets, not targets)'));
  out.push(r.runaways.length === 0 ? 'none\n' : renderTable(r.runaways, [
    { header: 'level', cell: (x) => x.level },
    { header: 'who', cell: (x) => x.entity || '(none)' },
    { header: 'team', cell: (x) => x.team || '-' },
    { header: 'window', cell: (x) => `${when(x.windowStart)} +${minutes(x.windowMinutes)}` },
    { header: 'spend', cell: (x) => usd(x.spendUsd), align: 'right' },
    { header: 'calls', cell: (x) => count(x.calls), align: 'right' },
    { header: 'median', cell: (x) => usd(x.trailingMedianSpendUsd), align: 'right' },
    { header: 'why', cell: (x) => x.reasons.map((c) => words(RUNAWAY_REASON, c)).join(', ') },
  ], format));
  return out.join('');
}

/** What landed, in a few lines; nothing until `fulcrum git sync` has run for the scope's repositories. */
export function outcomeLines(r: Report): string[] {
  if (!r.outcomes.available) return [];
  const o = r.outcomes.total;
  if (o.withheld) return [`withheld: ${o.reason} (privacy.minGroupSize)`];
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  return [
    `${plural(o.commits ?? 0, 'commit')} landed${o.pullRequests ? ` (${plural(o.pullRequests, 'pull request')})` : ''}, ${usd(o.costPerAcceptedChange ?? 0)} per accepted change`,
    `${count(o.landedLines ?? 0)} of ${count(o.linesWritten ?? 0)} lines written landed (${pct(o.landingRate)}; estimated from line counts)`,
    `survival after 30 days ${pct(o.survival30d)}, rework within 21 days ${pct(o.reworkRate)}, reverted ${pct(o.revertRate)}`,
    `abandoned spend ${usd(o.abandonedUsd ?? 0)} (sessions that cost money and landed nothing)`,
  ];
}
