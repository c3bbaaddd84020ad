import { describe, expect, it } from 'vitest';
import { applyConditionalAll, expand, type ExpandContext } from './grafana-macros.js';

const ctx = (variables: ExpandContext['variables'] = {}): ExpandContext => ({
  from: new Date('2025-11-17T00:00:00Z'),
  to: new Date('2025-11-24T00:00:00Z'),
  intervalMs: 3_600_000,
  variables,
});

describe('Grafana and ClickHouse plugin expansion', () => {
  it('keeps a conditional for a selection and drops it for All or nothing, as the plugin does', () => {
    const sql = 'SELECT * FROM t WHERE $__conditionalAll(location IN ($loc), $loc)';
    expect(applyConditionalAll(sql, { loc: { current: 'Berlin' } })).toBe('SELECT * FROM t WHERE location IN ($loc)');
    expect(applyConditionalAll(sql, { loc: { current: ['$__all'] } })).toBe('SELECT * FROM t WHERE 1=1');
    expect(applyConditionalAll(sql, { loc: { current: '' } })).toBe('SELECT * FROM t WHERE 1=1');
    // The plugin drops one character before the name: ${loc} is never recognised, so the condition stays.
    expect(applyConditionalAll('$__conditionalAll(a IN (${loc}), ${loc})', { loc: { current: '$__all' } })).toBe('a IN (${loc})');
  });

  it('formats multi-value, All and single-quoted variables', () => {
    const vars = { team: { current: ['a', "o'b"], options: ['a', "o'b", 'c'] }, all: { current: ['$__all'], options: ['x', 'y'] }, p: { current: 'default' } };
    expect(expand("IN (${team:singlequote}) ${p:singlequote} $p IN ($all) [[p]]", ctx(vars))).toBe("IN ('a','o\\'b') 'default' default IN ('x','y') default");
  });

  it('expands the time macros to Unix-second DateTimes and the interval to whole seconds', () => {
    const from = Date.UTC(2025, 10, 17) / 1000;
    const to = Date.UTC(2025, 10, 24) / 1000;
    expect(expand('WHERE $__timeFilter(Timestamp) AND x > $__fromTime AND x < $__toTime', ctx())).toBe(
      `WHERE Timestamp >= toDateTime(${from}) AND Timestamp <= toDateTime(${to}) AND x > toDateTime(${from}) AND x < toDateTime(${to})`,
    );
    expect(expand('$__timeInterval(Start)', ctx())).toBe('toStartOfInterval(toDateTime(Start), INTERVAL 3600 second)');
    expect(expand('$__timeFilter_ms(t)', ctx())).toBe(`t >= fromUnixTimestamp64Milli(${from * 1000}) AND t <= fromUnixTimestamp64Milli(${to * 1000})`);
    expect(expand('$__unknownMacro(x) $nope', ctx())).toBe('$__unknownMacro(x) $nope');
  });
});
