import { rng } from './random.js';

/** One demo tool call: a harness tool name and the arguments it was called with. */
export interface DemoCall {
  tool: string;
  args: Record<string, unknown>;
  resultSize: number;
  ok?: boolean;
  /** Spawned subagent's own calls (a Task call). */
  sub?: DemoCall[];
  /** A skill invocation or an MCP tool call instead of a built-in tool. */
  via?: { skill: string } | { mcpServer: string };
}

export type SessionStyle = 'efficient' | 'looping' | 'rereading' | 'failing' | 'pingpong' | 'runaway';

export interface DemoSession {
  id: string;
  team: string;
  repository: string;
  harness: string;
  useCase: string;
  user: string;
  model: string;
  style: SessionStyle;
  /** Ms since the epoch. */
  start: number;
  calls: DemoCall[];
}

const TEAMS = {
  payments: ['acme/payments-api', 'acme/ledger'],
  platform: ['acme/infra', 'acme/ci-pipelines'],
  mobile: ['acme/ios-app', 'acme/android-app'],
} as const;
const HARNESSES = ['claude-code', 'claude-code', 'codex', 'gemini-cli'] as const;
const MODELS: Record<string, string> = { 'claude-code': 'claude-sonnet-4-5', codex: 'gpt-5', 'gemini-cli': 'gemini-2.5-pro' };
const USE_CASES = ['feature', 'bugfix', 'refactor', 'review', 'migration'] as const;
const FILES = ['src/server.ts', 'src/routes/pay.ts', 'src/db/ledger.ts', 'src/util/money.ts', 'test/pay.test.ts', 'README.md'];
const DAY_MS = 86_400_000;

/** The UTC day (its midnight, in ms) a moment falls on: the demo's day. */
export function demoDay(now = Date.now()): number {
  return now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The demo's week, which ends on its day: sessions start from six days before
 * that day's midnight (UTC) until an hour before it. So `--since 7d` and
 * Grafana's "Last 7 days" show every session at any hour of the day, and no
 * session lies in the future. The same day gives the same week, spans and ids,
 * so re-running the demo that day stores nothing twice; another day is another
 * week, with other ids.
 */
export function demoWeek(day = demoDay()): { start: number; end: number } {
  return { start: day - 6 * DAY_MS, end: day - 3_600_000 };
}

/** "demo-20261130-007": the day is part of every id, so two days' weeks never share a session, trace or span id. */
function sessionId(day: number, i: number): string {
  return `demo-${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}-${String(i).padStart(3, '0')}`;
}

const read = (file: string, offset?: number, limit?: number): DemoCall => ({ tool: 'Read', args: { file_path: file, ...(offset ? { offset, limit } : {}) }, resultSize: limit ? limit * 40 : 6000 });
const edit = (file: string, n: number): DemoCall => ({ tool: 'Edit', args: { file_path: file, old_string: `const v${n} = 1;\nreturn v${n};`, new_string: `const v${n} = compute(${n});\nlog(v${n});\nreturn v${n};` }, resultSize: 200 });
const write = (file: string, lines: number): DemoCall => ({ tool: 'Write', args: { file_path: file, content: Array.from({ length: lines }, (_, i) => `line ${i}`).join('\n') }, resultSize: 100 });
const bash = (command: string, ok = true, size = 1500): DemoCall => ({ tool: 'Bash', args: { command }, resultSize: size, ok });
const grep = (pattern: string): DemoCall => ({ tool: 'Grep', args: { pattern, path: 'src' }, resultSize: 900 });
const skill = (name: string): DemoCall => ({ tool: name, args: {}, resultSize: 1200, via: { skill: name } });
const mcp = (server: string, tool: string, args: Record<string, unknown>): DemoCall => ({ tool, args, resultSize: 2500, via: { mcpServer: server } });

function calls(style: SessionStyle, r: ReturnType<typeof rng>): DemoCall[] {
  const f = r.pick(FILES);
  const g = r.pick(FILES.filter((x) => x !== f));
  const base = [grep('TODO'), read(f), edit(f, 1), read(g, 1, 80), edit(g, 2), write(`src/new-${r.int(1, 99)}.ts`, r.int(20, 120)), bash('npm test')];
  if (style === 'efficient') {
    const extras = [skill(r.pick(['code-review', 'write-tests', 'release-notes'])), mcp(r.pick(['github', 'linear', 'sentry']), 'search_issues', { query: `bug in ${f}` })];
    return [...base.slice(0, 2), ...extras.slice(0, r.int(1, 2)), ...base.slice(2), { tool: 'Task', args: { description: 'review the change' }, resultSize: 800, sub: [read(f), grep('export function')] }];
  }
  if (style === 'looping') return [...base.slice(0, 3), ...Array.from({ length: r.int(4, 7) }, () => bash('curl -s localhost:3000/health', true, 300)), ...base.slice(3)];
  if (style === 'rereading') return [read(f), read(g), read(f), grep('TODO'), read(f, 10, 40), grep('TODO'), edit(f, 3), read(f), ...base.slice(5)];
  if (style === 'failing') return [...base.slice(0, 5), bash('npm run build', false), bash('npm run build', false), bash('npm run build', false), bash('npm run build', false), edit(f, 4), bash('npm run build')];
  if (style === 'pingpong') return [...base.slice(0, 2), bash('npm run lint'), bash('npm run format'), bash('npm run lint'), bash('npm run format'), bash('npm run lint'), ...base.slice(4)];
  return Array.from({ length: 220 }, (_, i) => (i % 3 === 0 ? read(r.pick(FILES)) : i % 3 === 1 ? bash(`npm test -- --shard ${i}`) : edit(r.pick(FILES), i)));
}

/**
 * A week of sessions for three teams, ending on `day` (see demoWeek): mostly
 * efficient, some looping, re-reading, failing, ping-ponging, and one runaway.
 */
export function demoSessions(count = 84, seed = 42, day = demoDay()): DemoSession[] {
  const r = rng(seed);
  const week = demoWeek(demoDay(day));
  // Each session starts in its own slot of the week, within its first half.
  const slot = (week.end - week.start) / count;
  const styles: SessionStyle[] = ['efficient', 'efficient', 'efficient', 'efficient', 'looping', 'rereading', 'failing', 'pingpong'];
  const out: DemoSession[] = [];
  for (let i = 0; i < count; i++) {
    const team = r.pick(Object.keys(TEAMS) as (keyof typeof TEAMS)[]);
    const harness = r.pick(HARNESSES);
    const style: SessionStyle = i === Math.floor(count * 0.6) ? 'runaway' : r.pick(styles);
    out.push({
      id: sessionId(week.start + 6 * DAY_MS, i),
      team: style === 'runaway' ? 'platform' : team,
      repository: style === 'runaway' ? 'acme/infra' : r.pick(TEAMS[team]),
      harness: style === 'runaway' ? 'claude-code' : harness,
      useCase: r.pick(USE_CASES),
      user: `dev${r.int(1, 12)}`,
      model: style === 'runaway' ? 'claude-opus-4-1' : MODELS[harness]!,
      style,
      start: week.start + Math.floor(i * slot) + r.int(0, Math.min(3_600_000, Math.floor(slot / 2))),
      calls: calls(style, r),
    });
  }
  return out;
}
