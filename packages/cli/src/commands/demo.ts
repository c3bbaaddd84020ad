import { startServer } from '@fulcrum/ingest';
import { buildReport } from '@fulcrum/query';
import { intFlag, parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { demoSessions } from '../demo/scenario.js';
import { sendSessions } from '../demo/send.js';
import { formatOf } from '../query/flags.js';
import { renderReport } from '../render/report.js';
import { storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';

export const DEMO_HELP = `Usage: fulcrum demo [options]

Starts the server on the embedded store, sends a realistic week of agent
sessions (three teams, six repositories; efficient, looping, re-reading,
failing and one runaway) through OTLP, then prints the report. Re-running
sends the same spans, which the store deduplicates.

Options:
  --sessions <n>          sessions to send (default 84)
  --port <n>              port to listen on (default: any free port)
  --format <f>            table (default), json or md
${STORE_HELP}
  -h, --help              show this help
`;

export async function demoCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(argv, { ...STORE_FLAGS, sessions: { type: 'string' }, port: { type: 'string' }, format: { type: 'string' } });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const format = formatOf(values.format);
  const count = intFlag(values.sessions as string | undefined, 'sessions', 84, 10, 5000);
  const port = intFlag(values.port as string | undefined, 'port', 0);
  let server;
  try {
    server = await startServer({ port, store: storeOptions(values, env) });
  } catch (err) {
    throw new UsageError(`cannot start the demo server: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    process.stderr.write(`fulcrum demo: server on ${server.url}, store ${server.app.store.location}\n`);
    const sessions = demoSessions(count);
    const t0 = Date.now();
    const spans = await sendSessions(server.url, sessions);
    await server.app.spanWriter.flush();
    const t1 = Date.now();
    // The demo does not wait out the quiet delay: every session it sent is complete.
    const analysed = await server.app.analyser.runNow(0);
    process.stderr.write(`sent ${spans} spans in ${sessions.length} sessions (${t1 - t0} ms); analysed ${analysed.sessions} sessions (${Date.now() - t1} ms); building the report\n`);
    const report = await buildReport(server.app.store.client, { project: server.app.projectOf({} as never) });
    process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, format));
    if (format === 'table') process.stderr.write(`\nnext: fulcrum session ${report.waste.worstSessions[0]?.sessionId ?? '<id>'}   fulcrum sessions --sort waste   fulcrum leverage --by repository\n`);
  } finally {
    await server.close();
  }
  return 0;
}
