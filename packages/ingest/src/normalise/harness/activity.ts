import type { Attributes } from '../../otlp/model.js';

/** token.usage `type` values of each harness → activity names. */
const TOKEN_TYPES: Record<string, string> = {
  input: 'tokens_input',
  output: 'tokens_output',
  cacheRead: 'tokens_cache_read',
  cache: 'tokens_cache_read',
  cacheCreation: 'tokens_cache_write',
  thought: 'tokens_reasoning',
  reasoning: 'tokens_reasoning',
};

/** Fixed-name counters: Claude Code (claude_code.*), Gemini CLI (gemini_cli.*), Codex (codex.*). */
const COUNTERS: Record<string, string> = {
  'claude_code.commit.count': 'commits',
  'claude_code.pull_request.count': 'pull_requests',
  'claude_code.cost.usage': 'cost_usd',
  'claude_code.session.count': 'sessions',
  'claude_code.active_time.total': 'active_seconds',
  'gemini_cli.session.count': 'sessions',
  'gemini_cli.tool.call.count': 'tool_calls',
  'codex.thread.started': 'sessions',
};

const LINES = new Set(['claude_code.lines_of_code.count', 'gemini_cli.lines.changed']);
const TOKENS = new Set(['claude_code.token.usage', 'gemini_cli.token.usage']);

/** The activity a data point counts toward, or the metric's own name when none. */
export function activityOf(name: string, a: Attributes): string {
  if (LINES.has(name)) return a.type === 'removed' ? 'lines_removed' : a.type === 'added' ? 'lines_added' : name;
  if (TOKENS.has(name)) return TOKEN_TYPES[a.type ?? ''] ?? name;
  return COUNTERS[name] ?? name;
}
