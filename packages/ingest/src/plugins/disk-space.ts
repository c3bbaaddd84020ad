import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { largestPartitionBytes, setMerges } from '@fulcrum/store';
import { IngestError } from '../errors.js';

export interface DiskSpaceOptions {
  /** The spool directory; its filesystem is watched too (once, when it is the data directory's). @default undefined */
  spoolDir?: string;
  /**
   * Free bytes below which writes are refused (503) and merges stop, on every watched filesystem.
   * @default the rule in defaultLowWater: 256 MiB plus the largest partition's active bytes on the
   * data filesystem, 256 MiB on a spool-only one, never more than half the filesystem
   */
  lowWaterBytes?: number;
  /** Free bytes above which writes and merges resume. @default 1.25 × the low-water mark */
  highWaterBytes?: number;
  /** How often free space is sampled, in ms. @default 1000 */
  sampleIntervalMs?: number;
  /** How often the largest partition's size (the default low-water's merge term) is re-read, in ms. @default 30000 */
  partitionRefreshMs?: number;
}

/** One watched filesystem at the last sample. */
export interface FilesystemSpace {
  /** What lives there: `data` (the embedded store, and the spool when it shares the filesystem) or `spool`. Never a path. */
  name: 'data' | 'spool';
  freeBytes: number;
  totalBytes: number;
  lowWaterBytes: number;
  highWaterBytes: number;
  /** Below low-water, and not yet back above high-water. */
  low: boolean;
}

export interface DiskSpaceStatus {
  /** Any watched filesystem is low: writes get 503 and (embedded) merges are stopped. */
  low: boolean;
  mergesStopped: boolean;
  filesystems: FilesystemSpace[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Free space on the data and spool filesystems at the last sample. */
    diskSpace(): DiskSpaceStatus;
  }
}

const MiB = 1024 ** 2;
/** Room kept beyond the largest merge: what arrives between two samples, a 64 MiB body, a spooled batch, insert temp files. */
export const DISK_MARGIN_BYTES = 256 * MiB;

/**
 * The default low-water mark: enough free space for the largest merge ClickHouse
 * may run (it merges within a partition, so at most the largest partition's active
 * bytes are rewritten before the old parts go) plus a margin; a spool-only
 * filesystem needs just the margin. Capped at half the filesystem, so a small disk
 * still takes data until it is half full.
 */
export function defaultLowWater(mergeBytes: number, totalBytes: number): number {
  return Math.min(DISK_MARGIN_BYTES + mergeBytes, Math.floor(totalBytes / 2));
}

interface Watched {
  name: FilesystemSpace['name'];
  dir: string;
  holdsData: boolean;
  state: FilesystemSpace;
}

/**
 * Disk space as a resource, managed before it runs out. Free space on the data
 * directory's filesystem (embedded store) and the spool's is sampled on a timer;
 * below the low-water mark new writes get 503 DISK_LOW with Retry-After, so the
 * batch writer and spool are not fed, and the embedded store's merges stop (a
 * merge cut short by a full disk once committed a part of empty files). Above the
 * high-water mark both resume. ClickHouse so never reaches ENOSPC in normal operation.
 */
async function diskSpace(app: FastifyInstance, options: DiskSpaceOptions): Promise<void> {
  const sampleMs = options.sampleIntervalMs ?? 1000;
  const refreshMs = options.partitionRefreshMs ?? 30_000;
  const fixedLow = options.lowWaterBytes;
  const fixedHigh = options.highWaterBytes;
  if (!(sampleMs >= 10) || !(refreshMs >= sampleMs)) throw new Error('diskSpace: sampleIntervalMs must be at least 10 and partitionRefreshMs at least sampleIntervalMs');
  if (fixedLow !== undefined && !(fixedLow >= 0)) throw new Error(`diskSpace: lowWaterBytes must be a non-negative number, got ${fixedLow}`);
  if (fixedHigh !== undefined && !(fixedHigh >= (fixedLow ?? 0))) throw new Error('diskSpace: highWaterBytes must be a number at least lowWaterBytes');

  const embedded = app.store.kind === 'embedded';
  const watched: Watched[] = [];
  const devices = new Set<number>();
  const watch = (name: Watched['name'], dir: string, holdsData: boolean) => {
    const existing = nearestExisting(resolve(dir));
    const dev = statSync(existing).dev;
    if (devices.has(dev)) return;
    devices.add(dev);
    watched.push({ name, dir: existing, holdsData, state: { name, freeBytes: 0, totalBytes: 0, lowWaterBytes: 0, highWaterBytes: 0, low: false } });
  };
  // A server store's data lives on the ClickHouse host, out of sight: there it is ClickHouse's own settings that keep space (docs/deployment.md).
  if (embedded) watch('data', app.store.location, true);
  if (options.spoolDir) watch('spool', options.spoolDir, false);

  let mergeBytes = 0;
  // Unknown until the first sample sets it: an earlier app on the same store may have left merges stopped.
  let mergesStopped: boolean | undefined;
  let lastRefresh = -Infinity;
  let sampling: Promise<void> | undefined;

  const refreshMergeBytes = async () => {
    if (!embedded || fixedLow !== undefined || performance.now() - lastRefresh < refreshMs) return;
    lastRefresh = performance.now();
    try {
      mergeBytes = await largestPartitionBytes(app.store.client);
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'disk space: could not read partition sizes; keeping the last figure');
    }
  };

  const measure = () => {
    for (const w of watched) {
      const s = w.state;
      try {
        const fs = statfsSync(w.dir);
        s.freeBytes = fs.bavail * fs.bsize;
        s.totalBytes = fs.blocks * fs.bsize;
      } catch (err) {
        app.log.warn({ err: (err as Error).message, filesystem: w.name }, 'disk space: cannot read free space');
        continue;
      }
      s.lowWaterBytes = fixedLow ?? defaultLowWater(w.holdsData ? mergeBytes : 0, s.totalBytes);
      s.highWaterBytes = fixedHigh ?? Math.ceil(s.lowWaterBytes * 1.25);
      const wasLow = s.low;
      s.low = wasLow ? s.freeBytes <= s.highWaterBytes : s.freeBytes < s.lowWaterBytes;
      if (s.low !== wasLow) {
        if (s.low) app.log.warn({ filesystem: w.name, freeBytes: s.freeBytes, lowWaterBytes: s.lowWaterBytes }, `disk space: the ${w.name} filesystem is below its low-water mark; refusing writes (503) until it is above ${s.highWaterBytes} bytes free`);
        else app.log.info({ filesystem: w.name, freeBytes: s.freeBytes, highWaterBytes: s.highWaterBytes }, `disk space: the ${w.name} filesystem is above its high-water mark; accepting writes again`);
      }
    }
  };

  const apply = async () => {
    const dataLow = watched.some((w) => w.holdsData && w.state.low);
    if (embedded && dataLow !== mergesStopped) {
      try {
        await setMerges(app.store.client, !dataLow);
        const was = mergesStopped;
        mergesStopped = dataLow;
        if (dataLow) app.log.warn('disk space: merges stopped');
        else if (was) app.log.warn('disk space: merges restarted');
      } catch (err) {
        app.log.warn({ err: (err as Error).message }, `disk space: could not ${dataLow ? 'stop' : 'restart'} merges; will retry`);
      }
    }
    const low = watched.filter((w) => w.state.low);
    app.health?.setCondition('disk', low.length === 0 ? undefined : low.map((w) => describeLow(w.state)).join('; '));
  };

  const sampleOnce = async () => {
    await refreshMergeBytes();
    measure();
    await apply();
  };
  const sample = (): Promise<void> => (sampling ??= sampleOnce().finally(() => (sampling = undefined)));

  await sample();
  const timer = setInterval(() => void sample().catch((err) => app.log.warn({ err: (err as Error).message }, 'disk space: sampling failed')), sampleMs);
  timer.unref();
  // A query still running when the store closes crashes chDB: wait for it.
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await sampling?.catch(() => undefined);
  });

  app.decorate('diskSpace', (): DiskSpaceStatus => ({
    low: watched.some((w) => w.state.low),
    mergesStopped: mergesStopped ?? false,
    filesystems: watched.map((w) => ({ ...w.state })),
  }));

  app.addHook('onRequest', async (req) => {
    if (req.method !== 'POST' || (req.routeOptions.url ?? '').startsWith('/api/admin/')) return;
    const low = watched.find((w) => w.state.low);
    if (low) throw new IngestError('DISK_LOW', describeLow(low.state), app.retryAfterSeconds);
  });
}

function describeLow(s: FilesystemSpace): string {
  return `the ${s.name} filesystem has ${mib(s.freeBytes)} free, below its low-water mark of ${mib(s.lowWaterBytes)} (writes resume above ${mib(s.highWaterBytes)})`;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;
}

/** The directory itself, or its closest existing parent (the spool directory may not exist yet). */
function nearestExisting(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

export const diskSpacePlugin = fp(diskSpace, { name: 'fulcrum-disk-space', fastify: '5.x' });
