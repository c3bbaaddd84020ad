import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, wasteHotspots, type WasteHotspots } from '@fulcrum/query';
import { loop, T0, type SessionSpec } from './fixtures.js';
import { seed, type Seeded } from './seed.js';

const DAY = 86_400_000;
const read = (path: string) => ({ tool: 'Read', hash: `read ${path}`, extra: { 'fulcrum.file.path': path } });
const failing = (command: string) => ({ tool: 'Bash', hash: command, extra: { 'fulcrum.command': command, 'fulcrum.success': false } });
const run = (command: string) => ({ tool: 'Bash', hash: command, extra: { 'fulcrum.command': command } });

const SESSIONS: SessionSpec[] = [
  // The same file read three times in a row: a loop, its 2nd and 3rd reads wasted at $0.50 each.
  { session: 'looper', spans: loop([read('src/billing.ts'), read('src/billing.ts'), read('src/billing.ts')], 0.5) },
  // The same file read again unchanged: $0.10 more on it, of another kind, in another session.
  { session: 'reread', spans: loop([read('src/billing.ts'), read('src/billing.ts')], 0.1) },
  // A re-read after a shell command of unknown effect: waste on partial evidence only, never a hotspot.
  { session: 'partial', spans: loop([read('src/partial.ts'), run('./script.sh'), read('src/partial.ts')], 0.3) },
  { session: 'reread-util', spans: loop([read('src/util.ts'), read('src/util.ts')], 0.01) },
  // A failing test run retried three times: $0.30 of retries and the first failure's $0.10.
  { session: 'retry', spans: loop([1, 2, 3, 4].map(() => failing('npm test')), 0.1) },
  { session: 'pingpong', spans: loop([run('npm run build'), run('npm run lint'), run('npm run build'), run('npm run lint')], 0.02) },
  // Another team's, bigger loop; and a later failure.
  { session: 'mobile-loop', team: 'mobile', repository: 'acme/app', spans: loop([read('app/main.ts'), read('app/main.ts'), read('app/main.ts')], 2) },
  { session: 'late', offsetMs: 2 * DAY, spans: loop([failing('make deploy'), failing('make deploy')], 0.05) },
];
const SECRET: SessionSpec[] = [{ session: 'secret', spans: loop([read('secret.ts'), read('secret.ts'), read('secret.ts'), failing('make publish'), failing('make publish')], 50) }];

let db: Seeded;
const rounded = (h: WasteHotspots) => ({
  files: h.files.map((f) => ({ ...f, costUsd: Number(f.costUsd.toFixed(6)) })),
  commands: h.commands.map((c) => ({ ...c, costUsd: Number(c.costUsd.toFixed(6)) })),
});

beforeAll(async () => {
  db = await seed({ default: SESSIONS, other: SECRET });
});
afterAll(async () => db?.close());

describe('waste hotspots', () => {
  it('ranks the file looped on three times first, with its $ and its kinds', async () => {
    const h = rounded(await wasteHotspots(db.client, { project: 'default', team: 'payments' }));
    expect(h.files).toEqual([
      { filePath: 'src/billing.ts', findings: 2, sessions: 2, costUsd: 1.1, tokens: 3000, kinds: ['redundant_read', 'repeated_call'] },
      { filePath: 'src/util.ts', findings: 1, sessions: 1, costUsd: 0.01, tokens: 1000, kinds: ['redundant_read'] },
    ]);
    expect(h.commands).toEqual([
      { command: 'npm test', findings: 2, sessions: 1, costUsd: 0.4, tokens: 4000, kinds: ['failed_retry', 'failed_tool'] },
      { command: 'make deploy', findings: 2, sessions: 1, costUsd: 0.1, tokens: 2000, kinds: ['failed_retry', 'failed_tool'] },
      { command: 'npm run build', findings: 1, sessions: 1, costUsd: 0.02, tokens: 1000, kinds: ['ping_pong'] },
      { command: 'npm run lint', findings: 1, sessions: 1, costUsd: 0.02, tokens: 1000, kinds: ['ping_pong'] },
    ]);
  });

  it('is scoped like the report: by team, repository and when sessions started', async () => {
    const all = await wasteHotspots(db.client, { project: 'default' });
    expect(all.files.map((f) => [f.filePath, Number(f.costUsd.toFixed(6))])).toEqual([['app/main.ts', 4], ['src/billing.ts', 1.1], ['src/util.ts', 0.01]]);
    const app = await wasteHotspots(db.client, { project: 'default', repository: 'acme/app' });
    expect({ files: app.files.map((f) => f.filePath), commands: app.commands }).toEqual({ files: ['app/main.ts'], commands: [] });
    const later = await wasteHotspots(db.client, { project: 'default', since: new Date(T0 + DAY) });
    expect({ files: later.files, commands: later.commands.map((c) => c.command) }).toEqual({ files: [], commands: ['make deploy'] });
  });

  it('keeps to the limit asked for', async () => {
    const h = await wasteHotspots(db.client, { project: 'default' }, { limit: 1 });
    expect([h.files.map((f) => f.filePath), h.commands.map((c) => c.command)]).toEqual([['app/main.ts'], ['npm test']]);
  });

  it('is answered by GET /api/reports/waste/hotspots, apart from the report', async () => {
    const scope = { project: 'default', team: 'payments' };
    const res = await db.server.app.inject({ method: 'GET', url: '/api/reports/waste/hotspots?team=payments' });
    expect(res.statusCode).toBe(200);
    const answered = res.json() as Awaited<ReturnType<typeof wasteHotspots>>;
    expect(answered).toEqual(await wasteHotspots(db.client, scope));
    expect(answered.files[0]!.filePath).toBe('src/billing.ts');
    // The re-read after an unknown shell command is partial waste: listed with the report's partial findings, never a hotspot.
    const report = await buildReport(db.client, scope);
    expect(report.waste.partial.findings.map((f) => [f.filePath, f.kind])).toEqual([['src/partial.ts', 'redundant_read']]);
    expect(answered.files.map((f) => f.filePath)).not.toContain('src/partial.ts');
  });

  it('never shows another project\'s files or commands', async () => {
    const mine = await wasteHotspots(db.client, { project: 'default' }, { limit: 100 });
    expect(mine.files.map((f) => f.filePath)).not.toContain('secret.ts');
    expect(mine.commands.map((c) => c.command)).not.toContain('make publish');
    const theirs = rounded(await wasteHotspots(db.client, { project: 'other' }));
    expect(theirs.files).toEqual([{ filePath: 'secret.ts', findings: 1, sessions: 1, costUsd: 100, tokens: 2000, kinds: ['repeated_call'] }]);
    expect(theirs.commands.map((c) => [c.command, c.costUsd])).toEqual([['make publish', 100]]);
  });
});
