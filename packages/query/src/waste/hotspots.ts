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
 * One wasted span's file or command, summed over the materialised verdicts of
 * the sessions in scope (the same sessions as the rest of the report: scoped on
 * their summaries, so by when they started). Known evidence only: partial
 * findings stay out of every headline figure.
 */
function hotspotSql(column: 'FilePath' | 'Command', alias: 'filePath' | 'command', sessions: string): string {
  return `SELECT ${column} AS ${alias}, uniqExact(SessionId, FindingId) AS findings, uniqExact(SessionId) AS sessions,
  sum(CostUsd) AS costUsd, sum(Tokens) AS tokens, arraySort(groupUniqArray(Kind)) AS kinds
FROM span_verdicts FINAL
WHERE Project = {project:String} AND Kind != '' AND Evidence != 'partial' AND ${column} != ''
  AND SessionId IN (SELECT SessionId FROM ${sessions})
GROUP BY ${column}
ORDER BY costUsd DESC, ${alias}
LIMIT {limit:UInt32}`;
}

const figures = <T extends HotspotFigures>(r: T): T => ({ ...r, findings: Number(r.findings), sessions: Number(r.sessions), costUsd: Number(r.costUsd), tokens: Number(r.tokens) });

/** The files and the commands that most wasted calls were spent on, by $, in scope. */
export async function wasteHotspots(client: Client, scope: QueryScope, options: HotspotOptions = {}): Promise<WasteHotspots> {
  const sessions = summariesIn(scope);
  const params = { ...sessions.params, limit: options.limit ?? HOTSPOT_DEFAULTS.limit };
  const files = await selectRows<FileHotspot>(client, hotspotSql('FilePath', 'filePath', sessions.sql), params);
  const commands = await selectRows<CommandHotspot>(client, hotspotSql('Command', 'command', sessions.sql), params);
  return { files: files.map(figures), commands: commands.map(figures) };
}
