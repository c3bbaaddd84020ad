import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, startChild, type Child } from '../reliability/child-server.js';
import { tempDataDir } from '../helpers/store.js';
import { jsonTraces, post } from '../helpers/otlp.js';

/*
 * `fulcrum keys` as a newcomer runs it: while `fulcrum serve` (a real child
 * process) holds the embedded data directory, and after it stopped. Creating
 * the first key must say that auth is now on and what clients must send; a key
 * of another project must be answered as such.
 */

let dir: string;
let child: Child;

function fulcrum(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FULCRUM_API_KEY: '', FULCRUM_PROJECT: '', FULCRUM_DATA_DIR: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const span = (session: string) => jsonTraces([{ traceId: 'e1'.repeat(16), spanId: 'f2'.repeat(8), attributes: { 'gen_ai.conversation.id': session, 'gen_ai.operation.name': 'chat' } }]);

beforeAll(async () => {
  dir = tempDataDir();
  child = await startChild(dir);
}, 60_000);
afterAll(async () => {
  if (child && child.proc.exitCode === null) {
    child.proc.kill('SIGTERM');
    await child.exited;
  }
});

describe('fulcrum keys while fulcrum serve holds the data directory', () => {
  let keyA: string;
  let idA: string;

  it('creates the first key through the server and says that auth is now on, and what to send', async () => {
    expect((await post(`${child.url}/v1/traces`, span('before-keys'), 'application/json')).status).toBe(200);
    const r = await fulcrum(['keys', 'create', '--project', 'team-a', '--name', 'laptop', '--data-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = /^Created key ([0-9a-f]{16}) for project team-a\. Store it now; it is not shown again:\n(fk_\S+)\n/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    [, idA, keyA] = m as unknown as [string, string, string];
    expect(r.stdout).toContain(`Auth is now on for the server at ${child.url}: this is the first key, so from now on it refuses every OTLP and API request without a valid key (401).`);
    expect(r.stdout).toContain(`OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${keyA}"`);
    expect(r.stdout).toContain(`FULCRUM_API_KEY=${keyA}`);
    // At once, not after the server's next key refresh.
    expect((await post(`${child.url}/v1/traces`, span('no-key'), 'application/json')).status).toBe(401);
    expect((await post(`${child.url}/v1/traces`, span('sess-a'), 'application/json', false, { authorization: `Bearer ${keyA}` })).status).toBe(200);
  });

  it('says auth was already on for the next key, and lists both through the server', async () => {
    const r = await fulcrum(['keys', 'create', '--project', 'team-b', '--data-dir', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout) as { key: string; keyId: string; project: string };
    expect(created.project).toBe('team-b');
    // JSON stays parseable; the notice goes to stderr.
    expect(r.stderr).toContain(`Auth was already on for the server at ${child.url} (1 other active key).`);
    const list = await fulcrum(['keys', 'list', '--data-dir', dir, '--format', 'json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((k: { keyId: string; project: string }) => [k.keyId, k.project])).toEqual([[idA, 'team-a'], [created.keyId, 'team-b']]);
  });

  it("answers a key of another project with a message that says so, and reads the key's own project without --project", async () => {
    const other = await fulcrum(['sessions', '--data-dir', dir, '--api-key', keyA, '--project', 'team-b']);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toBe(`fulcrum: ${child.url} refused the request (403): the API key is for project "team-a", not "team-b". A key reads its own project only: leave out --project (and FULCRUM_PROJECT) to read the key's, or use a key of the project you named`);
    const own = await fulcrum(['sessions', '--data-dir', dir, '--format', 'json', '--since', '2000-01-01'], { FULCRUM_API_KEY: keyA });
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout)).toEqual([]); // sess-a is not analysed yet (quiet delay); the point is the 200
  });

  it('revokes through the server, which refuses the key at once', async () => {
    const r = await fulcrum(['keys', 'revoke', idA, '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Revoked key ${idA}. The server at ${child.url} stops accepting it now.\n`);
    expect((await post(`${child.url}/v1/traces`, span('sess-a'), 'application/json', false, { authorization: `Bearer ${keyA}` })).status).toBe(403);
    const q = await fulcrum(['sessions', '--data-dir', dir, '--api-key', keyA]);
    expect(q.code).toBe(2);
    expect(q.stderr).toContain('the API key was revoked');
    const missing = await fulcrum(['keys', 'revoke', '0000000000000000', '--data-dir', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('fulcrum: no key with id "0000000000000000" (see fulcrum keys list)');
  });

  it('writes to the store directly once the server has stopped', async () => {
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const r = await fulcrum(['keys', 'create', '--project', 'team-c', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Auth was already on for servers using this store (1 other active key).');
  });
});

describe('fulcrum keys without a server', () => {
  it('says that the first key turns auth on for servers using this store', async () => {
    const fresh = tempDataDir();
    const r = await fulcrum(['keys', 'create', '--project', 'payments', '--data-dir', fresh]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Auth is now on for servers using this store: this is the first key, so a server started with --auth auto (the default) refuses every OTLP and API request without a valid key (401); a running one picks the key up within 5 seconds.');
    expect(r.stdout).toContain('Their data is stored under project "payments"');
    const id = /^Created key ([0-9a-f]{16})/.exec(r.stdout)![1]!;
    const revoked = await fulcrum(['keys', 'revoke', id, '--data-dir', fresh]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked key ${id}. Servers on this store stop accepting it within 5 seconds.\nThat was the last active key: auth stays on, so servers using this store now refuse every OTLP and API request until a new key is created (fulcrum keys create --project P).\n`);
    const again = await fulcrum(['keys', 'create', '--project', 'payments', '--data-dir', fresh]);
    expect(again.stdout).toContain('Auth was already on for servers using this store (its earlier keys are revoked): this is now the only key it accepts.');
  });
});
