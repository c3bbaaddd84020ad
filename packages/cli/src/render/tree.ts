import type { SessionDelegation, SessionDetail, SessionNode } from '@fulcrum/query';
import { count, duration, plural, tokens, unpricedText, usd, WASTE_LABEL, WASTE_MARK, words } from './format.js';

/** A guard intervention: "guard budget denied Bash: <reason>  ≈ $0.0500 saved". */
function guardLine(n: SessionNode, g: NonNullable<SessionNode['guard']>): string {
  const what = ['guard', g.policy || '(unknown policy)', g.decision || '(unknown decision)', n.label].filter(Boolean).join(' ');
  const saved = g.savedUsd > 0 ? `  ≈ ${usd(g.savedUsd)} saved` : '';
  return `⛔ ${what}${g.reason ? `: ${g.reason}` : ''}${saved}`;
}

function line(n: SessionNode): string {
  if (n.guard) return guardLine(n, n.guard);
  const what = n.label && n.label !== n.name ? `${n.type} ${n.label}` : `${n.type} ${n.name}`;
  const stats = [duration(n.durationMs), n.tokens ? `${tokens(n.tokens)} tok` : '', n.costUsd ? usd(n.costUsd) : ''].filter(Boolean).join('  ');
  // A mark on partial evidence says so: the harness sent sizes and outcomes, not the arguments.
  const marks = n.waste.map((k) => `⚠ ${WASTE_MARK[k] ?? words(WASTE_LABEL, k)}${n.evidence === 'partial' ? '?' : ''}`).join(' ');
  return `${what}  ${stats}${n.success ? '' : '  ✗'}${marks ? `  ${marks}` : ''}`;
}

/** "Delegation: level, N tool calls per prompt, longest autonomous run …, K rejected", or '' when no prompt is known. */
export function delegationLine(d: SessionDelegation): string {
  if (d.level === '') return '';
  const perPrompt = (d.toolCallsPerPrompt ?? 0).toLocaleString('en-US', { maximumFractionDigits: 1 });
  const from = d.promptSource === 'transcript' ? ', from the transcript' : '';
  const run = `longest autonomous run ${plural(d.longestRunCalls, 'tool call')} over ${duration(d.longestRunSeconds * 1000)}`;
  const active = d.agentActiveShare === null ? '' : `, agent ${Math.round(d.agentActiveShare * 100)}% of active time`;
  return `Delegation: ${d.level}, ${perPrompt} tool calls per prompt (${plural(d.prompts, 'prompt')}${from}), ${run}, ${count(d.rejectedCalls)} rejected${active}`;
}

/** The session as an indented tree; waste is marked on the spans it applies to. */
export function renderSessionTree(d: SessionDetail, format: 'table' | 'md'): string {
  const out: string[] = [];
  const walk = (n: SessionNode, prefix: string, last: boolean, root: boolean) => {
    out.push(root ? line(n) : `${prefix}${last ? '└─ ' : '├─ '}${line(n)}`);
    const next = root ? '' : prefix + (last ? '   ' : '│  ');
    n.children.forEach((c, i) => walk(c, next, i === n.children.length - 1, false));
  };
  d.roots.forEach((r) => walk(r, '', true, true));
  const unpriced = unpricedText(d.unpricedCalls);
  const possible = d.partialWasteUsd > 0 ? ` (+ ${usd(d.partialWasteUsd)} possible, on partial evidence)` : '';
  const p = d.prevented;
  const prevented = p && p.calls + p.warnings > 0 ? `; prevented: ${plural(p.calls, 'call')}, ≈ ${usd(p.usd)} (guard, estimated)${p.warnings > 0 ? `, ${plural(p.warnings, 'call')} warned` : ''}` : '';
  const head = `session ${d.sessionId}: ${plural(d.spans, 'span')}, ${usd(d.spendUsd)}, ${tokens(d.tokens)} tokens, waste ${usd(d.wasteUsd)}${possible}${prevented}${unpriced ? `; ${unpriced}` : ''}`;
  const notes: string[] = [];
  const lines = d.linesAdded + d.linesRemoved > 0 ? `+${d.linesAdded} −${d.linesRemoved} lines${d.linesSource === 'metrics' ? " (the harness's own count)" : ''}` : '';
  const vcs = [lines, d.commits ? plural(d.commits, 'commit') : '', d.pullRequests ? plural(d.pullRequests, 'pull request') : ''].filter(Boolean).join(', ');
  if (vcs) notes.push(vcs);
  const delegation = delegationLine(d.delegation);
  if (delegation) notes.push(delegation);
  if (d.unverifiableCalls > 0) notes.push(`${plural(d.unverifiableCalls, 'tool call')} could not be checked for waste: the harness sent no arguments${d.evidenceHint ? ` (set ${d.evidenceHint})` : ''}`);
  const findings = d.findings.map((f) => {
    const what = [f.toolName, f.filePath || f.command].filter(Boolean).join(' ');
    const partial = f.evidence === 'partial' ? ' — possible (partial evidence: sizes and outcomes only)' : '';
    return `- ${words(WASTE_LABEL, f.kind)}${what ? ` (${what})` : ''}: ${plural(f.wasteSpanIds.length, 'span')}, ${tokens(f.tokens)} tokens${f.estimated ? ' (estimated)' : ''}, ${usd(f.costUsd)}${partial}`;
  });
  const noteText = notes.map((n) => `${n}\n`).join('');
  if (format === 'md') return `### ${head}\n\n${noteText}${noteText ? '\n' : ''}\`\`\`\n${out.join('\n')}\n\`\`\`\n\n${findings.join('\n')}\n`;
  return `${head}\n${noteText}\n${out.join('\n')}\n${findings.length ? `\nfindings:\n${findings.map((f) => `  ${f}`).join('\n')}\n` : ''}`;
}
