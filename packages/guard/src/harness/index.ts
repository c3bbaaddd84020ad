import type { GuardHarness, HarnessAdapter } from '../events.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';

/** Every harness's hook dialect, by the name `fulcrum guard <harness>` takes. */
export const ADAPTERS: Record<GuardHarness, HarnessAdapter> = { 'claude-code': claudeCode, codex, 'gemini-cli': gemini };

/** `gemini` is accepted for `gemini-cli`. */
export function harnessNamed(name: string): GuardHarness | undefined {
  if (name === 'gemini') return 'gemini-cli';
  return name in ADAPTERS ? (name as GuardHarness) : undefined;
}
