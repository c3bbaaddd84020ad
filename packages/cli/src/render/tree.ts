import type { SessionDetail, SessionNode } from '@fulcrum/query';
import { ms, tokens, usd } from './table.js';

const MARK: Record<string, string> = {
  failed_retry: 'RETRY', repeated_call: 'LOOP', ping_pong: 'PING-PONG', edit_revert: 'REVERT',
  redundant_read: 'RE-READ', repeated_search: 'RE-SEARCH', failed_tool: 'FAILED', failed_model: 'FAILED',
};

function line(n: SessionNode): string {
  const what = n.label && n.label !== n.name ? `${n.type} ${n.label}` : `${n.type} ${n.name}`;
  const stats = [ms(n.durationMs), n.tokens ? `${tokens(n.tokens)} tok` : '', n.costUsd ? usd(n.costUsd) : ''].filter(Boolean).join('  ');
  const marks = n.waste.map((k) => `⚠ ${MARK[k] ?? k}`).join(' ');
  return `${what}  ${stats}${n.success ? '' : '  ✗'}${marks ? `  ${marks}` : ''}`;
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
  const head = `session ${d.sessionId}: ${d.spans} spans, ${usd(d.spendUsd)}, ${tokens(d.tokens)} tokens, waste ${usd(d.wasteUsd)}`;
  const findings = d.findings.map((f) => `- ${MARK[f.kind] ?? f.kind} ${f.toolName || ''} ${f.filePath || f.command || ''}: ${f.wasteSpanIds.length} span(s), ${tokens(f.tokens)} tokens${f.estimated ? ' (estimated)' : ''}, ${usd(f.costUsd)}`.replace(/ +/g, ' '));
  if (format === 'md') return `### ${head}\n\n\`\`\`\n${out.join('\n')}\n\`\`\`\n\n${findings.join('\n')}\n`;
  return `${head}\n\n${out.join('\n')}\n${findings.length ? `\nfindings:\n${findings.map((f) => `  ${f}`).join('\n')}\n` : ''}`;
}
