import type { Client } from '../sql.js';
import { selectRows } from '../sql.js';
import { DEFAULT_LINK_WINDOW_MS } from './window.js';

/** Which synced branch to materialise outcomes for. */
export interface MaterialiseOptions {
  project: string;
  repository: string;
  branch: string;
  /** The link run to read (session_commits.ComputedAt, ms). @default the link run the latest materialisation read */
  linkedAt?: number;
  /** A session linked to nothing that ended this long before the branch's last commit is abandoned, in ms. @default 604800000 (7 days) */
  windowMs?: number;
  /** This run's time, in ms; always later than the previous run's. @default Date.now() */
  nowMs?: number;
}

export interface MaterialiseResult {
  /** Sessions written (linked, or of the repository and linked to nothing); 0 when no link run exists yet. */
  sessions: number;
  computedAt: number;
}

/*
 * One INSERT … SELECT, for one synced branch:
 * - links: the link run's (session, commit) rows, with the commit's PR, whether a later commit reverted
 *   it (RevertsHash names it, perhaps abbreviated), and the session's landed lines scaled by the commit's
 *   surviving and reworked shares where survival is computed (NULL, and left out of the bases, until then);
 * - linked: those summed per session;
 * - sessions: the linked ones, the ones naming the repository (their outcome is known: maybe nothing
 *   landed), and '' (the row that marks this run).
 */
const MATERIALISE_SQL = `INSERT INTO session_outcomes (Project, Repository, Branch, SessionId, Commits, PullRequests, Reverted, LandedLines, Survived, SurvivalBase, Reworked, ReworkBase, AbandonedBefore, LinkedAt, ComputedAt)
WITH
  commits AS (
    SELECT Hash, PullRequest, RevertsHash, CommitTime FROM git_commits FINAL
    WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String} AND Mainline
  ),
  revertedHashes AS (SELECT Hash FROM commits WHERE arrayExists(r -> startsWith(Hash, r), (SELECT groupArray(RevertsHash) FROM commits WHERE RevertsHash != ''))),
  survival AS (
    SELECT Hash, Surviving30d, Reworked21d, LinesAdded FROM git_commit_survival FINAL
    WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String}
  ),
  links AS (
    SELECT l.SessionId AS SessionId, l.Hash AS Hash, l.LandedLines AS landed, c.PullRequest AS pr, l.Hash IN (SELECT Hash FROM revertedHashes) AS isReverted,
      if(sv.Surviving30d IS NULL OR sv.LinesAdded = 0, NULL, l.LandedLines * least(sv.Surviving30d / sv.LinesAdded, 1)) AS survived,
      if(sv.Reworked21d IS NULL OR sv.LinesAdded = 0, NULL, l.LandedLines * least(sv.Reworked21d / sv.LinesAdded, 1)) AS reworked
    FROM (
      SELECT SessionId, Hash, LandedLines FROM session_commits FINAL
      WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String} AND ComputedAt = fromUnixTimestamp64Milli({linkedAt:Int64})
    ) AS l
    INNER JOIN commits AS c ON c.Hash = l.Hash
    LEFT JOIN survival AS sv ON sv.Hash = l.Hash
  ),
  linked AS (
    SELECT SessionId, groupUniqArray(Hash) AS hashes, groupUniqArrayIf(concat({repository:String}, '#', toString(pr)), pr > 0) AS prs,
      groupUniqArrayIf(Hash, isReverted) AS reverted, sum(landed) AS landedLines,
      sumIf(survived, survived IS NOT NULL) AS survivedLines, sumIf(landed, survived IS NOT NULL) AS survivalBase,
      sumIf(reworked, reworked IS NOT NULL) AS reworkedLines, sumIf(landed, reworked IS NOT NULL) AS reworkBase
    FROM links GROUP BY SessionId
  ),
  sessions AS (
    SELECT SessionId FROM linked
    UNION DISTINCT SELECT SessionId FROM session_summaries WHERE Project = {project:String} AND Repository = {repository:String}
    UNION DISTINCT SELECT ''
  )
SELECT {project:String}, {repository:String}, {branch:String}, s.SessionId, l.hashes, l.prs, l.reverted, l.landedLines,
  l.survivedLines, l.survivalBase, l.reworkedLines, l.reworkBase,
  fromUnixTimestamp64Milli((SELECT toUnixTimestamp64Milli(max(CommitTime)) FROM commits) - {windowMs:Int64}),
  fromUnixTimestamp64Milli({linkedAt:Int64}), fromUnixTimestamp64Milli({nowMs:Int64})
FROM sessions AS s
LEFT JOIN linked AS l ON l.SessionId = s.SessionId`;

/**
 * Writes session_outcomes for one synced branch from a link run (and the survival computed so far),
 * as one run that replaces the repository's previous one. Called after each link run and after each
 * survival run, so readers never join the git tables themselves.
 */
export async function materialiseOutcomes(store: { client: Client }, options: MaterialiseOptions): Promise<MaterialiseResult> {
  const key = { project: options.project, repository: options.repository, branch: options.branch };
  const [previous] = await selectRows<{ linkedAt: number; computedAt: number }>(store.client,
    `SELECT toUnixTimestamp64Milli(LinkedAt) AS linkedAt, toUnixTimestamp64Milli(ComputedAt) AS computedAt FROM session_outcomes FINAL
     WHERE Project = {project:String} AND Repository = {repository:String} AND SessionId = '' AND Branch = {branch:String}`, key);
  const linkedAt = options.linkedAt ?? previous?.linkedAt;
  const computedAt = Math.max(options.nowMs ?? Date.now(), (previous?.computedAt ?? 0) + 1);
  if (linkedAt === undefined) return { sessions: 0, computedAt };
  const params = { ...key, linkedAt, windowMs: options.windowMs ?? DEFAULT_LINK_WINDOW_MS, nowMs: computedAt };
  await store.client.command({ query: MATERIALISE_SQL, query_params: params, clickhouse_settings: { join_use_nulls: 0 } });
  const [written] = await selectRows<{ n: number }>(store.client,
    `SELECT count() AS n FROM session_outcomes FINAL
     WHERE Project = {project:String} AND Repository = {repository:String} AND SessionId != '' AND ComputedAt = fromUnixTimestamp64Milli({nowMs:Int64})`, params);
  return { sessions: Number(written?.n ?? 0), computedAt };
}
