import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'limits-child.js');

export interface SpawnedServer {
  proc: ChildProcess;
  url: string;
  /** The server process's peak resident memory so far (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** Stops it gracefully (rows are flushed) and waits for it to exit. */
  stop(): Promise<number | null>;
}

/** Starts startServer(options) in its own process (tests/reliability/limits-child.js), so its memory is its own. */
export function spawnServer(options: object, timeoutMs = 30_000): Promise<SpawnedServer> {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.removeAllListeners('data');
      proc.stdout!.resume();
      resolve({
        proc,
        url: m[1]!,
        peakRssBytes: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) * 1024,
        stop: () => {
          proc.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
}

/** Runs a Node script in its own process and parses the one JSON line it prints. */
export function runJson<T>(script: string, args: string[], timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [script, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(JSON.parse(out.trim()) as T))),
  );
}
