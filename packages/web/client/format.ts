// How figures read: money as $1,234.56, estimates marked ≈, tokens and durations short.

const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** $1,234.56; a sub-cent amount keeps four places ($0.0042) so a cheap call does not read as free. */
export function money(usd: number, estimated = false): string {
  const v = Number(usd) || 0;
  const s = v !== 0 && Math.abs(v) < 0.01 ? usd4.format(v) : usd2.format(v);
  return estimated && v !== 0 ? `≈${s}` : s;
}

/** 1,234 / 12.3k / 4.5M tokens. */
export function tokens(n: number): string {
  const v = Number(n) || 0;
  if (Math.abs(v) >= 1e6) return `${dec1.format(v / 1e6)}M`;
  if (Math.abs(v) >= 1e4) return `${dec1.format(v / 1e3)}k`;
  return int.format(v);
}

export const count = (n: number): string => int.format(Number(n) || 0);

/** Leverage is weighted activity per $: one decimal, or — when there is no spend to divide by. */
export const leverage = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : dec1.format(v));

export const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${dec1.format(v * 100)}%`);

/** 850 ms / 3.2 s / 4m 05s / 1h 02m. */
export function duration(ms: number): string {
  const v = Math.max(0, Number(ms) || 0);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)} s`;
  const s = Math.round(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An offset from the session's start: +0:00.000 style, short. */
export function offset(ms: number): string {
  const v = Math.max(0, Math.round(ms));
  const m = Math.floor(v / 60_000);
  const s = ((v % 60_000) / 1000).toFixed(1).padStart(4, '0');
  return `+${m}:${s}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** 30 Nov 2026, 14:05 (local time). */
export const when = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
};

/** An id as shown: whole up to 20 characters (demo-20261130-050), else its first 8 (a UUID's, like git's short hashes). */
export const shortId = (id: string): string => (id.length > 20 ? id.slice(0, 8) : id);

/** A waste kind as words: repeated_call → repeated call. */
export const kindLabel = (kind: string): string => kind.replace(/_/g, ' ');

/** '' groups (sessions without a team, say) read as "(none)". */
export const groupKey = (key: string): string => key || '(none)';
