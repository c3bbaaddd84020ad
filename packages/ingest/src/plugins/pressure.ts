import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { totalmem } from 'node:os';

/** What the process looked like at the last sample. */
export interface PressureSample {
  /** Resident set size: V8 heap, Buffers, and chDB's native memory alike. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Mean event-loop delay over the last interval, in ms. */
  eventLoopDelayMs: number;
}

/**
 * Samples memory and event-loop delay on a timer, as @fastify/under-pressure
 * does: admission reads the last sample instead of asking the process on every
 * request (process.memoryUsage() walks the heap and costs more than the check).
 */
export class PressureSampler {
  private sample: PressureSample;
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    if (!(intervalMs >= 10)) throw new Error(`pressure: sampleIntervalMs must be at least 10, got ${intervalMs}`);
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.sample = { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed, eventLoopDelayMs: 0 };
    this.timer = setInterval(() => this.take(), intervalMs);
    this.timer.unref();
  }

  get last(): PressureSample {
    return this.sample;
  }

  /** Samples now (tests; the timer does it otherwise). */
  take(): PressureSample {
    const mean = this.histogram.mean;
    // The histogram counts the monitor's own resolution as delay; a delay below it is none.
    const delayMs = Number.isFinite(mean) ? Math.max(0, mean / 1e6 - 10) : 0;
    this.histogram.reset();
    this.sample = { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed, eventLoopDelayMs: delayMs };
    return this.sample;
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

/**
 * Memory this process may use: the container's limit (cgroup) when there is
 * one below the machine's memory, else the machine's memory.
 */
export function memoryLimitBytes(): number {
  const total = totalmem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * Bytes of request bodies being received, after decompression, that are not
 * released yet: a body counts from its first byte until its response is done
 * (its buffer, decoded spans and rows live that long). A request may reserve
 * its Content-Length up front, so admission can refuse it before any byte is read.
 */
export class InFlightBytes {
  private total = 0;

  get bytes(): number {
    return this.total;
  }

  /** A ledger for one request; release() is idempotent. */
  open(reserved: number): BodyLedger {
    this.total += reserved;
    let counted = reserved;
    let received = 0;
    let released = false;
    return {
      get bytes() {
        return counted;
      },
      add: (n: number) => {
        if (released) return;
        received += n;
        if (received > counted) {
          this.total += received - counted;
          counted = received;
        }
      },
      release: () => {
        if (released) return;
        released = true;
        this.total -= counted;
      },
    };
  }
}

export interface BodyLedger {
  /** What this request counts for now: its reservation or the bytes it received, whichever is more. */
  readonly bytes: number;
  add(bytes: number): void;
  release(): void;
}
