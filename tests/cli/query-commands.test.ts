import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';
import { loop, send } from '../query/fixtures.js';
import { runCli } from '../helpers/cli.js';

const cli = (...args: string[]) => runCli(args);

let server: RunningServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = tempDataDir();
  server = await startServer({ port: 0, store: { dataDir } });
  await send(server.url, [{ session: 'cli-loop', team: 'payments', spans: loop([1, 2, 3].map(() => ({ tool: 'WebFetch', hash: 'h' })), 0.5) }]);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('query commands', () => {
  it('ask the server that holds the data directory, with the same JSON as the API', async () => {
    const r = await cli('sessions', '--data-dir', dataDir, '--format', 'json');
    expect(r.status).toBe(0);
    const api = (await server.app.inject({ method: 'GET', url: '/api/sessions' })).json();
    expect(JSON.parse(r.stdout)).toEqual(api);
    expect(api[0]).toMatchObject({ sessionId: 'cli-loop', wasteUsd: 1 });
  });
  it('print a report table and a session tree with waste marked inline', async () => {
    const rep = await cli('report', '--server', server.url);
    expect(rep.status).toBe(0);
    expect(rep.stdout).toMatch(/identical call loop\s+1\s+2/);
    const tree = await cli('session', 'cli-loop', '--server', server.url);
    expect(tree.stdout.match(/⚠ LOOP/g)).toHaveLength(2);
  });
  it.each([
    [['report', '--format', 'xml'], /^fulcrum: --format must be one of table, json, md, got "xml"\n$/],
    [['sessions', '--since', 'yesterday', '--data-dir', '/nonexistent'], /^fulcrum: --since must be an ISO date or a duration like 7d, 24h, 30m, got "yesterday"\n$/],
    [['leverage', '--by', 'user', '--server', 'http://127.0.0.1:9'], /^fulcrum: --by user is an individual view: add --individual\n$/],
    [['session'], /^fulcrum: expected one session id, got 0/],
    [['sessions', '--data-dir', '/nonexistent/fulcrum'], /^fulcrum: no data directory at \/nonexistent\/fulcrum/],
    [['sessions', '--bogus'], /^fulcrum: Unknown option '--bogus'/],
  ])('%j fails with one line and exit code 2', async (args, message) => {
    const r = await cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
