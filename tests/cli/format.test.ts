import { describe, expect, it } from 'vitest';
import { count, duration, leverage, minutes, noSessions, plural, tokens, usd, words, RUNAWAY_REASON } from '@fulcrum/cli/render/format';

/* The one number style every table and Markdown renderer uses (JSON keeps raw numbers). */

describe('render/format', () => {
  it('writes dollars with 2 decimals from $1 up and 4 below', () => {
    expect([0.7779, 1.92, 0.0035, 49.2249, 100, 1234.5, 0.99996, 0.99994, 0, 0.00001, null].map(usd)).toEqual([
      '$0.7779', '$1.92', '$0.0035', '$49.22', '$100.00', '$1,234.50', '$1.00', '$0.9999', '$0.00', '<$0.0001', '-',
    ]);
  });

  it('writes tokens in k/M at every size above a thousand', () => {
    expect([0, 950, 999, 1000, 1575, 67_300, 99_960, 261_000, 999_600, 1_100_000, 12_540_000, 2_300_000_000].map(tokens)).toEqual([
      '0', '950', '999', '1.0k', '1.6k', '67.3k', '100k', '261k', '1.0M', '1.1M', '12.5M', '2.3B',
    ]);
  });

  it('writes plurals, counts, durations, leverage and codes as words', () => {
    expect([plural(1, 'session'), plural(2, 'session'), plural(0, 'span'), plural(1200, 'row')]).toEqual(['1 session', '2 sessions', '0 spans', '1,200 rows']);
    expect(count(5330)).toBe('5,330');
    expect([minutes(60), minutes(1440), minutes(5), minutes(90)]).toEqual(['1h', '24h', '5m', '1h 30m']);
    expect([duration(243), duration(5_940), duration(59_960), duration(114_000), duration(120_000)]).toEqual(['243ms', '5.9s', '1m', '1m 54s', '2m']);
    expect([leverage(86.684), leverage(1583.9), leverage(null)]).toEqual(['86.68', '1,583.90', '-']);
    expect(['spend_budget', 'call_budget', 'spend_spike', 'call_spike', 'new_reason'].map((c) => words(RUNAWAY_REASON, c))).toEqual([
      'over spend budget', 'over call budget', 'spend spike', 'call spike', 'new reason',
    ]);
  });

  it('says how to widen an empty range', () => {
    expect(noSessions({ since: '1h' })).toBe('no sessions in this range; to widen it, try --since 24h\n');
    expect(noSessions({ since: '30d', team: 'a', useCase: 'b' })).toBe('no sessions in this range; to widen it, try --since 90d or drop --team, --use-case\n');
    expect(noSessions({ since: '2026-01-01', until: '2026-02-01' })).toBe('no sessions in this range; to widen it, try an earlier --since or drop --until\n');
    expect(noSessions({ project: 'p' })).toBe('no sessions in project "p" yet: send spans to "fulcrum serve", import transcripts ("fulcrum import") or try "fulcrum demo"\n');
  });
});
