import { ACTIVITIES } from '@fulcrum/query';

/** JSON schemas of the query API: they validate requests, shape responses and make the OpenAPI document. */
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const strs = { type: 'array', items: str } as const;
const nullableNum = { type: ['number', 'null'] } as const;

export const scopeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', description: "must match the request's project (the API key's, when keys are on)" },
    since: { type: 'string', description: 'ISO date/time or a duration before now: 30m, 24h, 7d, 2w' },
    until: { type: 'string', description: 'ISO date/time or a duration before now' },
    team: str, repository: str, harness: str, useCase: str,
    user: { type: 'string', description: 'one user; needs individual=true' },
    individual: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'opt in to individual-level views' },
    sort: { type: 'string', enum: ['spend', 'start', 'waste', 'leverage'] },
    limit: { type: 'string', pattern: '^[0-9]+$' },
    // Not an enum: the query parser names the allowed values in its 400, and accepts use-case as the CLI spells it.
    by: { type: 'string', description: 'breakdown: team (default), repository, harness, useCase (or use-case), user (needs individual=true), all' },
    minRepeat: { type: 'string', pattern: '^[0-9]+$', description: 'identical calls that make a loop (default 3)' },
    worst: { type: 'string', pattern: '^[0-9]+$', description: 'worst sessions listed in a report (default 10)' },
    // Not patterns: the query parser names the parameter and the value in its 400.
    sessionBudgetUsd: { type: 'string', description: "report: $ per session window; 0 = none (default the server's budgets.sessionUsd)" },
    teamBudgetUsd: { type: 'string', description: "report: $ per team window per team; 0 = none (default budgets.teamUsd)" },
    repositoryBudgetUsd: { type: 'string', description: "report: $ per team window per repository; 0 = none (default budgets.repositoryUsd)" },
    ...Object.fromEntries(ACTIVITIES.map((a) => [`weight.${a}`, { type: 'string', description: `leverage weight of ${a}, a non-negative number (default the server's weights.${a})` }])),
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: str, message: str } } },
} as const;

export const findingSchema = {
  $id: 'Finding',
  type: 'object',
  properties: {
    sessionId: str, kind: str, anchorSpanIds: strs, wasteSpanIds: strs, tokens: int, costUsd: num,
    estimated: bool, evidence: str, toolName: str, filePath: str, command: str, at: str,
  },
} as const;

export const sessionSummarySchema = {
  $id: 'SessionSummary',
  type: 'object',
  properties: {
    sessionId: str, start: str, end: str, team: str, repository: str, harness: str, useCase: str, userId: str,
    spendUsd: num, unpricedCalls: int, tokens: int, modelCalls: int, toolCalls: int, failures: int, linesAdded: int, linesRemoved: int,
    refactors: int, skills: int, mcp: int, leverage: nullableNum, wasteUsd: num, wasteTokens: int,
    partialWasteUsd: num, unverifiableCalls: int, linesSource: str, commits: int, pullRequests: int,
  },
} as const;

/** Response header of GET /api/sessions: sessions in scope before `limit`, so a client can say "showing 50 of 84". */
export const TOTAL_HEADER = 'X-Total-Count';

export const sessionListSchema = {
  type: 'array',
  items: { $ref: 'SessionSummary#' },
  headers: { [TOTAL_HEADER]: { type: 'integer', description: 'sessions in scope before limit' } },
} as const;

export const sessionNodeSchema = {
  $id: 'SessionNode',
  type: 'object',
  properties: {
    spanId: str, parentSpanId: str, name: str, type: str, label: str, start: str, durationMs: num, tokens: int,
    costUsd: num, success: bool, waste: strs, evidence: str,
    guard: {
      type: 'object',
      description: 'on a guard intervention (a fulcrum.guard span) only: what the guard decided about the call (docs/conventions.md)',
      properties: { policy: str, decision: str, mode: str, reason: str, savedUsd: { type: 'number', description: "the guard's estimate of what the call would have cost" } },
    },
    children: { type: 'array', items: { $ref: 'SessionNode#' } },
  },
} as const;

/** Guard interventions: calls denied or stopped, their estimated saving (never in spend or waste), warnings given. */
const prevented = { type: 'object', description: 'guard interventions (fulcrum guard): calls denied or stopped, their estimated cost in USD, calls allowed with a warning', properties: { calls: int, usd: num, warnings: int } } as const;

export const groupLeverageSchema = {
  $id: 'GroupLeverage',
  type: 'object',
  properties: {
    key: str, sessions: int, spendUsd: num, unpricedCalls: int, tokens: int, linesAdded: int, linesRemoved: int, refactors: int,
    skills: int, mcp: int, leverage: nullableNum, wasteUsd: num, wasteTokens: int,
  },
} as const;

const weights = { type: 'object', properties: { linesAdded: num, linesRemoved: num, refactors: num, skills: num, mcp: num } } as const;

export const leverageSchema = {
  type: 'object',
  properties: { by: str, weights, total: { $ref: 'GroupLeverage#' }, groups: { type: 'array', items: { $ref: 'GroupLeverage#' } } },
} as const;

export const sessionDetailSchema = {
  type: 'object',
  properties: {
    sessionId: str, spans: int, spendUsd: num, unpricedCalls: int, tokens: int, wasteUsd: num,
    partialWasteUsd: num, unverifiableCalls: int, evidenceHint: str, linesAdded: int, linesRemoved: int, linesSource: str, commits: int, pullRequests: int,
    delegation: {
      type: 'object',
      description: 'how far the agent ran without its human (docs/outcomes.md)',
      properties: {
        level: { type: 'string', enum: ['', 'pair', 'supervised', 'delegated'] }, prompts: int, promptSource: str, toolCalls: int, toolCallsPerPrompt: nullableNum,
        longestRunCalls: int, longestRunSeconds: num, rejectedCalls: int, agentActiveSeconds: num, humanActiveSeconds: num, agentActiveShare: nullableNum,
      },
    },
    prevented,
    roots: { type: 'array', items: { $ref: 'SessionNode#' } },
    findings: { type: 'array', items: { $ref: 'Finding#' } },
  },
} as const;

const wasteCategory = { type: 'object', properties: { kind: str, findings: int, spans: int, tokens: int, costUsd: num, estimated: bool } } as const;
const wastedSession = { type: 'object', properties: { sessionId: str, wasteUsd: num, wasteTokens: int, findings: { type: 'array', items: { $ref: 'Finding#' } } } } as const;
const runaway = {
  type: 'object',
  properties: {
    level: str, entity: str, team: str, windowStart: str, windowMinutes: int, spendUsd: num, calls: int,
    trailingMedianSpendUsd: nullableNum, trailingMedianCalls: nullableNum, reasons: strs,
  },
} as const;

const overBudget = {
  type: 'object',
  properties: { level: str, budgetUsd: num, windowMinutes: int, overUsd: num, windows: int, entities: int, spendUsd: num },
} as const;

export const reportSchema = {
  type: 'object',
  properties: {
    scope: { type: 'object', additionalProperties: { type: 'string' } },
    generatedAt: str, by: str, weights,
    total: { $ref: 'GroupLeverage#' },
    groups: { type: 'array', items: { $ref: 'GroupLeverage#' } },
    waste: {
      type: 'object',
      properties: {
        categories: { type: 'array', items: wasteCategory }, totalUsd: num, totalTokens: int, sessionsWithWaste: int,
        worstSessions: { type: 'array', items: wastedSession },
        partial: { type: 'object', properties: { categories: { type: 'array', items: wasteCategory }, totalUsd: num, findings: { type: 'array', items: { $ref: 'Finding#' } } } },
        unverifiable: { type: 'object', properties: { calls: int, sessions: int, hints: strs } },
        prevented: { ...prevented, properties: { ...prevented.properties, sessions: int } },
      },
    },
    runaways: { type: 'array', items: runaway },
    budgets: {
      type: 'object',
      properties: {
        budgets: { type: 'object', properties: { sessionUsd: num, teamUsd: num, repositoryUsd: num, sessionWindowMinutes: int, teamWindowMinutes: int } },
        over: { type: 'array', items: overBudget },
        sessionOverUsd: num,
      },
    },
    outcomes: { type: 'object', properties: { available: bool, total: { $ref: 'OutcomeFigures#' } } },
  },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;
const nullableStr = { type: ['string', 'null'] } as const;

export const outcomeFiguresSchema = {
  $id: 'OutcomeFigures',
  type: 'object',
  description: 'null figures: withheld (fewer people than privacy.minGroupSize), or nothing to divide by',
  properties: {
    key: str, withheld: bool, reason: nullableStr, sessions: nullableInt, commits: nullableInt, pullRequests: nullableInt,
    linesWritten: nullableInt, landedLines: nullableNum, landedLinesEstimated: bool, landingRate: nullableNum,
    survival30d: nullableNum, reworkRate: nullableNum, survivalReason: nullableStr, revertRate: nullableNum,
    costPerAcceptedChange: nullableNum, costPerPullRequest: nullableNum, abandonedUsd: nullableNum, landedLeverage: nullableNum, toolCallsPerPrompt: nullableNum,
  },
} as const;

export const outcomesSchema = {
  type: 'object',
  properties: {
    by: str, minGroupSize: int, outcomesAvailable: bool,
    weights, total: { $ref: 'OutcomeFigures#' }, groups: { type: 'array', items: { $ref: 'OutcomeFigures#' } },
  },
} as const;

export const SHARED_SCHEMAS = [findingSchema, sessionSummarySchema, sessionNodeSchema, groupLeverageSchema, outcomeFiguresSchema];
