import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { summariesIn, WEIGHTED_ACTIVITY_SQL } from '../summaries.js';
import { resolveWeights, weightParams, type Weights, type WeightOverrides } from '../leverage/weights.js';
import { DEFAULT_LINK_WINDOW_MS } from './link.js';

/** What outcomes can be grouped by. Never by person: outcomes are team figures (see privacy in docs/outcomes.md). */
export const OUTCOME_DIMENSIONS = { team: 'Team', repository: 'Repository', harness: 'Harness', useCase: 'UseCase' } as const;
export type OutcomeDimension = keyof typeof OUTCOME_DIMENSIONS;

/** The smallest number of distinct people a group must cover to be shown. */
export const DEFAULT_MIN_GROUP_SIZE = 5;

export interface OutcomeFigures {
  /** The group's value; '' for the total and for sessions without one. */
  key: string;
  /** True when the group covers fewer than minGroupSize people: every figure is then null. */
  withheld: boolean;
  /** Why the group is withheld; null when shown. */
  reason: string | null;
  /** Sessions whose outcomes are known: in a synced repository, or linked to a commit. */
  sessions: number | null;
  commits: number | null;
  pullRequests: number | null;
  /** Lines the sessions added (their LinesAdded). */
  linesWritten: number | null;
  /** Agent lines that landed: an estimate from line counts, not line contents (landedLinesEstimated). */
  landedLines: number | null;
  landedLinesEstimated: true;
  landingRate: number | null;
  /** Share of landed agent lines still at the branch tip 30 days on; null (see survivalReason) until known. */
  survival30d: number | null;
  reworkRate: number | null;
  survivalReason: string | null;
  revertRate: number | null;
  /** $ of the linked sessions per landed commit. */
  costPerAcceptedChange: number | null;
  /** $ of the linked sessions per landed pull request; null when no PR is known. */
  costPerPullRequest: number | null;
  abandonedUsd: number | null;
  landedLeverage: number | null;
  toolCallsPerPrompt: number | null;
}

export interface OutcomesResult {
  by: OutcomeDimension | 'all';
  minGroupSize: number;
  windowMs: number;
  /** True when some session in scope has known outcomes (its repository synced and linked): reports may lead with landed leverage. */
  outcomesAvailable: boolean;
  weights: Weights;
  total: OutcomeFigures;
  groups: OutcomeFigures[];
}

export interface OutcomesOptions {
  /** @default 'team' */
  by?: OutcomeDimension | 'all';
  /** Groups (and the total) covering fewer distinct people are withheld. @default 5 */
  minGroupSize?: number;
  /** The link window: a session unlinked that ended longer than this before a repository's latest synced commit is abandoned. @default 7 days */
  windowMs?: number;
  /** @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
}

interface Sums {
  key: string; isTotal: number; people: number; sessions: number; commits: number; pullRequests: number; reverted: number;
  linesWritten: number; landedLines: number; linkedUsd: number; coveredUsd: number; abandonedUsd: number; landedWeighted: number;
  survived: number; survivalBase: number; reworked: number; reworkBase: number; toolCalls: number; prompts: number;
}

const LANDED_ACTIVITY_SQL = WEIGHTED_ACTIVITY_SQL.replace('LinesAdded *', 'landed *');

function outcomesSql(groupKey: string, tail: string): string {
  return `WITH
  runs AS (SELECT Repository, argMax(Branch, ComputedAt) AS Branch, max(ComputedAt) AS ComputedAt FROM session_commits WHERE Project = {project:String} GROUP BY Repository),
  commits AS (
    SELECT Repository, Hash, PullRequest, RevertsHash, CommitTime FROM git_commits FINAL
    WHERE Project = {project:String} AND Mainline AND (Repository, Branch) IN (SELECT Repository, Branch FROM runs)
  ),
  synced AS (SELECT Repository, toUnixTimestamp64Milli(max(CommitTime)) AS lastCommitMs FROM commits GROUP BY Repository),
  reverted AS (
    SELECT c.Repository AS Repository, c.Hash AS Hash FROM commits AS c
    INNER JOIN (SELECT Repository, RevertsHash FROM commits WHERE RevertsHash != '') AS r ON c.Repository = r.Repository
    WHERE startsWith(c.Hash, r.RevertsHash)
  ),
  survival AS (SELECT Repository, Branch, Hash, Surviving30d, Reworked21d, LinesAdded FROM git_commit_survival FINAL WHERE Project = {project:String}),
  linkFacts AS (
    SELECT l.SessionId AS SessionId, l.Repository AS Repository, l.Hash AS Hash, l.LandedLines AS LandedLines, c.PullRequest AS PullRequest,
      (l.Repository, l.Hash) IN (SELECT Repository, Hash FROM reverted) AS isReverted,
      if(sv.Surviving30d IS NULL OR sv.LinesAdded = 0, NULL, l.LandedLines * least(sv.Surviving30d / sv.LinesAdded, 1)) AS survived,
      if(sv.Reworked21d IS NULL OR sv.LinesAdded = 0, NULL, l.LandedLines * least(sv.Reworked21d / sv.LinesAdded, 1)) AS reworked
    FROM (
      SELECT SessionId, Repository, Branch, Hash, LandedLines FROM session_commits FINAL
      WHERE Project = {project:String} AND (Repository, Branch, ComputedAt) IN (SELECT Repository, Branch, ComputedAt FROM runs)
    ) AS l
    INNER JOIN commits AS c ON c.Repository = l.Repository AND c.Hash = l.Hash
    LEFT JOIN survival AS sv ON sv.Repository = l.Repository AND sv.Branch = l.Branch AND sv.Hash = l.Hash
  ),
  perSession AS (
    SELECT SessionId, groupArray((Repository, Hash)) AS hashes, groupArrayIf((Repository, PullRequest), PullRequest > 0) AS prs,
      groupArrayIf((Repository, Hash), isReverted) AS revertedHashes, sum(LandedLines) AS landed,
      sumIf(survived, survived IS NOT NULL) AS survived, sumIf(LandedLines, survived IS NOT NULL) AS survivalBase,
      sumIf(reworked, reworked IS NOT NULL) AS reworked, sumIf(LandedLines, reworked IS NOT NULL) AS reworkBase
    FROM linkFacts GROUP BY SessionId
  )
SELECT ${groupKey}, uniqExactIf(UserId, UserId != '') AS people,
  countIf(covered) AS sessions,
  length(groupUniqArrayArray(hashes)) AS commits, length(groupUniqArrayArray(prs)) AS pullRequests, length(groupUniqArrayArray(revertedHashes)) AS reverted,
  sumIf(LinesAdded, covered) AS linesWritten, sum(landed) AS landedLines,
  sumIf(SpendUsd, notEmpty(hashes)) AS linkedUsd, sumIf(SpendUsd, covered) AS coveredUsd,
  sumIf(SpendUsd, synced AND empty(hashes) AND SpendUsd > 0 AND toUnixTimestamp64Milli(End) < lastCommitMs - {windowMs:Int64}) AS abandonedUsd,
  sumIf(${LANDED_ACTIVITY_SQL}, covered) AS landedWeighted,
  sum(survived) AS survived, sum(survivalBase) AS survivalBase, sum(reworked) AS reworked, sum(reworkBase) AS reworkBase,
  sumIf(ToolCalls, Prompts > 0) AS toolCalls, sum(Prompts) AS prompts
FROM (
  SELECT s.Team AS Team, s.Repository AS Repository, s.Harness AS Harness, s.UseCase AS UseCase, s.UserId AS UserId, s.SpendUsd AS SpendUsd, s.End AS End,
    s.LinesAdded AS LinesAdded, s.LinesRemoved AS LinesRemoved, s.Refactors AS Refactors, s.Skills AS Skills, s.Mcp AS Mcp, s.ToolCalls AS ToolCalls, s.Prompts AS Prompts,
    p.hashes AS hashes, p.prs AS prs, p.revertedHashes AS revertedHashes, p.landed AS landed, p.survived AS survived, p.survivalBase AS survivalBase,
    p.reworked AS reworked, p.reworkBase AS reworkBase, y.Repository != '' AS synced, y.lastCommitMs AS lastCommitMs, (synced OR notEmpty(hashes)) AS covered
  FROM (SELECT * FROM ${'{FROM}'}) AS s
  LEFT JOIN perSession AS p ON p.SessionId = s.SessionId
  LEFT JOIN synced AS y ON y.Repository = s.Repository
)${tail}`;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function figures(r: Sums, minGroupSize: number): OutcomeFigures {
  const people = Number(r.people);
  if (minGroupSize > 1 && people < minGroupSize) {
    return {
      key: r.key, withheld: true, reason: `fewer than ${minGroupSize} people`, sessions: null, commits: null, pullRequests: null, linesWritten: null,
      landedLines: null, landedLinesEstimated: true, landingRate: null, survival30d: null, reworkRate: null, survivalReason: null, revertRate: null,
      costPerAcceptedChange: null, costPerPullRequest: null, abandonedUsd: null, landedLeverage: null, toolCallsPerPrompt: null,
    };
  }
  const n = (k: keyof Sums) => Number(r[k]) || 0;
  const survivalReason = n('survivalBase') === 0 && n('reworkBase') === 0
    ? (n('landedLines') > 0 ? 'not computed yet for these commits: fulcrum git sync, reading the store directly, computes survival once a commit is 30 days old and rework once it is 21 days old' : 'no landed agent lines')
    : null;
  return {
    key: r.key, withheld: false, reason: null, sessions: n('sessions'), commits: n('commits'), pullRequests: n('pullRequests'),
    linesWritten: n('linesWritten'), landedLines: n('landedLines'), landedLinesEstimated: true,
    landingRate: ratio(n('landedLines'), n('linesWritten')),
    survival30d: ratio(n('survived'), n('survivalBase')), reworkRate: ratio(n('reworked'), n('reworkBase')), survivalReason,
    revertRate: ratio(n('reverted'), n('commits')),
    costPerAcceptedChange: ratio(n('linkedUsd'), n('commits')), costPerPullRequest: ratio(n('linkedUsd'), n('pullRequests')),
    abandonedUsd: n('abandonedUsd'), landedLeverage: ratio(n('landedWeighted'), n('coveredUsd')),
    toolCallsPerPrompt: ratio(n('toolCalls'), n('prompts')),
  };
}


/**
 * Outcome figures of the sessions in scope, in total and per group, in one query: the sessions'
 * summaries joined to their links (session_commits, each repository's latest link run), the
 * landed commits (git_commits, Mainline), their reverts and survival (git_commit_survival, when
 * computed). Groups, and the total, covering fewer than `minGroupSize` people are withheld.
 */
export async function outcomesByGroup(client: Client, scope: QueryScope, options: OutcomesOptions = {}): Promise<OutcomesResult> {
  const by = options.by ?? 'team';
  if (by !== 'all' && !OUTCOME_DIMENSIONS[by]) throw new RangeError(`by must be one of all, ${Object.keys(OUTCOME_DIMENSIONS).join(', ')} (outcomes are never shown per person)`);
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) throw new RangeError(`minGroupSize must be a whole number ≥ 1, got ${minGroupSize}`);
  const windowMs = options.windowMs ?? DEFAULT_LINK_WINDOW_MS;
  const weights = resolveWeights(options.weights);
  const from = summariesIn(scope);
  const column = by === 'all' ? '' : OUTCOME_DIMENSIONS[by];
  const grouping = by === 'all'
    ? { key: "'' AS key, 1 AS isTotal", tail: '' }
    : { key: `${column} AS key, grouping(key) AS isTotal`, tail: '\nGROUP BY GROUPING SETS ((key), ())\nORDER BY isTotal DESC, landedLines DESC, key' };
  const sql = outcomesSql(grouping.key, grouping.tail).replace('{FROM}', from.sql);
  const rows = await selectRows<Sums>(client, sql, { ...from.params, ...weightParams(weights), windowMs });
  const totalRow = rows.find((r) => Number(r.isTotal) === 1);
  const zero = { key: '', isTotal: 1, people: 0, sessions: 0 } as Sums;
  const total = { ...figures(totalRow ?? zero, minGroupSize), key: '' };
  const groups = by === 'all' ? [] : rows.filter((r) => Number(r.isTotal) !== 1).map((r) => figures(r, minGroupSize));
  return { by, minGroupSize, windowMs, outcomesAvailable: Number(totalRow?.sessions ?? 0) > 0, weights, total, groups };
}
