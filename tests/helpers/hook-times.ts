import { readFileSync, writeFileSync } from 'node:fs';

/*
 * The wall time of each hook call as a harness runs it. Codex and Gemini CLI run a hook's command
 * line through a shell; wrapping that line in two `date` calls (its shell included, a few ms)
 * records when each call started and ended, without touching what it reads or answers.
 */

/** A hooks file in the shape Codex's hooks.json and Gemini CLI's settings.json share: `hooks.<event>[].hooks[].command`. */
interface HooksFile {
  hooks: Record<string, { hooks: { command: string }[] }[]>;
}

/** Rewrites every hook command in `file` so each call appends "<event> <start ns> <end ns>" to `log`; its output and exit code are kept. */
export function timeHooks(file: string, log: string): void {
  const body = JSON.parse(readFileSync(file, 'utf8')) as HooksFile;
  for (const [event, groups] of Object.entries(body.hooks)) {
    for (const hook of groups.flatMap((g) => g.hooks)) {
      hook.command = `t0=$(date +%s%N); ${hook.command}; rc=$?; echo "${event} $t0 $(date +%s%N)" >> '${log}'; exit $rc`;
    }
  }
  writeFileSync(file, JSON.stringify(body, null, 2));
}

/** What a timeHooks log says: how many calls, p50 and p99 (nearest rank) in ms, and calls per event. */
export interface HookTimes {
  count: number;
  p50: number;
  p99: number;
  byEvent: Record<string, number>;
}

export function hookTimes(log: string): HookTimes {
  const rows = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' '));
  const ms = rows.map(([, start, end]) => Number(BigInt(end!) - BigInt(start!)) / 1e6).sort((a, b) => a - b);
  const rank = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  const byEvent: Record<string, number> = {};
  for (const [event] of rows) byEvent[event!] = (byEvent[event!] ?? 0) + 1;
  return { count: ms.length, p50: rank(0.5), p99: rank(0.99), byEvent };
}
