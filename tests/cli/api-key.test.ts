import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '@fulcrum/ingest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces, post } from '../helpers/otlp.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
let server: RunningServer;
let key: string;

/** Runs the CLI as a user would; async so the in-process server keeps answering. */
function fulcrum(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FULCRUM_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
  key = (await createApiKey(server.app.store.client, 'team-a')).key;
  await new Promise((r) => setTimeout(r, 1100)); // past the key cache's reload throttle
  const res = await post(`${server.url}/v1/traces`, jsonTraces([{ traceId: 'a1'.repeat(16), spanId: 'b2'.repeat(8), attributes: { 'gen_ai.conversation.id': 'sess-team-a', 'gen_ai.operation.name': 'chat' } }]), 'application/json', false, { authorization: `Bearer ${key}` });
  expect(res.status).toBe(200);
  await server.app.spanWriter.flush();
  await server.app.analyser.runNow(0);
});
afterAll(async () => server?.close());

describe('query commands against a server that requires keys', () => {
  it('names the missing key on one line with exit code 2', async () => {
    const r = await fulcrum(['sessions', '--server', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`fulcrum: ${server.url} refused the request (401): it requires an API key: pass --api-key or set FULCRUM_API_KEY`);
  });

  it("answers with --api-key or FULCRUM_API_KEY, showing the key's project only", async () => {
    for (const r of [await fulcrum(['sessions', '--server', server.url, '--api-key', key, '--project', 'team-a', '--format', 'json']), await fulcrum(['sessions', '--server', server.url, '--project', 'team-a', '--format', 'json'], { FULCRUM_API_KEY: key })]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).map((s: { sessionId: string }) => s.sessionId)).toEqual(['sess-team-a']);
    }
  });
});
