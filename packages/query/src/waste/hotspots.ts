import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { summariesIn } from '../summaries.js';

/** What the waste on one file or command adds up to, over the sessions in scope. */
interface HotspotFigures {
  /** Findings with a wasted call on it. */
  findings: number;
  /** Sessions with such a finding. */
  sessions: number;
  /** Of the wasted calls on it. */
  costUsd: number;
  tokens: number;
  /** Waste kinds found on it, alphabetical. */
  kinds: string[];
}

export interface FileHotspot extends HotspotFigures {
  filePath: string;
}

export interface CommandHotspot extends HotspotFigures {
  command: string;
}

/** The most wasted files and commands, by $, on known evidence. */
export interface WasteHotspots {
  files: FileHotspot[];
  commands: CommandHotspot[];
}

export interface HotspotOptions {
  /** Files and commands returned, each, most wasted first. @default 10 */
  limit?: number;
}

export const HOTSPOT_DEFAULTS: Required<HotspotOptions> = { limit: 10 };

/**
 * Files and commands in one scan of the wasted spans (known evidence, sessions
 * in scope): each verdict row counts once under its file and once under its
 * command, and the top `limit` of each are kept.
 */
function hotspotSql(sessions: string): string {
  return `SELECT arrayJoin([('file', FilePath), ('command', Command)]) AS target, target.1 AS what, target.2 AS name,
  uniqExact(SessionId, FindingId) AS findings, uniqExact(SessionId) AS sessions,
  sum(CostUsd) AS costUsd, sum(Tokens) AS tokens, arraySort(groupUniqArray(Kind)) AS kinds
FROM span_verdicts FINAL
WHERE Project = {project:String} AND Kind != '' AND Evidence != 'partial' AND (FilePath != '' OR Command != '')
  AND SessionId IN (SELECT SessionId FROM ${sessions})
GROUP BY target
HAVING name != ''
ORDER BY what, costUsd DESC, name
LIMIT {limit:UInt32} BY what`;
}

const figures = <T extends HotspotFigures>(r: T): T => ({ ...r, findings: Number(r.findings), sessions: Number(r.sessions), costUsd: Number(r.costUsd), tokens: Number(r.tokens) });

/** The files and the commands that most wasted calls were spent on, by $, in scope. */
export async function wasteHotspots(client: Client, scope: QueryScope, options: HotspotOptions = {}): Promise<WasteHotspots> {
  const sessions = summariesIn(scope);
  const rows = await selectRows<HotspotFigures & { target: unknown; what: 'file' | 'command'; name: string }>(client, hotspotSql(sessions.sql), { ...sessions.params, limit: options.limit ?? HOTSPOT_DEFAULTS.limit });
  const of = (what: 'file' | 'command') => rows.filter((r) => r.what === what).map(({ target: _t, what: _w, name, ...r }) => ({ name, ...figures(r) }));
  return {
    files: of('file').map(({ name, ...r }) => ({ filePath: name, ...r })),
    commands: of('command').map(({ name, ...r }) => ({ command: name, ...r })),
  };
}
