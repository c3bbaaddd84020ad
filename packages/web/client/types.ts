// The API's answers. The shapes are the query package's own types (imported for their types only:
// nothing of @fulcrum/query is bundled); the newer ones are spelled here until the query package exports them.
import type { GroupLeverage, Report, SessionSummary, Finding } from '@fulcrum/query';

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
  WasteCategory,
  Weights,
} from '@fulcrum/query';

/** GET /api/timeseries: one series per group, points bucketed by session start. */
export interface Timeseries {
  by: string;
  bucketSeconds: number;
  from: string;
  to: string;
  series: { key: string; points: TimeseriesPoint[] }[];
}

export interface TimeseriesPoint {
  /** ISO start of the bucket. */
  t: string;
  sessions: number;
  spendUsd: number;
  wasteUsd: number;
  tokens: number;
  leverage: number | null;
  preventedUsd: number;
}

/** The most wasted files and commands (report.waste.hotspots). */
export interface WasteHotspots {
  files: { filePath: string; findings: number; sessions: number; costUsd: number; tokens: number; kinds: string[] }[];
  commands: { command: string; findings: number; sessions: number; costUsd: number; tokens: number; kinds: string[] }[];
}

/** A report as the app reads it: hotspots arrive with the query helper's change, so they may be absent. */
export type ReportWithHotspots = Report & { waste: Report['waste'] & { hotspots?: WasteHotspots } };

/** The dimensions the app groups and filters by. */
export const DIMENSIONS = ['team', 'repository', 'harness', 'useCase'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const DIMENSION_LABELS: Record<Dimension, string> = { team: 'Team', repository: 'Repository', harness: 'Harness', useCase: 'Use case' };

export type { SessionSummary as SessionRow };
export type GroupRow = GroupLeverage;
export type FindingRow = Finding;
