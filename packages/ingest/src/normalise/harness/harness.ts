import type { Attributes } from '../../otlp/model.js';

/** The harnesses whose own telemetry we understand. */
export type HarnessName = 'claude-code' | 'codex' | 'gemini-cli';

/**
 * Which harness sent a resource: Claude Code says service.name=claude-code,
 * Codex codex_exec / codex_cli_rs / codex-*, Gemini CLI gemini-cli.
 */
export function harnessOf(resource: Attributes): HarnessName | undefined {
  const s = (resource['service.name'] ?? '').toLowerCase();
  if (s === 'claude-code' || s === 'claude_code') return 'claude-code';
  if (s.startsWith('codex')) return 'codex';
  if (s === 'gemini-cli' || s === 'gemini_cli') return 'gemini-cli';
  return undefined;
}

/** The session a record belongs to, by each harness's own attribute (see the fixtures README). */
export function sessionOf(a: Attributes, resource: Attributes): string {
  return pickAttr(a, 'session.id', 'conversation.id', 'gen_ai.conversation.id') || pickAttr(resource, 'session.id', 'conversation.id');
}

/** First value that is set; Gemini CLI sends "{}" for unset attributes. */
export function pickAttr(a: Attributes, ...keys: string[]): string {
  for (const k of keys) {
    const v = a[k];
    if (v !== undefined && v !== '' && v !== '{}' && v !== 'null') return v;
  }
  return '';
}
