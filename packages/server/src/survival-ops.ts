import { storeSurvivalData, type CommitSurvival, type LineOrigin, type SurvivalData, type SurvivalTarget } from '@fulcrum/query';
import type { Store } from '@fulcrum/store';
import { FulcrumError as IngestError } from '@fulcrum/vocab';
import type { Redact } from '@fulcrum/ingest';
import { MAX_PATH, objectId, storedPath } from '@fulcrum/ingest';

/** Most paths, hashes or rows in one survival call (`fulcrum git sync` sends up to 2,000 keys and 20,000 origin rows). */
const MAX_KEYS = 2_000;
const MAX_ROWS = 20_000;
const UINT32_MAX = 0xffff_ffff;
/** A run's clock may lead the server's by at most this: ComputedAt versions rows, and a far-future one would pin them. */
const MAX_CLOCK_LEAD_MS = 86_400_000;

const bad = (message: string) => new IngestError('BAD_REQUEST', message);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function list(v: unknown, name: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw bad(`${name} must be an array`);
  if (v.length > max) throw bad(`at most ${max} ${name} per call, got ${v.length}`);
  return v;
}

function hash(v: unknown, name: string): string {
  const h = objectId(v);
  if (!h) throw bad(`${name} must be full object ids`);
  return h;
}

function count(v: unknown, name: string): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > UINT32_MAX) throw bad(`${name} must be whole numbers from 0 to ${UINT32_MAX}`);
  return v as number;
}

function nullableCount(v: unknown, name: string): number | null {
  return v === null ? null : count(v, name);
}

function clock(v: unknown): number {
  if (!Number.isInteger(v) || (v as number) <= 0 || (v as number) > Date.now() + MAX_CLOCK_LEAD_MS) throw bad('nowMs must be the run\'s time in ms, at most a day ahead of the server\'s');
  return v as number;
}

/**
 * The survival run's calls (SurvivalData) on the server's store, for a sync through POST
 * /api/git/survival: {op, args} → the call's answer. Arguments are validated and bounded; paths are
 * redacted and capped as the commits' paths are, so they match.
 */
export function survivalCall(store: Store, target: SurvivalTarget, redact: Redact | undefined) {
  const data: SurvivalData = storeSurvivalData(store, target, (p) => storedPath(p, redact));
  const path = (v: unknown): string => {
    if (typeof v !== 'string' || v === '' || v.length > MAX_PATH) throw bad(`paths must be non-empty strings of at most ${MAX_PATH} characters`);
    return v;
  };
  const paths = (a: Record<string, unknown>) => list(a.paths, 'paths', MAX_KEYS).map(path);
  const hashes = (a: Record<string, unknown>) => list(a.hashes, 'hashes', MAX_KEYS).map((h) => hash(h, 'hashes'));
  const ops: Record<string, (a: Record<string, unknown>) => Promise<unknown>> = {
    state: async () => (await data.state()) ?? null,
    storedPaths: () => data.storedPaths(),
    originsOf: (a) => data.originsOf(paths(a)),
    commitFigures: (a) => data.commitFigures(hashes(a)),
    addedFiles: (a) => data.addedFiles(hashes(a)),
    changesOf: (a) => data.changesOf(paths(a)),
    writeOrigins: async (a) => {
      const rows: LineOrigin[] = list(a.rows, 'rows', MAX_ROWS).map((r) => {
        const o = obj(r);
        return { path: path(o.path), originHash: hash(o.originHash, 'originHash'), lines: count(o.lines, 'lines') };
      });
      await data.writeOrigins(hash(a.tip, 'tip'), clock(a.nowMs), rows);
      return { written: rows.length };
    },
    writeSurvival: async (a) => {
      const rows: CommitSurvival[] = list(a.rows, 'rows', MAX_KEYS).map((r) => {
        const o = obj(r);
        return { hash: hash(o.hash, 'hash'), linesAdded: count(o.linesAdded, 'linesAdded'), surviving30d: nullableCount(o.surviving30d, 'surviving30d'), reworked21d: nullableCount(o.reworked21d, 'reworked21d') };
      });
      await data.writeSurvival(clock(a.nowMs), rows);
      return { written: rows.length };
    },
    finish: async (a) => {
      await data.finish(hash(a.tip, 'tip'), clock(a.nowMs));
      return { finished: true };
    },
  };
  return (op: unknown, args: unknown): Promise<unknown> => {
    const run = typeof op === 'string' && Object.hasOwn(ops, op) ? ops[op] : undefined;
    if (!run) throw bad(`op must be one of ${Object.keys(ops).join(', ')}`);
    return run(obj(args));
  };
}
