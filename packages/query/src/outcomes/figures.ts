import type { QueryScope } from '../scope.js';
import { selectRows, type Client } from '../sql.js';
import { summariesIn, WEIGHTED_ACTIVITY_SQL } from '../summaries.js';
import { resolveWeights, weightParams, type Weights, type WeightOverrides } from '../leverage/weights.js';

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
  /** @default DEFAULT_WEIGHTS */
  weights?: WeightOverrides;
  /** Figures to compute beside `landing` (commits, lines, landing rate, $ per commit, abandoned $); the others come back null. @default every part */
  parts?: OutcomePart[];
}

interface Sums {
  key: string; isTotal: number; people: number; sessions: number; commits: number; pullRequests: number; reverted: number;
  linesWritten: number; landedLines: number; linkedUsd: number; coveredUsd: number; abandonedUsd: number; landedWeighted: number;
  survived: number; survivalBase: number; reworked: number; reworkBase: number; toolCalls: number; prompts: number;
}

const LANDED_ACTIVITY_SQL = WEIGHTED_ACTIVITY_SQL.replace('LinesAdded *', 'landed *');

/**
 * The outcomes query, part by part: each part's columns per session (from session_outcomes) and its
 * sums per group (over the sessions' summaries joined to those columns). A session with a row in
 * session_outcomes is covered: its outcome is known, even if nothing landed. Commits, PRs and
 * reverts are counted once however many sessions share them.
 */
const PARTS = {
  /** Commits, landed and written lines, linked and abandoned $. */
  landing: {
    perSession: ['groupArrayArray(Commits) AS hashes', 'sum(LandedLines) AS landed', 'max(AbandonedBefore) AS abandonedBefore'],
    sums: [
      "uniqExactIf(UserId, UserId != '') AS people", 'sum(covered) AS sessions', 'length(groupUniqArrayArray(hashes)) AS commits',
      'sumIf(LinesAdded, covered) AS linesWritten', 'sum(landed) AS landedLines', 'sumIf(SpendUsd, notEmpty(hashes)) AS linkedUsd',
      'sumIf(SpendUsd, covered AND empty(hashes) AND SpendUsd > 0 AND End < abandonedBefore) AS abandonedUsd',
    ],
  },
  pullRequests: { perSession: ['groupArrayArray(PullRequests) AS prs'], sums: ['length(groupUniqArrayArray(prs)) AS pullRequests'] },
  reverts: { perSession: ['groupArrayArray(Reverted) AS revertedHashes'], sums: ['length(groupUniqArrayArray(revertedHashes)) AS reverted'] },
  survival: {
    perSession: ['sum(Survived) AS survived', 'sum(SurvivalBase) AS survivalBase', 'sum(Reworked) AS reworked', 'sum(ReworkBase) AS reworkBase'],
    sums: ['sum(survived) AS survived', 'sum(survivalBase) AS survivalBase', 'sum(reworked) AS reworked', 'sum(reworkBase) AS reworkBase'],
  },
  landedLeverage: { perSession: [], sums: [`sumIf(${LANDED_ACTIVITY_SQL}, covered) AS landedWeighted`, 'sumIf(SpendUsd, covered) AS coveredUsd'] },
  delegation: { perSession: [], sums: ['sumIf(ToolCalls, Prompts > 0) AS toolCalls', 'sum(Prompts) AS prompts'] },
} as const;

/** A part of the outcome figures; `landing` is always computed. */
export type OutcomePart = keyof typeof PARTS;
const ALL_PARTS = Object.keys(PARTS) as OutcomePart[];

function outcomesSql(groupKey: string, tail: string, parts: ReadonlySet<OutcomePart>): string {
  const used = ALL_PARTS.filter((p) => parts.has(p)).map((p) => PARTS[p]);
  return `WITH o AS (
  SELECT SessionId, 1 AS covered, ${used.flatMap((p) => p.perSession).join(', ')}
  FROM session_outcomes FINAL
  WHERE Project = {project:String} AND SessionId != ''
    AND (Repository, ComputedAt) IN (SELECT Repository, max(ComputedAt) FROM session_outcomes WHERE Project = {project:String} GROUP BY Repository)
  GROUP BY SessionId
)
SELECT ${groupKey}, ${used.flatMap((p) => p.sums).join(',\n  ')}
FROM (SELECT * FROM ${'{FROM}'}) AS s
LEFT JOIN o ON o.SessionId = s.SessionId${tail}`;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function figures(r: Sums, minGroupSize: number, parts: ReadonlySet<OutcomePart>): OutcomeFigures {
  const people = Number(r.people);
  if (minGroupSize > 1 && people < minGroupSize) {
    return {
      key: r.key, withheld: true, reason: `fewer than ${minGroupSize} people`, sessions: null, commits: null, pullRequests: null, linesWritten: null,
      landedLines: null, landedLinesEstimated: true, landingRate: null, survival30d: null, reworkRate: null, survivalReason: null, revertRate: null,
      costPerAcceptedChange: null, costPerPullRequest: null, abandonedUsd: null, landedLeverage: null, toolCallsPerPrompt: null,
    };
  }
  const n = (k: keyof Sums) => Number(r[k]) || 0;
  const asked = <T>(part: OutcomePart, value: T): T | null => (parts.has(part) ? value : null);
  const survivalReason = n('survivalBase') === 0 && n('reworkBase') === 0
    ? (n('landedLines') > 0 ? 'not computed yet for these commits: fulcrum git sync computes survival once a commit is 30 days old and rework once it is 21 days old' : 'no landed agent lines')
    : null;
  return {
    key: r.key, withheld: false, reason: null, sessions: n('sessions'), commits: n('commits'), pullRequests: asked('pullRequests', n('pullRequests')),
    linesWritten: n('linesWritten'), landedLines: n('landedLines'), landedLinesEstimated: true,
    landingRate: ratio(n('landedLines'), n('linesWritten')),
    survival30d: asked('survival', ratio(n('survived'), n('survivalBase'))), reworkRate: asked('survival', ratio(n('reworked'), n('reworkBase'))),
    survivalReason: asked('survival', survivalReason),
    revertRate: asked('reverts', ratio(n('reverted'), n('commits'))),
    costPerAcceptedChange: ratio(n('linkedUsd'), n('commits')), costPerPullRequest: asked('pullRequests', ratio(n('linkedUsd'), n('pullRequests'))),
    abandonedUsd: n('abandonedUsd'), landedLeverage: asked('landedLeverage', ratio(n('landedWeighted'), n('coveredUsd'))),
    toolCallsPerPrompt: asked('delegation', ratio(n('toolCalls'), n('prompts'))),
  };
}


/**
 * Outcome figures of the sessions in scope, in total and per group, in one query: the sessions'
 * summaries joined to their materialised outcomes (session_outcomes). Groups, and the total,
 * covering fewer than `minGroupSize` people are withheld.
 */
export async function outcomesByGroup(client: Client, scope: QueryScope, options: OutcomesOptions = {}): Promise<OutcomesResult> {
  const by = options.by ?? 'team';
  if (by !== 'all' && !OUTCOME_DIMENSIONS[by]) throw new RangeError(`by must be one of all, ${Object.keys(OUTCOME_DIMENSIONS).join(', ')} (outcomes are never shown per person)`);
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) throw new RangeError(`minGroupSize must be a whole number ≥ 1, got ${minGroupSize}`);
  const weights = resolveWeights(options.weights);
  const from = summariesIn(scope);
  const column = by === 'all' ? '' : OUTCOME_DIMENSIONS[by];
  const grouping = by === 'all'
    ? { key: "'' AS key, 1 AS isTotal", tail: '' }
    : { key: `${column} AS key, grouping(key) AS isTotal`, tail: '\nGROUP BY GROUPING SETS ((key), ())' };
  const parts = new Set<OutcomePart>(['landing', ...(options.parts ?? ALL_PARTS)]);
  const sql = outcomesSql(grouping.key, grouping.tail, parts).replace('{FROM}', from.sql);
  const rows = await selectRows<Sums>(client, sql, { ...from.params, ...weightParams(weights) });
  const totalRow = rows.find((r) => Number(r.isTotal) === 1);
  const zero = { key: '', isTotal: 1, people: 0, sessions: 0 } as Sums;
  const total = { ...figures(totalRow ?? zero, minGroupSize, parts), key: '' };
  const groups = by === 'all' ? [] : rows.filter((r) => Number(r.isTotal) !== 1)
    .sort((a, b) => Number(b.landedLines) - Number(a.landedLines) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => figures(r, minGroupSize, parts));
  return { by, minGroupSize, outcomesAvailable: Number(totalRow?.sessions ?? 0) > 0, weights, total, groups };
}
