import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { importTranscripts, type TranscriptHarness } from '@fulcrum/ingest';
import { openStore, type Store } from '@fulcrum/store';
import { redact } from '@fulcrum/vocab';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { progressBar } from '../render/progress.js';
import { count, plural } from '../render/format.js';
import { CONFIG_FLAG, CONFIG_HELP, loadConfigFromFlags } from '../config/index.js';
import { analysePending } from '@fulcrum/query';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';

export const IMPORT_HELP = `Usage: fulcrum import claude-code|codex|gemini [path] [options]

Imports a harness's local session transcripts as sessions, then classifies
the sessions it imported (waste, activity), so reports show them at once.
Importing the same files again adds nothing. Default paths:
  claude-code  ~/.claude/projects
  codex        $CODEX_HOME/sessions (default ~/.codex/sessions)
  gemini       ~/.gemini/tmp

Options:
  --project <name>        project to store the sessions under (default "default")
${CONFIG_HELP}
${STORE_HELP}
  -h, --help              show this help
`;

const HARNESSES: Record<string, TranscriptHarness> = { 'claude-code': 'claude-code', claude: 'claude-code', codex: 'codex', gemini: 'gemini', 'gemini-cli': 'gemini' };

export function defaultPath(harness: TranscriptHarness, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? homedir();
  if (harness === 'claude-code') return join(home, '.claude', 'projects');
  if (harness === 'codex') return join(env.CODEX_HOME ?? join(home, '.codex'), 'sessions');
  return join(home, '.gemini', 'tmp');
}

async function storedSpans(store: Store, project: string): Promise<number> {
  const rs = await store.client.query({ query: 'SELECT count() AS n FROM spans FINAL WHERE Project = {project:String}', query_params: { project }, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: number }>())[0]?.n ?? 0);
}

export async function importCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, { project: { type: 'string' }, ...CONFIG_FLAG, ...STORE_FLAGS }, true);
  if (values.help) {
    process.stdout.write(IMPORT_HELP);
    return 0;
  }
  const harness = HARNESSES[positionals[0] ?? ''];
  if (!harness) throw new UsageError(`import needs a harness: claude-code, codex or gemini (got "${positionals[0] ?? ''}")`);
  const path = positionals[1] ?? defaultPath(harness, env);
  const { config, priceTable } = loadConfigFromFlags(values, env);
  if (!existsSync(path)) throw new UsageError(`no transcripts at ${path} (pass a path)`);
  const opts = storeOptions(values, env);
  const store = await openStore(opts).catch((err: Error & { code?: string }) => {
    if (err.code === 'FULCRUM_DATA_DIR_LOCKED') throw new UsageError(`${err.message}: stop that server while importing, or import into another --data-dir`);
    throw new UsageError(describeStoreError(err, opts));
  });
  const project = (values.project as string | undefined) ?? 'default';
  try {
    const before = await storedSpans(store, project);
    let bar: ReturnType<typeof progressBar> | undefined;
    const summary = await importTranscripts({
      harness, path, store, redact, project, prices: priceTable,
      onProgress: (p) => {
        bar ??= progressBar(`importing ${harness}`, p.bytesTotal);
        bar.update(p.bytesDone);
      },
    });
    bar?.done();
    for (const s of summary.skipped) process.stderr.write(`skipped ${s.file}:${s.line}: ${s.error}\n`);
    // Rows re-imported collapse onto the ones already stored; say how many are really new.
    const added = (await storedSpans(store, project)) - before;
    let analysing: ReturnType<typeof progressBar> | undefined;
    const analysed = await analysePending(store, {
      quietMs: 0, project, config: { minRepeat: config.minRepeat, runaway: config.runaway, prices: priceTable },
      onProgress: (done, total) => (analysing ??= progressBar('analysing sessions', total)).update(done),
    });
    analysing?.done();
    process.stdout.write(`imported ${plural(summary.files, 'file')}, ${plural(summary.sessions, 'session')}, ${plural(summary.rows, 'row')} (${count(added)} new); skipped ${plural(summary.skipped.length, 'line')}; analysed ${plural(analysed.sessions, 'session')}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
