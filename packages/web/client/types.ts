// The API's answers: the query package's own types, imported for their types only (nothing of
// @fulcrum/query is bundled). The API's response schemas are generated from the same types.
import type { GroupLeverage, SessionSummary, Finding } from '@fulcrum/query';

export type {
  Finding,
  GroupLeverage,
  LeverageResult,
  OutcomeFigures,
  OutcomesResult,
  Report,
  RunawaySignal,
  SessionDetail,
  SessionNode,
  SessionSummary,
  Timeseries,
  TimeseriesPoint,
  WasteCategory,
  WasteHotspots,
  Weights,
} from '@fulcrum/query';

/** The dimensions the app groups and filters by. */
export const DIMENSIONS = ['team', 'repository', 'harness', 'useCase'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const DIMENSION_LABELS: Record<Dimension, string> = { team: 'Team', repository: 'Repository', harness: 'Harness', useCase: 'Use case' };

export type { SessionSummary as SessionRow };
export type GroupRow = GroupLeverage;
export type FindingRow = Finding;
