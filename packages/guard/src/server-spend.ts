import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FULCRUM } from '@fulcrum/vocab';
import type { GuardConfig } from './config.js';
import type { RecordTarget } from './record.js';

/** A team's and a repository's spend in the current team window, as a Fulcrum server reports it. */
export interface GroupSpend {
  atMs: number;
  /** Since the team window's start (ms). */
  windowStartMs: number;
  teamSpendUsd?: number;
  repositorySpendUsd?: number;
}

/** How long a server's figure is trusted before it is asked again: one request per half minute, not per call. */
export const GROUP_SPEND_TTL_MS = 30_000;

async function totalSpend(target: RecordTarget, filter: Record<string, string>, sinceMs: number): Promise<number | undefined> {
  const q = new URLSearchParams({ ...filter, by: 'all', since: new Date(sinceMs).toISOString() });
  try {
    const res = await fetch(`${target.url.replace(/\/+$/, '')}/api/leverage?${q}`, { headers: target.headers, signal: AbortSignal.timeout(500) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { total?: { spendUsd?: unknown } };
    const v = body.total?.spendUsd;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The spend of the session's team and repository (named by the resource
 * attributes the harness exports with: fulcrum.team, fulcrum.repository)
 * since the current team window began, from the server's leverage API: the
 * sessions that started in the window. Undefined when no budget applies or
 * the server did not answer within 500 ms (the guard then judges the session alone).
 */
export async function fetchGroupSpend(target: RecordTarget, config: GuardConfig, nowMs: number): Promise<GroupSpend | undefined> {
  const team = target.resource?.[FULCRUM.TEAM];
  const repository = target.resource?.[FULCRUM.REPOSITORY];
  const wantTeam = config.budget.teamUsd > 0 && !!team;
  const wantRepo = config.budget.repositoryUsd > 0 && !!repository;
  if (!wantTeam && !wantRepo) return undefined;
  const windowMs = config.budget.teamWindowMinutes * 60_000;
  const windowStartMs = Math.floor(nowMs / windowMs) * windowMs;
  const [teamSpendUsd, repositorySpendUsd] = await Promise.all([
    wantTeam ? totalSpend(target, { team: team! }, windowStartMs) : undefined,
    wantRepo ? totalSpend(target, { repository: repository! }, windowStartMs) : undefined,
  ]);
  if (teamSpendUsd === undefined && repositorySpendUsd === undefined) return undefined;
  return { atMs: nowMs, windowStartMs, teamSpendUsd, repositorySpendUsd };
}

/** Whether a team or repository budget applies to this session: only then is the server asked. */
export function groupBudgetApplies(target: RecordTarget, config: GuardConfig): boolean {
  return (config.budget.teamUsd > 0 && !!target.resource?.[FULCRUM.TEAM]) || (config.budget.repositoryUsd > 0 && !!target.resource?.[FULCRUM.REPOSITORY]);
}

/**
 * The server's last figures, kept beside the session's state in a file of
 * their own: a hook reads them without parsing the session's calls, and asks
 * the server again only once they are older than GROUP_SPEND_TTL_MS.
 */
export async function groupSpendFor(file: string, target: RecordTarget, config: GuardConfig, nowMs: number): Promise<GroupSpend | undefined> {
  let cached: GroupSpend | undefined;
  try {
    cached = JSON.parse(readFileSync(file, 'utf8')) as GroupSpend;
  } catch {
    cached = undefined; // none yet, or half-written by a hook killed mid-write: ask again
  }
  if (cached && nowMs - cached.atMs <= GROUP_SPEND_TTL_MS) return cached;
  const fresh = await fetchGroupSpend(target, config, nowMs);
  if (!fresh) return cached;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(fresh));
  renameSync(tmp, file);
  return fresh;
}
