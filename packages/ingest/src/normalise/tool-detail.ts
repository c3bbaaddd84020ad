import { argsHash, countLines, describeToolFacts, filePathsOf, FULCRUM, GENERAL, redact, stableStringify, toolKindOf, workdirOf } from '@fulcrum/vocab';
import type { SpanRow, SpanType } from '@fulcrum/store';
import { pick } from './attrs.js';
import { capText } from './caps.js';

const MAX_REDACTED_ARGS = 1 << 20;
const KEPT_ARGS = 4096;

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

/** Claude Code's Task/Agent tools start a subagent; Skill and activate_skill load a skill; mcp__* are MCP tools. */
export function toolSpanType(toolName: string): SpanType {
  // The name alone decides these three; 'other' stands in for what the arguments would say.
  const kind = toolKindOf(toolName, { kind: 'other' });
  return kind === 'mcp' || kind === 'skill' || kind === 'agent' ? kind : 'tool';
}

/** The agent's working directory for a row: process.working_directory on the span, else on the resource; undefined when unknown. */
export function cwdOf(row: SpanRow): string | undefined {
  return pick(row.SpanAttributes, GENERAL.PROCESS_WORKING_DIRECTORY) || pick(row.ResourceAttributes, GENERAL.PROCESS_WORKING_DIRECTORY) || undefined;
}

/**
 * Fills path, range, command, pattern, line counts and the args hash, as the
 * SDK would have sent them, and the tool facts only the full arguments tell
 * (kind, every file touched, edit hashes, input size). Edit hashes are taken
 * here, from the text as it reached ingest, because stored arguments are
 * redacted and truncated. Paths stay as spelled: finishToolFacts normalises
 * them once they are redacted.
 */
export function fillToolDetail(row: SpanRow, args: unknown): void {
  if (args === undefined) return;
  const json = stableStringify(args);
  // canonicalArgs(args), from the JSON describeToolFacts needs too. Redacting megabytes costs seconds
  // (or the redactor's stack): huge arguments are hashed as they are (a hash keeps nothing of them)
  // and only the part kept as an attribute is redacted.
  const canonical = json.length <= MAX_REDACTED_ARGS ? redact(json) : undefined;
  row.ArgsHash ||= argsHash(canonical ?? json);
  row.SpanAttributes[FULCRUM.TOOL_ARGS] ??= canonical === undefined ? capText(json, KEPT_ARGS, redact) : canonical.length > KEPT_ARGS ? canonical.slice(0, KEPT_ARGS) : canonical;
  const f = describeToolFacts(row.ToolName, args, { argsJson: json });
  const paths = filePathsOf(row.ToolName, args);
  // A call that names its working directory (Codex's workdir) anchors its paths when the session's is unknown.
  const workdir = workdirOf(args);
  if (workdir !== undefined && cwdOf(row) === undefined) row.SpanAttributes[GENERAL.PROCESS_WORKING_DIRECTORY] = workdir;
  row.FilePath ||= paths[0] ?? '';
  if (row.FilePaths.length === 0) row.FilePaths = paths;
  row.ReadOffset ||= f.readOffset;
  row.ReadLimit ||= f.readLimit;
  row.Command ||= f.command;
  row.SearchPattern ||= f.searchPattern;
  row.LinesAdded ||= f.linesAdded;
  row.LinesRemoved ||= f.linesRemoved;
  row.ToolKind ||= f.kind;
  row.EditOldHash ||= f.editOldHash;
  row.EditNewHash ||= f.editNewHash;
  row.InputSize ||= f.inputSize;
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
