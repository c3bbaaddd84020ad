import { startServer } from '@fulcrum/server';
import { buildReport } from '@fulcrum/query';
import { intFlag, parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { demoDay, demoSessions, demoWeek } from '../demo/scenario.js';
import { sendSessions } from '../demo/send.js';
import { formatOf } from '../query/flags.js';
import { renderReport } from '../render/report.js';
import { storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';

export const DEMO_HELP = `Usage: fulcrum demo [options]

Starts the server on the embedded store, sends a realistic week of agent
sessions (three teams, six repositories; efficient, looping, re-reading,
failing and one runaway) through OTLP, then prints the report. The week ends
today: its sessions lie in the six days before today (UTC), so --since 7d and
Grafana's "Last 7 days" show all of them. Re-running the same day sends the
same spans, which the store deduplicates; another day sends that day's week.

Options:
  --sessions <n>          sessions to send (default 84)
  --day <YYYY-MM-DD>      the day the week ends on (default today, UTC)
  --port <n>              port to listen on (default: any free port)
  --format <f>            table (default), json or md
${STORE_HELP}
  -h, --help              show this help
`;

export async function demoCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(argv, { ...STORE_FLAGS, sessions: { type: 'string' }, day: { type: 'string' }, port: { type: 'string' }, format: { type: 'string' } });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const format = formatOf(values.format);
  const count = intFlag(values.sessions as string | undefined, 'sessions', 84, 10, 5000);
  const port = intFlag(values.port as string | undefined, 'port', 0);
  const day = dayFlag(values.day as string | undefined);
  let server;
  try {
    server = await startServer({ port, store: storeOptions(values, env) });
  } catch (err) {
    throw new UsageError(`cannot start the demo server: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    process.stderr.write(`fulcrum demo: server on ${server.url}, store ${server.app.store.location}\n`);
    const sessions = demoSessions(count, undefined, day);
    const week = demoWeek(day);
    process.stderr.write(`the week: ${new Date(week.start).toISOString().slice(0, 10)} to ${new Date(week.end).toISOString().slice(0, 10)} (UTC)\n`);
    const t0 = Date.now();
    const spans = await sendSessions(server.url, sessions);
    await server.app.spanWriter.flush();
    const t1 = Date.now();
    // The demo does not wait out the quiet delay: every session it sent is complete.
    const analysed = await server.app.analyser.runNow(0);
    process.stderr.write(`sent ${spans} spans in ${sessions.length} sessions (${t1 - t0} ms); analysed ${analysed.sessions} sessions (${Date.now() - t1} ms); building the report\n`);
    const report = await buildReport(server.app.store.client, { project: server.app.projectOf({} as never) });
    process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, format));
    if (format === 'table') {
      process.stderr.write(`\nnext: fulcrum session ${report.waste.worstSessions[0]?.sessionId ?? '<id>'}   fulcrum sessions --sort waste   fulcrum leverage --by repository\n`);
      process.stderr.write('in the browser: npx fulcrum serve, then open http://127.0.0.1:4320 (the web app; API docs at /docs)\n');
    }
  } finally {
    await server.close();
  }
  return 0;
}

/** --day YYYY-MM-DD → that day's UTC midnight; today when absent. */
function dayFlag(v: string | undefined): number {
  if (v === undefined) return demoDay();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v) throw new UsageError(`--day must be a date like 2026-11-30, got "${v}"`);
  return t;
}
