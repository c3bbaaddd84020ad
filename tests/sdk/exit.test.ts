/**
 * Spans finished before the host exits are delivered: on Ctrl-C (SIGINT) with
 * no handler of the host's (the process still ends by the signal), next to the
 * host's own handler (which still decides the exit), and on a natural exit.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@fulcrum/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/store.js';
import { storedSpans } from './stored.js';

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

/** Runs the harness; once it printed `finished N`, sends SIGINT (unless it exits by itself), and again after `againMs`. */
function run(args: string[], signal: NodeJS.Signals | undefined, endpoint = server.url, againMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARNESS, endpoint, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!signal || signalled || !/finished \d+/.test(stdout)) return;
      signalled = true;
      child.kill(signal);
      if (againMs !== undefined) setTimeout(() => child.kill(signal), againMs);
    });
    child.on('exit', (code, sig) => resolve({ code, signal: sig, stdout }));
  });
}

describe('flush on exit', () => {
  it('SIGINT with no handler of the host: the 29 finished tool calls arrive, and the process still dies by SIGINT', async () => {
    const exit = await run(['29'], 'SIGINT');
    expect(exit.signal).toBe('SIGINT');
    expect(exit.code).toBeNull();
    expect(await storedSpans(server, 'exit-default')).toBe(29);
  }, 30_000);

  it("SIGINT next to the host's own handler: the spans arrive and the host's exit code stands", async () => {
    const exit = await run(['7', 'host-handler'], 'SIGINT');
    expect(exit.stdout).toContain('host handler');
    expect(exit.code).toBe(130);
    expect(await storedSpans(server, 'exit-host-handler')).toBe(7);
  }, 30_000);

  it('a natural exit without shutdown(): the session and its 5 tool calls arrive, exit code 0', async () => {
    const exit = await run(['5', 'natural'], undefined);
    expect(exit.code).toBe(0);
    expect(await storedSpans(server, 'exit-natural')).toBe(6);
  }, 30_000);

  it('a second Ctrl-C while the flush waits on a hung server ends the process at once', async () => {
    const hung = createServer(() => {});
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const t0 = performance.now();
      const exit = await run(['3'], 'SIGINT', `http://127.0.0.1:${(hung.address() as AddressInfo).port}`, 300);
      expect(exit.signal).toBe('SIGINT');
      // The flush alone would wait up to the 5 s shutdown bound.
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((r) => hung.close(() => r()));
    }
  }, 30_000);
});
