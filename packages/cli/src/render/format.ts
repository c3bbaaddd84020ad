import type { QueryParams } from '@fulcrum/query';

/**
 * How every renderer writes numbers, words and times (tables and Markdown;
 * --format json keeps the raw values). One place, so the same quantity reads
 * the same in every command.
 */

/** Dollars: 2 decimals from $1 up (thousands separated), 4 below; "-" when unknown. */
export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (n < 0) return `-${usd(-n)}`;
  if (n === 0) return '$0.00';
  if (n < 0.00005) return '<$0.0001';
  // 0.99996 rounds to 1.0000 at 4 decimals: it is a dollar amount by then.
  if (Number(n.toFixed(4)) < 1) return `$${n.toFixed(4)}`;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A count with thousands separators. */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

const UNITS = [['k', 1e3], ['M', 1e6], ['B', 1e9]] as const;

/** Tokens: 950, 1.6k, 67.4k, 261k, 1.1M, 12.5M: k/M/B above a thousand at every size, 3 significant digits. */
export function tokens(n: number): string {
  const abs = Math.abs(n);
  if (Math.round(abs) < 1000) return String(Math.round(n));
  for (let i = 0; i < UNITS.length; i++) {
    const [unit, size] = UNITS[i]!;
    const v = n / size;
    const text = Math.abs(v) < 99.95 ? v.toFixed(1) : v.toFixed(0);
    // 999.6k is 1.0M; the last unit takes anything.
    if (Math.abs(Number(text)) < 1000 || i === UNITS.length - 1) return `${text}${unit}`;
  }
  return String(n);
}

/** "1 session", "2 sessions"; the count formatted. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${Math.round(n) === 1 ? one : many}`;

/** A duration: 240ms, 5.9s, 1m 54s, 5m, 1h, 1h 30m, 24h. */
export function duration(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const totalMin = Math.floor(Math.round(ms / 1000) / 60);
  const sec = Math.round(ms / 1000) % 60;
  if (totalMin < 60) return sec ? `${totalMin}m ${sec}s` : `${totalMin}m`;
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return m ? `${h}h ${m}m` : `${h}h`;
}

/** Minutes as a duration: 60 → 1h, 1440 → 24h. */
export const minutes = (m: number): string => duration(m * 60_000);

/** An ISO time as "2025-11-21 12:00" (UTC, as stored). */
export const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** Leverage is weighted activity per dollar spent: this unit goes in its column header or after the number. */
export const LEVERAGE_UNIT = 'activity per $';
export const LEVERAGE_HEADER = `leverage (${LEVERAGE_UNIT})`;

/** A leverage value alone (its unit in the header); "-" when nothing was spent. */
export const leverage = (n: number | null): string => (n === null ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

/** A leverage value with its unit, for sentences. */
export const leverageWithUnit = (n: number | null): string => (n === null ? '- (nothing spent)' : `${leverage(n)} ${LEVERAGE_UNIT}`);

/** Waste kinds in words. */
export const WASTE_LABEL: Record<string, string> = {
  failed_retry: 'failing command retried', repeated_call: 'identical call loop', ping_pong: 'A→B→A→B ping-pong',
  edit_revert: 'edit reverted', redundant_read: 'redundant file re-read', repeated_search: 'repeated search',
  failed_tool: 'failed tool call', failed_model: 'failed model call',
};

/** Waste kinds as the short marks a session tree puts on the spans they apply to. */
export const WASTE_MARK: Record<string, string> = {
  failed_retry: 'RETRY', repeated_call: 'LOOP', ping_pong: 'PING-PONG', edit_revert: 'REVERT',
  redundant_read: 'RE-READ', repeated_search: 'RE-SEARCH', failed_tool: 'FAILED', failed_model: 'FAILED',
};

/** Why spend counts as runaway, in words. */
export const RUNAWAY_REASON: Record<string, string> = {
  spend_budget: 'over spend budget', call_budget: 'over call budget',
  spend_spike: 'spend spike', call_spike: 'call spike',
};

/** A code in words: its label, else the code with underscores as spaces (never a raw snake_case code). */
export const words = (labels: Record<string, string>, code: string): string => labels[code] ?? code.replace(/_/g, ' ');

/** Grouping dimensions in words (the API's useCase is "use case"). */
export const dimension = (by: string): string => (by === 'useCase' ? 'use case' : by);

/** The scope filters and the flags that set them, in the order the CLI lists them. */
const FILTER_FLAGS: [keyof QueryParams, string][] = [
  ['team', '--team'], ['repository', '--repository'], ['harness', '--harness'], ['useCase', '--use-case'], ['user', '--user'],
];

/** A wider --since than the one given, as a hint. */
function widerSince(since: string): string {
  const ladder = ['24h', '7d', '30d', '90d', '365d'];
  const ms = (v: string) => {
    const m = /^(\d+)(m|h|d|w)$/.exec(v);
    return m ? Number(m[1]) * { m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 'm']! : undefined;
  };
  const current = ms(since);
  if (current === undefined) return 'an earlier --since';
  return `--since ${ladder.find((l) => ms(l)! > current) ?? '3650d'}`;
}

/**
 * What an empty answer says instead of empty tables: no sessions in the range,
 * and how to widen it (a longer --since, fewer filters), or how to get sessions at all.
 */
export function noSessions(p: QueryParams): string {
  const drop = [...(p.until ? ['--until'] : []), ...FILTER_FLAGS.filter(([k]) => p[k]).map(([, flag]) => flag)];
  const ways = [...(p.since ? [`try ${widerSince(p.since)}`] : []), ...(drop.length ? [`drop ${drop.join(', ')}`] : [])];
  if (ways.length === 0) return `no sessions in project "${p.project || 'default'}" yet: send spans to "fulcrum serve", import transcripts ("fulcrum import") or try "fulcrum demo"\n`;
  return `no sessions in this range; to widen it, ${ways.join(' or ')}\n`;
}

/** "3 calls to unpriced models are not in $ (...)": what spend leaves out; '' when nothing is. */
export function unpricedText(n: number | undefined): string {
  if (!n) return '';
  return `${plural(n, 'call')} to unpriced models ${Math.round(n) === 1 ? 'is' : 'are'} not in $ (add them under prices in the config file)`;
}
