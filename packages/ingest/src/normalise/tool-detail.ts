import { FULCRUM } from '@fulcrum/sdk/conventions';
import { argsHash, canonicalArgs, countLines, describeToolCall } from '@fulcrum/sdk/tools';
import type { SpanRow, SpanType } from '@fulcrum/store';

/** Parses a JSON argument string; undefined when absent or not JSON. */
export function parseJson(raw: string | undefined): unknown {
  if (raw === undefined || raw === '' || raw === '{}') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Claude Code's Task/Agent tools start a subagent; Skill and activate_skill load a skill. */
export function toolSpanType(toolName: string): SpanType {
  if (toolName.startsWith('mcp__') || toolName === 'mcp_tool') return 'mcp';
  if (toolName === 'Skill' || toolName === 'activate_skill') return 'skill';
  if (toolName === 'Agent' || toolName === 'Task') return 'agent';
  return 'tool';
}

/** Fills path, range, command, pattern, line counts and the args hash, as the SDK would have sent them. */
export function fillToolDetail(row: SpanRow, args: unknown): void {
  if (args === undefined) return;
  const canonical = canonicalArgs(args);
  row.ArgsHash ||= argsHash(canonical);
  row.SpanAttributes[FULCRUM.TOOL_ARGS] ??= canonical.length > 4096 ? canonical.slice(0, 4096) : canonical;
  const d = describeToolCall(row.ToolName, args);
  row.FilePath ||= d.filePath ?? '';
  row.ReadOffset ||= d.readOffset ?? 0;
  row.ReadLimit ||= d.readLimit ?? 0;
  row.Command ||= d.command ?? '';
  row.SearchPattern ||= d.searchPattern ?? '';
  row.LinesAdded ||= d.linesAdded ?? 0;
  row.LinesRemoved ||= d.linesRemoved ?? 0;
  const a = obj(args);
  if (row.SpanType === 'skill') row.SkillName ||= str(a.skill) || str(a.name) || str(a.skill_name);
  if (row.SpanType === 'agent') row.AgentName ||= str(a.subagent_type) || str(a.agent_type);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Lines added/removed from a structured patch ([{lines:["+x","-y"," z"]}]), as Claude Code reports edits. */
export function structuredPatchDelta(hunks: unknown): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  if (!Array.isArray(hunks)) return { added, removed };
  for (const h of hunks) {
    for (const line of (obj(h).lines as unknown[]) ?? []) {
      if (typeof line !== 'string') continue;
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  return { added, removed };
}

export { countLines };

/** "Process exited with code 1" (Codex) / "Exit Code: 1" (Gemini) → 1; undefined when the output says nothing. */
export function exitCodeOf(output: string): number | undefined {
  const m = /(?:Process exited with code|Exit Code:|exit code)\s*(-?\d+)/i.exec(output);
  return m ? Number(m[1]) : undefined;
}
