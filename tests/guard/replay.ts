import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultGuardConfig, runHook, type GuardConfig, type GuardHarness, type GuardMode, type HookResult, type RecordTarget } from '@fulcrum/guard';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDataDir } from '../helpers/store.js';

/** A live recording: every hook payload a real harness sent, and how long its transcript was at that moment. */
export const LIVE = join(FIXTURES, 'hooks', 'live');

export interface ReplayedHook {
  /** NNN-Event.json */
  file: string;
  payload: Record<string, unknown>;
  result: HookResult;
  /** The reply as JSON ({} when empty). */
  answer: Record<string, unknown>;
}

/**
 * Replays a live recording through the guard in-process: before each hook
 * call the transcript is cut to the length it had when the harness ran that
 * hook, so the guard reads exactly what it would have read live.
 */
/** The bytes of a recording's transcript as they were when the harness ran a hook. */
export function transcriptAt(harness: GuardHarness, file: string): Buffer {
  const dir = join(LIVE, harness);
  const size = readFileSync(join(dir, 'sizes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; transcriptBytes: number }).find((s) => s.file === file)!.transcriptBytes;
  return readFileSync(join(dir, 'transcript.jsonl')).subarray(0, Math.max(0, size));
}

export async function replayLive(harness: GuardHarness, mode: GuardMode, config: GuardConfig = defaultGuardConfig(mode), record?: RecordTarget, now?: () => number): Promise<ReplayedHook[] & { stateDir: string }> {
  const dir = join(LIVE, harness);
  const transcript = readFileSync(join(dir, 'transcript.jsonl'));
  const sizes = new Map(readFileSync(join(dir, 'sizes.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const s = JSON.parse(l) as { file: string; transcriptBytes: number };
    return [s.file, s.transcriptBytes] as const;
  }));
  const root = tempDataDir('guard-replay-');
  const live = join(root, 'transcript.jsonl');
  const out = Object.assign([] as ReplayedHook[], { stateDir: join(root, 'state') });
  for (const file of readdirSync(join(dir, 'sequence')).sort()) {
    const payload = JSON.parse(readFileSync(join(dir, 'sequence', file), 'utf8')) as Record<string, unknown>;
    writeFileSync(live, transcript.subarray(0, Math.max(0, sizes.get(file) ?? 0)));
    payload.transcript_path = live;
    const result = await runHook({ harness, input: JSON.stringify(payload), stateDir: out.stateDir, config, record, now });
    if (result.error) throw result.error;
    out.push({ file, payload, result, answer: result.reply.stdout.trim() ? (JSON.parse(result.reply.stdout) as Record<string, unknown>) : {} });
  }
  return out;
}

/** The n-th (1-based) before-tool hook of a replay. */
export function beforeTool(replay: readonly ReplayedHook[], step: number): ReplayedHook {
  const before = replay.filter((h) => h.payload.hook_event_name === 'PreToolUse' || h.payload.hook_event_name === 'BeforeTool');
  return before[step - 1]!;
}

/** The after-tool hook that follows the n-th before-tool hook. */
export function afterTool(replay: readonly ReplayedHook[], step: number): ReplayedHook | undefined {
  const i = replay.indexOf(beforeTool(replay, step));
  const next = replay[i + 1];
  return next && /^(PostToolUse|PostToolUseFailure|AfterTool)$/.test(String(next.payload.hook_event_name)) ? next : undefined;
}
