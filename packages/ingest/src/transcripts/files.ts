import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type TranscriptHarness = 'claude-code' | 'codex' | 'gemini';

/** Which files each harness writes its sessions to. */
const PATTERNS: Record<TranscriptHarness, RegExp> = {
  'claude-code': /\.jsonl$/,
  codex: /^rollout-.*\.jsonl$/,
  gemini: /^session-.*\.jsonl?$|^checkpoint-.*\.json$/,
};

/** Transcript files under root (or root itself when it is a file), sorted for a stable order. */
export function transcriptFiles(harness: TranscriptHarness, root: string): { path: string; bytes: number }[] {
  const st = statSync(root);
  if (st.isFile()) return [{ path: root, bytes: st.size }];
  const out: { path: string; bytes: number }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && PATTERNS[harness].test(e.name)) out.push({ path: p, bytes: statSync(p).size });
    }
  };
  walk(root);
  return out;
}
