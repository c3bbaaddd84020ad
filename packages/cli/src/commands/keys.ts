import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ADMIN_TOKEN_FILE, ADMIN_TOKEN_HEADER, createApiKey, listApiKeys, readAdminToken, revokeApiKey, validProjectName, type ApiKeyInfo,
} from '@fulcrum/ingest';
import { DEFAULT_DATA_DIR, openStore, readDataDirHolder } from '@fulcrum/store';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../render/table.js';
import { STORE_FLAGS, STORE_HELP, storeOptions } from '../store-flags.js';

export const KEYS_HELP = `Usage: fulcrum keys <create|list|revoke> [options]

Manages per-project API keys. Creating the first key turns auth on (with
--auth auto, the default): from then on the server requires a key on every
OTLP and API request (Authorization: Bearer <key>), and each key sees only its
own project's data. Auth stays on after keys are revoked. Only a hash of each
key is stored. While "fulcrum serve" holds the data directory, these commands
go through it (from the same machine only: they read its admin token from the
data directory).

  fulcrum keys create --project P [--name N]   prints the new key (shown once)
  fulcrum keys list [--project P]
  fulcrum keys revoke <key-id>

Options:
  --project <p>           project (tenant) the key belongs to
  --name <n>              a label for the key
  --format table|json     output format (default table)
${STORE_HELP}
  -h, --help              show this help
`;

interface Created {
  key: string;
  keyId: string;
  project: string;
}

type AuthMode = 'auto' | 'required' | 'off';

interface CreateResult extends Created {
  /** Keys that existed before, revoked ones included: any key at all keeps auth on (--auth auto). */
  keysBefore: number;
  activeBefore: number;
  authMode?: AuthMode;
}

/** What the keys commands act on: the store itself, or the server that holds it. */
interface KeyBackend {
  /** Where keys live, for messages: "the server at URL" or "servers on this store". */
  readonly server?: string;
  create(project: string, name: string): Promise<CreateResult>;
  list(project?: string): Promise<ApiKeyInfo[]>;
  /** False when no such key exists. */
  revoke(id: string): Promise<{ revoked: boolean; activeAfter: number; authMode?: AuthMode }>;
  close(): Promise<void>;
}

export async function keysCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, { project: { type: 'string' }, name: { type: 'string' }, format: { type: 'string' }, ...STORE_FLAGS }, true);
  const [action, target] = positionals;
  if (values.help || !action) {
    process.stdout.write(KEYS_HELP);
    return values.help ? 0 : 2;
  }
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got "${format}"`);
  const project = values.project as string | undefined;
  if (project !== undefined && !validProjectName(project)) throw new UsageError(`invalid --project "${project}": use letters, digits, ".", "_" or "-"`);
  if (action === 'create' && !project) throw new UsageError('keys create needs --project');
  if (action === 'revoke' && !target) throw new UsageError('keys revoke needs a key id (see fulcrum keys list)');
  if (!['create', 'list', 'revoke'].includes(action)) throw new UsageError(`unknown keys action "${action}" (create, list or revoke)`);

  const backend = await openKeyBackend(values, env);
  try {
    if (action === 'create') {
      const created = await backend.create(project!, (values.name as string | undefined) ?? '');
      const notice = createNotice(created, backend.server);
      if (format === 'json') {
        process.stdout.write(JSON.stringify({ key: created.key, keyId: created.keyId, project: created.project }) + '\n');
        process.stderr.write(notice);
      } else {
        process.stdout.write(`Created key ${created.keyId} for project ${created.project}. Store it now; it is not shown again:\n${created.key}\n\n${notice}`);
      }
      return 0;
    }
    if (action === 'list') {
      const keys = await backend.list(project);
      if (format === 'json') process.stdout.write(JSON.stringify(keys) + '\n');
      else if (keys.length === 0) process.stdout.write(project ? `No API keys for project ${project}.\n` : 'No API keys, so auth is off (unless the server runs with --auth required). Create one with: fulcrum keys create --project P\n');
      else process.stdout.write(renderTable(keys, [
        { header: 'KEY ID', cell: (k) => k.keyId },
        { header: 'PROJECT', cell: (k) => k.project },
        { header: 'NAME', cell: (k) => k.name },
        { header: 'CREATED', cell: (k) => k.createdAt },
        { header: 'STATUS', cell: (k) => (k.revokedAt ? `revoked ${k.revokedAt}` : 'active') },
      ]));
      return 0;
    }
    const r = await backend.revoke(target!);
    if (!r.revoked) throw new UsageError(`no key with id "${target}" (see fulcrum keys list)`);
    const where = backend.server ? `The server at ${backend.server} stops accepting it now` : 'Servers on this store stop accepting it within 5 seconds';
    let text = `Revoked key ${target}. ${where}.\n`;
    if (r.activeAfter === 0 && r.authMode !== 'off') {
      // Revoked keys still count as keys: auth stays on, it does not fall open.
      text += `That was the last active key: auth stays on, so ${backend.server ? `the server at ${backend.server} now refuses` : 'servers using this store now refuse'} every OTLP and API request until a new key is created (fulcrum keys create --project P).\n`;
    }
    process.stdout.write(text);
    return 0;
  } finally {
    await backend.close();
  }
}

/**
 * What creating a key did to authentication, and what clients must now send.
 * Creating a key is what switches auth on (with --auth auto, the default), so
 * this is said every time, not only in the docs.
 */
export function createNotice(c: CreateResult, server?: string): string {
  const where = server ? `the server at ${server}` : 'servers using this store';
  let state: string;
  if (c.authMode === 'off') {
    state = `The server at ${server} runs with --auth off: it checks no keys until it is restarted without --auth off.`;
  } else if (c.authMode === 'required') {
    state = `Auth was already on: ${where} runs with --auth required.`;
  } else if (c.keysBefore === 0) {
    state = server
      ? `Auth is now on for the server at ${server}: this is the first key, so from now on it refuses every OTLP and API request without a valid key (401).`
      : `Auth is now on for servers using this store: this is the first key, so a server started with --auth auto (the default) refuses every OTLP and API request without a valid key (401); a running one picks the key up within 5 seconds.`;
  } else if (c.activeBefore === 0) {
    state = `Auth was already on for ${where} (its earlier keys are revoked): this is now the only key it accepts.`;
  } else {
    state = `Auth was already on for ${where} (${c.activeBefore} other active key${c.activeBefore === 1 ? '' : 's'}).`;
  }
  return `${state}
Clients must send the header "Authorization: Bearer <key>":
  OpenTelemetry exporters   OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${c.key}"
  the fulcrum CLI           FULCRUM_API_KEY=${c.key}   (or --api-key)
Their data is stored under project "${c.project}", and the key reads that project only (docs/harnesses.md shows each harness's setting).
`;
}

async function openKeyBackend(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<KeyBackend> {
  const opts = storeOptions(values, env);
  if (!opts.url) {
    const dir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    const holder = readDataDirHolder(dir);
    if (holder?.url) {
      const token = readAdminToken(dir);
      if (!token && existsSync(join(dir, ADMIN_TOKEN_FILE))) throw new UsageError(`cannot read ${join(dir, ADMIN_TOKEN_FILE)}: run this as the user running the server at ${holder.url}`);
      if (!token) throw new UsageError(`data directory ${dir} is held by process ${holder.pid} (serving ${holder.url}), which takes no key requests: stop it and run this again`);
      return viaServer(holder.url, token, dir);
    }
    if (holder) throw new UsageError(`data directory ${dir} is held by process ${holder.pid}, which takes no key requests: wait for it to finish or stop it, then run this again`);
    if (!existsSync(dir)) process.stderr.write(`fulcrum keys: no data directory at ${dir} yet; creating it (pass --data-dir to use another)\n`);
  }
  const store = await openStore(opts).catch((err: Error) => {
    throw new UsageError(`cannot open the store: ${err.message.split('\n')[0]}`);
  });
  const active = async () => (await listApiKeys(store.client)).filter((k) => !k.revokedAt).length;
  return {
    async create(project, name) {
      const before = await listApiKeys(store.client);
      return { ...(await createApiKey(store.client, project, name)), keysBefore: before.length, activeBefore: before.filter((k) => !k.revokedAt).length };
    },
    list: (project) => listApiKeys(store.client, project),
    async revoke(id) {
      const revoked = await revokeApiKey(store.client, id);
      return { revoked, activeAfter: revoked ? await active() : -1 };
    },
    close: () => store.close(),
  };
}

/** Keys through the running server's admin routes (packages/ingest/src/routes/admin.ts). */
function viaServer(base: string, token: string, dir: string): KeyBackend {
  const url = new URL(base);
  // The admin routes answer loopback requests only: a server listening on every interface is asked on 127.0.0.1.
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  const origin = url.origin;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, origin), {
        method,
        headers: { accept: 'application/json', [ADMIN_TOKEN_HEADER]: token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new UsageError(`data directory ${dir} is held by the server at ${origin}, which cannot be reached: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
    }
    const json = (await res.json().catch(() => undefined)) as (T & { error?: { code?: string; message?: string } }) | undefined;
    if (res.status === 404 && !json?.error?.message?.startsWith('not found: no key')) {
      throw new UsageError(`the server at ${origin} holds data directory ${dir} but has no key routes (an older fulcrum?): stop it, run this again, then restart it`);
    }
    if (res.status >= 400 && res.status !== 404) throw new UsageError(`the server at ${origin} refused: ${json?.error?.message ?? `status ${res.status}`}`);
    return { status: res.status, body: json as T };
  };
  return {
    server: origin,
    async create(project, name) {
      const r = await call<Created & { keysBefore: number; activeKeysBefore: number; authMode: AuthMode }>('POST', '/api/admin/keys', { project, name });
      return { key: r.body.key, keyId: r.body.keyId, project: r.body.project, keysBefore: r.body.keysBefore, activeBefore: r.body.activeKeysBefore, authMode: r.body.authMode };
    },
    async list(project) {
      return (await call<ApiKeyInfo[]>('GET', `/api/admin/keys${project ? `?project=${encodeURIComponent(project)}` : ''}`)).body;
    },
    async revoke(id) {
      const r = await call<{ revoked: boolean; activeKeysAfter: number; authMode: AuthMode }>('POST', `/api/admin/keys/${encodeURIComponent(id)}/revoke`);
      if (r.status === 404) return { revoked: false, activeAfter: -1 };
      return { revoked: true, activeAfter: r.body.activeKeysAfter, authMode: r.body.authMode };
    },
    close: async () => undefined,
  };
}
