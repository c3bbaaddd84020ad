import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ld } from './fuzz-inputs.js';

export const BIN = join(import.meta.dirname, '../../packages/cli/dist/bin.js');

export interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `fulcrum serve` on a free port (--port 0) and resolves once its log line names the URL. */
export function startChild(dataDir: string, extra: string[] = [], timeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--rate-limit', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FULCRUM_LOG_LEVEL: 'info' },
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve({ proc, url: m[1]!, exited });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
}

function fixed64(field: number, v: bigint): Buffer {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
}

/** A KeyValue message with a string value. */
const kv = (key: string, value: string) => Buffer.concat([ld(1, Buffer.from(key)), ld(2, ld(1, Buffer.from(value)))]);

/** An OTLP protobuf traces request; span ids are the caller's, so every acknowledged span is known. */
export function protobufSpans(traceId: Buffer, spanIds: Buffer[], session: string, t0 = 1_763_800_000_000_000_000n): Buffer {
  const spans = spanIds.map((id, i) =>
    ld(2, Buffer.concat([ld(1, traceId), ld(2, id), ld(5, Buffer.from(`op-${i % 7}`)), fixed64(7, t0 + BigInt(i) * 1000n), fixed64(8, t0 + BigInt(i) * 1000n + 500n), ld(9, kv('gen_ai.conversation.id', session)), ld(9, kv('payload', 'x'.repeat(64)))])),
  );
  // ResourceSpans{resource{attributes}, scope_spans{spans}}
  return ld(1, Buffer.concat([ld(1, ld(1, kv('service.name', 'load'))), ld(2, Buffer.concat(spans))]));
}

/** Deterministic PRNG, so a failing seed reproduces. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
