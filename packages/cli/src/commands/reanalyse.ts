import { reanalyse } from '@fulcrum/query';
import { openStore } from '@fulcrum/store';
import { parseFlags } from '../args.js';
import { CONFIG_FLAG, CONFIG_HELP, loadConfigFromFlags } from '../config/index.js';
import { UsageError } from '../errors.js';
import { parseTime, QueryParamError } from '@fulcrum/query';
import { progressBar } from '../render/progress.js';
import { count, duration, plural } from '../render/format.js';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';

export const REANALYSE_HELP = `Usage: fulcrum reanalyse [options]

Classifies sessions again (waste, activity, runaway windows) with the current
rules and config file, and replaces their stored results. Run it after
changing waste.minRepeat or budgets. (fulcrum serve also re-analyses, by
itself, every session analysed under other settings once it restarts with
the new config.)

Options:
  --project <p>           only this project (default: every project)
  --since <t>             only sessions that started since: ISO date/time or 30m, 24h, 7d, 2w
${CONFIG_HELP}
${STORE_HELP}
  -h, --help              show this help
`;

export async function reanalyseCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(argv, { project: { type: 'string' }, since: { type: 'string' }, ...CONFIG_FLAG, ...STORE_FLAGS });
  if (values.help) {
    process.stdout.write(REANALYSE_HELP);
    return 0;
  }
  let since: Date | undefined;
  try {
    since = values.since ? parseTime('since', values.since as string) : undefined;
  } catch (err) {
    if (err instanceof QueryParamError) throw new UsageError(`--${err.message}`); // "since must be ..."
    throw err;
  }
  const { config, priceTable } = loadConfigFromFlags(values, env);
  const opts = storeOptions(values, env);
  const store = await openStore(opts).catch((err: Error & { code?: string }) => {
    if (err.code === 'FULCRUM_DATA_DIR_LOCKED') throw new UsageError(`${err.message}: restart that server with the new config instead (it re-analyses sessions analysed under other settings)`);
    throw new UsageError(describeStoreError(err, opts));
  });
  try {
    let bar: ReturnType<typeof progressBar> | undefined;
    const t0 = Date.now();
    const r = await reanalyse(store, {
      project: values.project as string | undefined,
      since,
      config: { minRepeat: config.minRepeat, runaway: config.runaway, prices: priceTable },
      onProgress: (done, total) => (bar ??= progressBar('re-analysing sessions', total)).update(done),
    });
    bar?.done();
    process.stdout.write(`re-analysed ${plural(r.sessions, 'session')} (${plural(r.spans, 'span')}, ${count(r.wastedSpans)} wasted) in ${duration(Date.now() - t0)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
