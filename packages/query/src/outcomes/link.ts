import type { Client } from '../sql.js';
import { selectRows } from '../sql.js';
import { materialiseOutcomes } from './materialise.js';
import { DEFAULT_LINK_WINDOW_MS } from './window.js';

export { DEFAULT_LINK_WINDOW_MS };

/** What to link: one synced branch of one repository of a project. */
export interface LinkOptions {
  project: string;
  /** As stored by `fulcrum git sync` (git_commits.Repository). */
  repository: string;
  branch: string;
  /** How long before a commit a session's edit of its files still counts (the files rule), in ms. @default 604800000 (7 days) */
  windowMs?: number;
  /** The link run's time, in ms: rows of this run carry it as ComputedAt. @default Date.now() */
  nowMs?: number;
  /**
   * The repository's working tree on the machine the sessions ran on (an absolute path, as `git sync`
   * was given it). An edit of `<root>/<file>`, or of `<file>` by a session working in `<root>`, links
   * even when the session names no repository (imported transcripts, harnesses without
   * fulcrum.repository). @default '' (the repository name alone)
   */
  root?: string;
}

export interface LinkResult {
  /** (commit, session) links written, by rule. */
  trailer: number;
  commit: number;
  files: number;
  /** ComputedAt of this run. */
  computedAt: number;
  /** Sessions whose outcomes were materialised from this run (session_outcomes): readers take each repository's latest, so a link that no longer holds is dropped. */
  sessions: number;
}

/*
 * One INSERT … SELECT in ClickHouse (nothing is pulled into JS):
 *
 * - commits: the branch's commits; a PR commit (not Mainline) lands in LandedIn.
 * - files: the Mainline commits' files, each with the previous Mainline commit time of the same path:
 *   an edit counts towards the first commit of its file after it, never twice.
 * - edits: the project's edit and write calls (or any call that added lines), one row per file path.
 * - matched: an edit whose path is the commit file's path or ends with '/' + it, made within the window
 *   before the commit and after the file's previous commit. (Joined on the base name, then checked.)
 * - trailer: a session id a commit (or its PR commits) names that session_summaries knows.
 * - committed: a session whose tool call made the commit (spans.VcsCommit, the abbreviated hash the
 *   harness or git's output named, prefixes the commit's; a PR commit counts on its merge).
 * - byFiles: a session of the same repository (spans' Repository), or whose edit is of the file under the
 *   repository's working tree (`root`), with a matched edit. A session naming no repository links only so.
 * - Lines per (commit, session, path) over the links; each file's agent lines that landed are
 *   min(Σ sessions' lines, the file's LinesAdded), split by each session's lines. Summed per (commit, session).
 */
const LINK_SQL = `INSERT INTO session_commits (Project, Repository, Branch, Hash, SessionId, Rule, Share, LandedLines, CommitTime, ComputedAt)
WITH
  known AS (SELECT DISTINCT SessionId FROM session_summaries FINAL WHERE Project = {project:String}),
  commits AS (
    SELECT Hash, Mainline, LandedIn, SessionIds, CommitTime FROM git_commits FINAL
    WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String}
  ),
  mainline AS (SELECT Hash, CommitTime FROM commits WHERE Mainline),
  files AS (
    SELECT Hash, Path, LinesAdded, toUnixTimestamp64Milli(CommitTime) AS at,
      lagInFrame(toUnixTimestamp64Milli(CommitTime), 1, toInt64(0)) OVER (PARTITION BY Path ORDER BY CommitTime, Hash ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS previousAt
    FROM git_commit_files FINAL
    WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String}
      AND Hash IN (SELECT Hash FROM mainline) AND NOT Binary
  ),
  edits AS (
    SELECT SessionId, Repository, cwd, path, intDiv(toUnixTimestamp64Nano(Timestamp), 1000000) AS at, LinesAdded / length(paths) AS lines
    FROM (
      SELECT SessionId, Repository, SpanAttributes['process.working_directory'] AS cwd, Timestamp, LinesAdded, if(empty(FilePaths), [FilePath], FilePaths) AS paths FROM spans FINAL
      WHERE Project = {project:String} AND SessionId != '' AND (ToolKind IN ('edit', 'write') OR LinesAdded > 0)
        AND SessionId IN (SELECT SessionId FROM known)
        -- Only edits that can reach a commit of the branch (the time index skips older parts).
        AND Timestamp >= fromUnixTimestamp64Milli((SELECT toUnixTimestamp64Milli(min(CommitTime)) FROM mainline) - {windowMs:Int64})
    )
    ARRAY JOIN paths AS path
    WHERE path != ''
  ),
  matched AS (
    SELECT f.Hash AS Hash, f.Path AS Path, f.LinesAdded AS fileLines, e.SessionId AS SessionId, e.Repository AS editRepository, e.lines AS lines,
      {root:String} != '' AND (e.path = concat({root:String}, '/', f.Path) OR (e.cwd = {root:String} AND e.path = f.Path)) AS underRoot
    FROM files AS f
    INNER JOIN edits AS e ON splitByChar('/', e.path)[-1] = splitByChar('/', f.Path)[-1]
    WHERE (e.path = f.Path OR endsWith(e.path, concat('/', f.Path)))
      AND e.at <= f.at AND e.at > greatest(f.at - {windowMs:Int64}, f.previousAt)
  ),
  trailer AS (
    SELECT DISTINCT if(Mainline, Hash, LandedIn) AS Hash, sid AS SessionId
    FROM commits ARRAY JOIN SessionIds AS sid
    WHERE (Mainline OR LandedIn != '') AND sid IN (SELECT SessionId FROM known)
  ),
  committed AS (
    SELECT DISTINCT Hash, SessionId FROM (
      SELECT if(c.Mainline, c.Hash, c.LandedIn) AS Hash, o.SessionId AS SessionId
      FROM (
        SELECT DISTINCT SessionId, VcsCommit FROM spans FINAL
        WHERE Project = {project:String} AND VcsCommit != '' AND SessionId IN (SELECT SessionId FROM known)
          AND Timestamp >= fromUnixTimestamp64Milli((SELECT toUnixTimestamp64Milli(min(CommitTime)) FROM commits) - {windowMs:Int64})
      ) AS o
      INNER JOIN commits AS c ON substring(c.Hash, 1, 7) = substring(o.VcsCommit, 1, 7)
      WHERE startsWith(c.Hash, o.VcsCommit) AND (c.Mainline OR c.LandedIn != '')
    )
    WHERE (Hash, SessionId) NOT IN (SELECT Hash, SessionId FROM trailer)
  ),
  byFiles AS (
    SELECT DISTINCT Hash, SessionId FROM matched
    WHERE (editRepository = {repository:String} OR underRoot)
      AND (Hash, SessionId) NOT IN (SELECT Hash, SessionId FROM trailer) AND (Hash, SessionId) NOT IN (SELECT Hash, SessionId FROM committed)
  ),
  links AS (
    SELECT Hash, SessionId, 'trailer' AS Rule FROM trailer WHERE Hash IN (SELECT Hash FROM mainline)
    UNION ALL SELECT Hash, SessionId, 'commit' AS Rule FROM committed WHERE Hash IN (SELECT Hash FROM mainline)
    UNION ALL SELECT Hash, SessionId, 'files' AS Rule FROM byFiles
  ),
  perPath AS (
    SELECT Hash, Path, SessionId, any(fileLines) AS fileLines, sum(lines) AS lines FROM matched
    WHERE (Hash, SessionId) IN (SELECT Hash, SessionId FROM links)
    GROUP BY Hash, Path, SessionId
  ),
  landedPerPath AS (
    SELECT Hash, Path, SessionId, lines,
      if(sum(lines) OVER w > 0, least(sum(lines) OVER w, fileLines) * lines / sum(lines) OVER w, 0) AS landed
    FROM perPath WINDOW w AS (PARTITION BY Hash, Path)
  ),
  perSession AS (SELECT Hash, SessionId, sum(lines) AS lines, sum(landed) AS landed FROM landedPerPath GROUP BY Hash, SessionId)
SELECT {project:String}, {repository:String}, {branch:String}, l.Hash, l.SessionId, l.Rule,
  if(sum(s.lines) OVER c > 0, s.lines / sum(s.lines) OVER c, 1 / count() OVER c) AS Share,
  s.landed, m.CommitTime, fromUnixTimestamp64Milli({nowMs:Int64})
FROM links AS l
LEFT JOIN perSession AS s ON s.Hash = l.Hash AND s.SessionId = l.SessionId
INNER JOIN mainline AS m ON m.Hash = l.Hash
WINDOW c AS (PARTITION BY l.Hash)`;

/**
 * Links the sessions of a project to the commits that landed on a synced branch (rules in
 * docs/outcomes.md), writes them to session_commits as one run, and materialises the sessions'
 * outcomes from it (session_outcomes). Idempotent: a re-run writes the same links under a newer
 * ComputedAt, and readers take the latest run of each repository.
 */
export async function linkSessionsToCommits(store: { client: Client }, options: LinkOptions): Promise<LinkResult> {
  const computedAt = options.nowMs ?? Date.now();
  const params = {
    project: options.project, repository: options.repository, branch: options.branch,
    windowMs: options.windowMs ?? DEFAULT_LINK_WINDOW_MS, nowMs: computedAt, root: (options.root ?? '').replace(/\/+$/, ''),
  };
  await store.client.command({ query: LINK_SQL, query_params: params, clickhouse_settings: { join_use_nulls: 0 } });
  const counts = await selectRows<{ Rule: string; n: number }>(store.client,
    `SELECT Rule, count() AS n FROM session_commits FINAL
     WHERE Project = {project:String} AND Repository = {repository:String} AND Branch = {branch:String} AND ComputedAt = fromUnixTimestamp64Milli({nowMs:Int64})
     GROUP BY Rule`, params);
  const of = (rule: string) => Number(counts.find((r) => r.Rule === rule)?.n ?? 0);
  const outcomes = await materialiseOutcomes(store, { ...options, linkedAt: computedAt, windowMs: params.windowMs });
  return { trailer: of('trailer'), commit: of('commit'), files: of('files'), computedAt, sessions: outcomes.sessions };
}
