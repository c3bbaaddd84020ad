import { TOOL_KIND_SQL } from '../tool-kinds.js';

/**
 * Where per-session activity comes from. Each source is SQL yielding
 * (SessionId, LinesAdded, LinesRemoved, Refactors, Skills, Mcp) for the rows
 * matching `where` (a scopeWhere condition over columns every source has).
 * Sources are fixed fragments written in code, never from user input; their
 * rows are summed per session, so a metrics-derived source (Claude Code's
 * lines_of_code counter) can be added beside spans. A source must not count
 * what another already counts.
 */
export interface ActivitySource {
  name: string;
  sql(where: string): string;
}

/** Activity recorded on spans: edit/write line counts, refactors (edits that change existing lines, deletes), skills, MCP calls. */
export const SPAN_ACTIVITY: ActivitySource = {
  name: 'spans',
  sql: (where) => `SELECT SessionId,
  sumIf(LinesAdded, SpanType IN ('tool', 'mcp')) AS LinesAdded,
  sumIf(LinesRemoved, SpanType IN ('tool', 'mcp')) AS LinesRemoved,
  countIf(SpanType = 'tool' AND ((LinesRemoved > 0 AND Kind = 'edit') OR Kind = 'delete')) AS Refactors,
  countIf(SpanType = 'skill' OR SkillName != '') AS Skills,
  countIf(SpanType = 'mcp') AS Mcp
FROM (SELECT SessionId, SpanType, SkillName, LinesAdded, LinesRemoved, ToolName, Command, ${TOOL_KIND_SQL} AS Kind FROM spans FINAL WHERE ${where})
GROUP BY SessionId`,
};

/** Per-session activity summed over every source. */
export function activitySql(where: string, sources: readonly ActivitySource[] = [SPAN_ACTIVITY]): string {
  const union = sources.map((s) => s.sql(where)).join('\nUNION ALL\n');
  return `SELECT SessionId, sum(LinesAdded) AS LinesAdded, sum(LinesRemoved) AS LinesRemoved,
  sum(Refactors) AS Refactors, sum(Skills) AS Skills, sum(Mcp) AS Mcp
FROM (${union}) GROUP BY SessionId`;
}

/** The weighted activity of a row with the activity columns, weights bound as parameters. */
export const WEIGHTED_ACTIVITY_SQL = `(LinesAdded * {wLinesAdded:Float64} + LinesRemoved * {wLinesRemoved:Float64}
  + Refactors * {wRefactors:Float64} + Skills * {wSkills:Float64} + Mcp * {wMcp:Float64})`;

export function weightParams(w: { linesAdded: number; linesRemoved: number; refactors: number; skills: number; mcp: number }) {
  return { wLinesAdded: w.linesAdded, wLinesRemoved: w.linesRemoved, wRefactors: w.refactors, wSkills: w.skills, wMcp: w.mcp };
}
