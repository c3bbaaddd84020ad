import { describe, expect, it } from 'vitest';
import { demoDay, demoSessions, demoWeek } from '@fulcrum/cli/demo/scenario';
import { sessionSpans } from '@fulcrum/cli/demo/spans';

/*
 * The demo's week ends on the day it runs, so `--since 7d` and Grafana's
 * "Last 7 days" show all of it at any hour; the same day gives the same ids
 * (a re-run stores nothing twice), another day other ids.
 */

const DAY_MS = 86_400_000;
const DAY = Date.UTC(2026, 10, 30);
const hrMs = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;

describe('the demo week', () => {
  it('is the UTC day of the moment it runs', () => {
    expect(demoDay(DAY)).toBe(DAY);
    expect(demoDay(DAY + DAY_MS - 1)).toBe(DAY);
    expect(demoDay(DAY - 1)).toBe(DAY - DAY_MS);
    expect(demoWeek(DAY)).toEqual({ start: DAY - 6 * DAY_MS, end: DAY - 3_600_000 });
  });

  for (const count of [10, 84, 5000]) {
    it(`lies wholly within the last 7 days at any hour of its day, and never in the future (${count} sessions)`, () => {
      const sessions = demoSessions(count, 42, DAY);
      expect(sessions).toHaveLength(count);
      const starts = sessions.map((s) => s.start);
      const ends = sessions.map((s) => Math.max(...sessionSpans(s).map((sp) => hrMs(sp.endTime as [number, number]))));
      // The latest moment of the day: --since 7d then starts at DAY + 1 day - 7 days.
      expect(Math.min(...starts)).toBeGreaterThan(DAY + DAY_MS - 1 - 7 * DAY_MS);
      // The earliest moment of the day: nothing has happened yet after it.
      expect(Math.max(...ends)).toBeLessThanOrEqual(DAY);
      // Spread over the week, not bunched up.
      expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(5 * DAY_MS);
    });
  }

  it('gives the same sessions, spans and ids for the same day, and other ids on another day', () => {
    const a = demoSessions(84, 42, DAY);
    const b = demoSessions(84, 42, DAY + 5 * 3_600_000); // later the same day
    expect(b).toEqual(a);
    expect(a.flatMap(sessionSpans).map((s) => s.spanContext().spanId)).toEqual(b.flatMap(sessionSpans).map((s) => s.spanContext().spanId));
    expect(a[7]!.id).toBe('demo-20261130-007');
    const next = demoSessions(84, 42, DAY + DAY_MS);
    const ids = new Set(a.flatMap(sessionSpans).map((s) => `${s.spanContext().traceId}/${s.spanContext().spanId}`));
    expect(next.flatMap(sessionSpans).filter((s) => ids.has(`${s.spanContext().traceId}/${s.spanContext().spanId}`))).toEqual([]);
    expect(next.filter((s) => a.some((x) => x.id === s.id))).toEqual([]);
  });
});
