import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { outcomesByGroup } from '@fulcrum/query';
import { demoSessions, demoWeek } from '@fulcrum/cli/demo/scenario';
import { sendSessions } from '@fulcrum/cli/demo/send';
import { buildDashboards, DASHBOARDS } from '../../deploy/dashboards/build.js';
import { FORMAT, MAX_PANEL_SQL_BYTES, PLUGIN_VERSION, TRACE_TABLE, type PanelSpec } from '../../deploy/dashboards/model.js';
import { tempDataDir } from '../helpers/store.js';
import { post } from '../helpers/otlp.js';
import { expand, type ExpandContext, type VariableState } from './grafana-macros.js';

/*
 * Every panel of every committed dashboard, expanded the way Grafana and the
 * ClickHouse plugin expand it, run on the embedded store holding the demo
 * week (sent through the real ingest over OTLP) plus sessions with MCP and
 * skill calls the demo lacks, all analysed (panels read the materialised
 * session summaries and span verdicts).
 */

const DIR = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const JSONS = Object.fromEntries(FILES.map((f) => [f, JSON.parse(readFileSync(DIR + f, 'utf8'))]));
const PROVISIONED_UID = 'fulcrum-clickhouse';

let server: RunningServer;

/** A fixed day, so the demo's week (which ends on the day it runs) is the same whenever this runs. */
const DAY = Date.UTC(2025, 10, 24);
const WEEK = demoWeek(DAY);
const FROM = new Date(WEEK.start - 86_400_000);
const TO = new Date(WEEK.end + 86_400_000);

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, logger: false });
  await sendSessions(server.url, demoSessions(84, 42, DAY));
  const r = await post(`${server.url}/v1/traces`, mcpAndSkillSessions(), 'application/json');
  expect(r.status).toBe(200);
  // A team no person is known in: its outcomes are withheld.
  const small = await post(`${server.url}/v1/traces`, mcpAndSkillSessions([['research', 'acme/lab']], 6), 'application/json');
  expect(small.status).toBe(200);
  await server.app.spanWriter.flush();
  const analysed = await server.app.analyser.runNow(0);
  expect(analysed.sessions).toBe(84 + 6 + 2);
  // Outcomes as a git sync would materialise them: every third session landed half its lines in a commit of its own.
  await server.app.store.client.command({
    query: `INSERT INTO session_outcomes (Project, Repository, Branch, SessionId, Commits, LandedLines, AbandonedBefore, LinkedAt, ComputedAt)
      SELECT Project, Repository, 'main', SessionId, if(cityHash64(SessionId) % 3 = 0, [lower(hex(SHA1(SessionId)))], []), if(cityHash64(SessionId) % 3 = 0, LinesAdded / 2, 0),
        End + INTERVAL 1 SECOND, now64(3), now64(3)
      FROM session_summaries FINAL WHERE Project = 'default'`,
  });
}, 120_000);
afterAll(async () => server?.close());

async function run(sql: string): Promise<{ meta: { name: string; type: string }[]; data: Record<string, unknown>[] }> {
  const rs = await server.app.store.client.query({ query: sql, format: 'JSON' });
  const { meta, data } = await rs.json<Record<string, unknown>>();
  expect(meta, 'the JSON format carries the columns').toBeDefined();
  return { meta: meta!, data };
}

function context(vars: Record<string, VariableState> = {}): ExpandContext {
  return {
    from: FROM,
    to: TO,
    intervalMs: 3_600_000,
    variables: { project: { current: 'default' }, team: { current: ['$__all'] }, repository: { current: ['$__all'] }, ...vars },
  };
}

function panels(file: string): { id: number; type: string; title: string; targets: { rawSql: string; datasource: { uid: string } }[]; fieldConfig: any }[] {
  return JSONS[file].panels;
}

describe('dashboards', () => {
  it('are the four dashboards, committed as built from the query package', async () => {
    expect(FILES).toEqual(Object.keys(DASHBOARDS).sort());
    const built = await buildDashboards();
    for (const f of FILES) expect(readFileSync(DIR + f, 'utf8'), `${f} is stale: npx tsc -b && npx vite-node deploy/dashboards/write.ts`).toBe(built[f]);
  });

  it.each(FILES)('%s has a uid, a title, and names its datasource only through the datasource variable', (f) => {
    const d = JSONS[f];
    expect(d.uid).toMatch(/^fulcrum-[a-z]+$/);
    expect(d.title).toMatch(/^Fulcrum \/ /);
    const dsVar = d.templating.list.find((v: any) => v.name === 'datasource');
    expect(dsVar).toMatchObject({ type: 'datasource', query: 'grafana-clickhouse-datasource' });
    const refs: unknown[] = [];
    const walk = (x: unknown, key = ''): void => {
      if (Array.isArray(x)) x.forEach((y) => walk(y));
      else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, k);
      else if (key === 'datasource' || key === 'uid' || key === 'datasourceUid') refs.push(x);
      if (x === PROVISIONED_UID) throw new Error(`${f} names the provisioned datasource uid`);
    };
    walk(d);
    for (const v of d.templating.list) if (v.datasource) expect(v.datasource.uid).toBe('${datasource}');
    for (const p of d.panels) {
      expect(p.datasource.uid).toBe('${datasource}');
      for (const t of p.targets) expect(t.datasource.uid).toBe('${datasource}');
    }
    // The only uid strings are the dashboard's own and the variable reference.
    expect(refs.filter((r) => r !== d.uid && r !== '${datasource}')).toEqual([]);
  });

  it.each(FILES)('%s filters every query by project, team and repository, bounding sessions by start and spans by timestamp', (f) => {
    for (const p of panels(f)) {
      for (const t of p.targets) {
        expect(t.rawSql, p.title).toContain('Project = ${project:singlequote}');
        expect(t.rawSql, p.title).toContain('$__conditionalAll(Team IN (${team:singlequote}), $team)');
        expect(t.rawSql, p.title).toContain('$__conditionalAll(Repository IN (${repository:singlequote}), $repository)');
        // Sessions count whole, in the interval they started in; spans by their own start.
        const summaries = t.rawSql.includes('FROM session_summaries');
        const spans = /FROM spans\b/.test(t.rawSql);
        expect(summaries || spans, p.title).toBe(true);
        expect(t.rawSql.includes('$__timeFilter(Start)'), p.title).toBe(summaries);
        expect(t.rawSql.includes('$__timeFilter(Timestamp)'), p.title).toBe(spans);
        expect(t.rawSql, p.title).not.toMatch(/\$__timeFilter\((?!Start\)|Timestamp\))/);
        // Cleared verdicts are no waste.
        if (t.rawSql.includes('span_verdicts')) expect(t.rawSql, p.title).toContain("Kind != ''");
      }
    }
    const project = JSONS[f].templating.list.find((v: any) => v.name === 'project');
    expect(project.current.value).toBe('default');
    for (const name of ['team', 'repository']) {
      expect(JSONS[f].templating.list.find((v: any) => v.name === name)).toMatchObject({ multi: true, includeAll: true });
    }
  });

  it.each(FILES)('%s: every panel carries less than 2 KB of SQL', (f) => {
    expect(MAX_PANEL_SQL_BYTES).toBe(2048);
    for (const p of panels(f)) {
      for (const t of p.targets) expect(Buffer.byteLength(t.rawSql, 'utf8'), p.title).toBeLessThan(2048);
    }
  });

  it.each(FILES)('%s: every variable query runs and offers values', async (f) => {
    for (const v of JSONS[f].templating.list.filter((x: any) => x.type === 'query')) {
      const r = await run(expand(v.query, context()));
      expect(r.data.length, v.name).toBeGreaterThan(0);
    }
  });
});

describe.each(FILES)('%s panels on the demo week', (f) => {
  it('every panel returns rows with the columns its visualisation needs', async () => {
    const specs = await specPanels(f);
    for (const p of panels(f)) {
      const spec = specs[p.id - 1]!;
      expect(spec.title).toBe(p.title);
      const sql = expand(p.targets[0]!.rawSql, context());
      expect(sql, p.title).not.toMatch(/\$__|\$\{|\$\w|\[\[/);
      const r = await run(sql);
      expect(r.data.length, `${p.title}: rows`).toBeGreaterThan(0);
      const names = r.meta.map((m) => m.name);
      expect(names, p.title).toEqual(expect.arrayContaining(spec.needs.columns));
      // No individual view: no panel returns who ran a session.
      expect(names.filter((n) => /user/i.test(n)), p.title).toEqual([]);
      if (spec.needs.time) {
        expect(names[0], p.title).toBe('time');
        expect(r.meta[0]!.type, p.title).toMatch(/^DateTime/);
      }
      if (p.type === 'timeseries' || p.type === 'stat' || p.type === 'barchart') {
        expect(r.meta.some((m) => /Int|Float|Decimal/.test(m.type)), `${p.title}: a numeric field`).toBe(true);
      }
    }
  });

  it('every panel narrows to one team and one repository, and finds nothing in another project', async () => {
    const one = context({ team: { current: ['payments'] }, repository: { current: ['acme/payments-api'] } });
    const none = context({ project: { current: 'no-such-project' } });
    for (const p of panels(f)) {
      const r = await run(expand(p.targets[0]!.rawSql, one));
      const teams = new Set(r.data.map((row) => row.team).filter((t) => t !== undefined));
      for (const t of teams) expect(['payments'], p.title).toContain(t);
      const repos = new Set(r.data.map((row) => row.repository).filter((t) => t !== undefined));
      for (const t of repos) expect(['acme/payments-api'], p.title).toContain(t);
      const empty = await run(expand(p.targets[0]!.rawSql, none));
      const numbers = empty.data.flatMap((row) => Object.values(row).filter((v) => typeof v === 'number' && v !== 0));
      expect(numbers, `${p.title} in another project`).toEqual([]);
    }
  });
});

describe('the outcomes panel', () => {
  it('shows per team what the API shows, withholding teams of fewer than 5 people', async () => {
    const panel = panels('overview.json').find((p) => p.title === 'Outcomes by team')!;
    const shown = (await run(expand(panel.targets[0]!.rawSql, context()))).data;
    const api = await outcomesByGroup(server.app.store.client, { project: 'default', since: FROM, until: TO }, { by: 'team' });
    expect(api.groups.filter((g) => g.withheld).map((g) => g.key)).toEqual(['research']);
    expect(api.groups.filter((g) => !g.withheld && (g.landedLines ?? 0) > 0).length).toBeGreaterThan(0);
    expect(shown.map((r) => r.team)).toEqual(api.groups.map((g) => g.key || '(none)'));
    for (const g of api.groups) {
      const row = shown.find((r) => r.team === (g.key || '(none)'))!;
      expect(row.privacy, g.key).toBe(g.withheld ? 'withheld: under 5 people' : '');
      expect(row.landedCommits, g.key).toBe(g.commits);
      expect(row.abandoned, g.key).toBe(g.abandonedUsd);
      if (g.landedLines === null) expect(row.agentLinesLanded).toBeNull();
      else expect(row.agentLinesLanded as number).toBeCloseTo(g.landedLines, 9);
      if (g.costPerAcceptedChange === null) expect(row.usdPerCommit).toBeNull();
      else expect(row.usdPerCommit as number).toBeCloseTo(g.costPerAcceptedChange, 9);
    }
  });
});

describe('sessions link to their trace', () => {
  it("opens Explore on the row's trace with a complete plugin 4.x trace query that reads the deduplicated view", async () => {
    const table = panels('sessions.json')[0]!;
    const link = table.fieldConfig.overrides.find((o: any) => o.matcher.options === 'sessionId').properties[0].value[0];
    const url = new URL(link.url, 'http://grafana');
    expect(url.pathname).toBe('/explore');
    const panes = JSON.parse(url.searchParams.get('panes')!);
    const pane = Object.values(panes)[0] as any;
    expect(pane.datasource).toBe('${datasource}');
    const q = pane.queries[0];
    // Without pluginVersion the plugin migrates the query as a 3.x one (rawSql emptied, format lost);
    // format 3 is what makes the plugin's response a trace frame.
    expect(q).toMatchObject({ pluginVersion: PLUGIN_VERSION, editorType: 'sql', queryType: 'traces', format: FORMAT.traces, datasource: { uid: '${datasource}' } });
    expect(q.format).toBe(3);
    expect(q.rawSql.trim()).not.toBe('');
    expect(q.rawSql).toContain(`FROM "${TRACE_TABLE}"`);
    expect(q.rawSql).toContain("traceID = '${__data.fields.traceId}'");
    expect(q.rawSql).toMatch(/"Events"\.Name.* AS logs/);
    expect(q.rawSql).toMatch(/"Links"\.TraceId.* AS references/);
    // The options the SQL was generated from, where the plugin keeps them for SQL-editor queries.
    expect(q.meta.builderOptions).toMatchObject({
      table: TRACE_TABLE,
      queryType: 'traces',
      meta: { isTraceIdMode: true, traceId: '${__data.fields.traceId}', otelEnabled: true, traceEventsColumnPrefix: 'Events', traceLinksColumnPrefix: 'Links', flattenNested: false },
    });

    // The link takes the row's traceId column.
    expect(table.targets[0]!.rawSql).toMatch(/ AS traceId\b/);

    // Following the link: Grafana puts the row's trace id in, the plugin runs the SQL as is.
    await ensureTraceView();
    const traceId = (await run('SELECT TraceId FROM spans FINAL GROUP BY TraceId ORDER BY count() DESC, TraceId LIMIT 1')).data[0]!.TraceId as string;
    const trace = (await run(q.rawSql.replaceAll('${__data.fields.traceId}', traceId))).data;
    expect(trace.length).toBeGreaterThan(2);
    expect(trace.every((s) => s.traceID === traceId)).toBe(true);
    expect(new Set(trace.map((s) => s.spanID)).size).toBe(trace.length);
    expect(trace.filter((s) => s.parentSpanID === '')).toHaveLength(1);
    expect(trace.every((s) => s.serviceName !== '' && (s.tags as unknown[]).length > 0)).toBe(true);
    expect(trace.every((s) => Array.isArray(s.logs) && Array.isArray(s.references))).toBe(true);
  });
});

/**
 * The trace view's table, which a store migration creates as this very view.
 * IF NOT EXISTS: a no-op on a store that has it, and the same view on one
 * migrated by a tree without that migration.
 */
async function ensureTraceView(): Promise<void> {
  await server.app.store.client.command({ query: `CREATE VIEW IF NOT EXISTS ${TRACE_TABLE} AS SELECT * FROM spans FINAL` });
}

/** The spec behind each panel, in panel order (ids 1..n): what its visualisation needs. */
async function specPanels(file: string): Promise<PanelSpec[]> {
  return (await DASHBOARDS[file as keyof typeof DASHBOARDS]()).panels;
}

/** Two sessions per team with MCP tool calls (one server failing) and skill invocations, inside the demo week. */
const MCP_TEAMS: readonly (readonly [string, string])[] = [['payments', 'acme/payments-api'], ['platform', 'acme/infra'], ['mobile', 'acme/ios-app']];

/** Two sessions per team, numbered from `first`; sent with no user, so a team of only these covers no person. */
function mcpAndSkillSessions(teams = MCP_TEAMS, first = 0): string {
  const kv = (o: Record<string, string | number | boolean>) =>
    Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } }));
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
  const resourceSpans = teams.flatMap(([team, repo], ti) => [0, 1].map((k) => {
    const s = first + ti * 2 + k;
    const traceId = hex(0xabc000 + s, 32);
    const session = `mcp-session-${s}`;
    let t = BigInt(WEEK.start + (s + 1) * 3_600_000) * 1_000_000n;
    let n = 0;
    const spans: unknown[] = [];
    const add = (name: string, parent: string, attrs: Record<string, string | number | boolean>, ok = true) => {
      const spanId = hex(s * 1000 + ++n, 16);
      spans.push({
        traceId, spanId, parentSpanId: parent, name, kind: 1,
        startTimeUnixNano: String(t), endTimeUnixNano: String(t + 500_000_000n),
        attributes: kv({ 'gen_ai.conversation.id': session, ...attrs }),
        status: ok ? { code: 1 } : { code: 2, message: 'tool error' },
      });
      t += 1_000_000_000n;
      return spanId;
    };
    const root = add('invoke_agent', '', { 'fulcrum.span.type': 'session', 'gen_ai.operation.name': 'invoke_agent' });
    for (let i = 0; i < 3; i++) {
      add('chat claude-sonnet-4-5', root, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 3000, 'gen_ai.usage.output_tokens': 400 });
      add('tools/call search_issues', root, { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search_issues', 'fulcrum.mcp.server': 'github', 'fulcrum.tool.result_size': 2000 }, i !== 2 || k === 0);
      add('tools/call query', root, { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'query', 'fulcrum.mcp.server': 'postgres' }, false);
    }
    add('chat claude-sonnet-4-5', root, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 300 });
    add('skill pdf-report', root, { 'fulcrum.span.type': 'skill', 'fulcrum.skill.name': 'pdf-report' });
    return {
      resource: { attributes: kv({ 'service.name': 'claude-code', 'fulcrum.harness': 'claude-code', 'fulcrum.team': team, 'fulcrum.repository': repo, 'fulcrum.use_case': 'feature' }) },
      scopeSpans: [{ scope: { name: 'test' }, spans }],
    };
  }));
  return JSON.stringify({ resourceSpans });
}
