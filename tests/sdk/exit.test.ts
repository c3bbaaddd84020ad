/**
 * Spans finished before the host exits are delivered: on Ctrl-C (SIGINT) with
 * no handler of the host's (the process still ends by the signal), next to the
 * host's own handler (which still decides the exit), and on a natural exit.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@fulcrum/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/store.js';

const HARNESS = join(import.meta.dirname, 'exit-harness/harness.mjs');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir('fulcrum-sdk-exit-') } });
});
afterAll(async () => server?.close());

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs the harness; once it printed `finished N`, sends SIGINT (unless it exits by itself). */
function run(args: string[], signal: NodeJS.Signals | undefined): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARNESS, server.url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (signal && /finished \d+/.test(stdout)) child.kill(signal);
    });
    child.on('exit', (code, sig) => resolve({ code, signal: sig, stdout }));
  });
}

async function storedSpans(sessionId: string): Promise<number> {
  const rs = await server.app.store.client.query({
    query: 'SELECT count() AS n FROM spans FINAL WHERE SessionId = {s:String}',
    query_params: { s: sessionId },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string }>();
  return Number(row.n);
}

describe('flush on exit', () => {
  it('SIGINT with no handler of the host: the 29 finished tool calls arrive, and the process still dies by SIGINT', async () => {
    const exit = await run(['29'], 'SIGINT');
    expect(exit.signal).toBe('SIGINT');
    expect(exit.code).toBeNull();
    expect(await storedSpans('exit-default')).toBe(29);
  }, 30_000);

  it("SIGINT next to the host's own handler: the spans arrive and the host's exit code stands", async () => {
    const exit = await run(['7', 'host-handler'], 'SIGINT');
    expect(exit.stdout).toContain('host handler');
    expect(exit.code).toBe(130);
    expect(await storedSpans('exit-host-handler')).toBe(7);
  }, 30_000);

  it('a natural exit without shutdown(): the session and its 5 tool calls arrive, exit code 0', async () => {
    const exit = await run(['5', 'natural'], undefined);
    expect(exit.code).toBe(0);
    expect(await storedSpans('exit-natural')).toBe(6);
  }, 30_000);
});
