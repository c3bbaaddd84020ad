import { createApiKey, listApiKeys, revokeApiKey, validProjectName } from '@fulcrum/ingest';
import { openStore } from '@fulcrum/store';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../render/table.js';
import { STORE_FLAGS, STORE_HELP, storeOptions } from '../store-flags.js';

export const KEYS_HELP = `Usage: fulcrum keys <create|list|revoke> [options]

Manages per-project API keys. Once a key exists, the server requires one on
every OTLP and API request (Authorization: Bearer <key>), and each key sees
only its own project's data. Only a hash of each key is stored.

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

  const store = await openStore(storeOptions(values, env)).catch((err: Error) => {
    throw new UsageError(`cannot open the store: ${err.message.split('\n')[0]}`);
  });
  try {
    if (action === 'create') {
      const created = await createApiKey(store.client, project!, (values.name as string | undefined) ?? '');
      if (format === 'json') process.stdout.write(JSON.stringify(created) + '\n');
      else process.stdout.write(`Created key ${created.keyId} for project ${created.project}. Store it now; it is not shown again:\n${created.key}\n`);
      return 0;
    }
    if (action === 'list') {
      const keys = await listApiKeys(store.client, project);
      if (format === 'json') process.stdout.write(JSON.stringify(keys) + '\n');
      else process.stdout.write(renderTable(keys, [
        { header: 'KEY ID', cell: (k) => k.keyId },
        { header: 'PROJECT', cell: (k) => k.project },
        { header: 'NAME', cell: (k) => k.name },
        { header: 'CREATED', cell: (k) => k.createdAt },
        { header: 'STATUS', cell: (k) => (k.revokedAt ? `revoked ${k.revokedAt}` : 'active') },
      ]));
      return 0;
    }
    if (!(await revokeApiKey(store.client, target!))) throw new UsageError(`no key with id "${target}"`);
    process.stdout.write(`Revoked key ${target}. Servers stop accepting it within 5 seconds.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
