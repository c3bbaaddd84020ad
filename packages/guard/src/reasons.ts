import type { BudgetStanding } from './budget.js';
import type { CallVerdict } from './judge.js';

// Under a dollar, cents hide what small budgets are made of: up to four decimals, at least two.
export const formatUsd = (v: number) => `$${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const steps = (v: CallVerdict) => v.anchors.map((a) => a.step).join(', ');

function what(v: CallVerdict): string {
  const s = v.anchors[0]?.call.span;
  if (!s) return 'this call';
  if (s.command) return `\`${cut(s.command, 120)}\``;
  if (s.filePath) return `${s.toolName} ${s.filePath}`;
  if (s.searchPattern) return `${s.toolName} "${cut(s.searchPattern, 80)}"`;
  return `this ${s.toolName} call`;
}

/** Why a call was refused, addressed to the model: what failed, and that it should change approach. */
export function denyReason(v: CallVerdict): string {
  if (v.policy === 'failing_command') {
    const last = v.anchors.length ? (v.anchors[v.anchors.length - 1]!.call.errorText ?? '') : '';
    const error = last ? ` It failed with: ${cut(last.trim().replace(/\s+/g, ' '), 300)}.` : '';
    const refused = v.run - 1 - v.failedRuns;
    const times = `already failed ${v.failedRuns} time${v.failedRuns === 1 ? '' : 's'}${refused > 0 ? ` (and was refused ${refused} time${refused === 1 ? '' : 's'})` : ''}`;
    return `Fulcrum guard refused this call: ${what(v)} ${times} in this session (first at step ${steps(v)}) and nothing that could change its outcome ran since.${error} Running it again will fail the same way: change approach (fix the cause, run a different command, or ask the user).`;
  }
  return `Fulcrum guard refused this call: it is identical to the calls just before it (${what(v)}, same arguments, since step ${steps(v)}) and would return the same result again. Change approach instead of repeating it.`;
}

/** A note for a call that is allowed but repeats earlier work. */
export function noteText(v: CallVerdict): string {
  const k = steps(v);
  if (v.policy === 'reread') return `Fulcrum guard: ${v.anchors[0]?.call.span.filePath || 'this file'} has not changed since you read it at step ${k}; that content is still current, so there was no need to read it again.`;
  if (v.policy === 'research') return `Fulcrum guard: this search repeats step ${k} and no file has changed since, so its results are the same as then.`;
  // A breaker in warn mode: the refusal's words, as a warning.
  return denyReason(v).replace('Fulcrum guard refused this call: ', 'Fulcrum guard (warning): ');
}

const whose = (b: BudgetStanding) => (b.scope === 'session' ? 'this session has' : `this session's ${b.scope} has`);

export function budgetReason(b: BudgetStanding): string {
  return `Fulcrum guard stopped this session: ${whose(b)} spent ${formatUsd(b.spendUsd)} in its current ${b.windowMinutes}-minute window, reaching its budget of ${formatUsd(b.budgetUsd)}. No further tool calls are allowed; summarise what is done and what is left for the user.`;
}

export function budgetWarning(b: BudgetStanding): string {
  return `Fulcrum guard: ${whose(b)} spent ${formatUsd(b.spendUsd)} of its ${formatUsd(b.budgetUsd)} budget for this ${b.windowMinutes}-minute window (${Math.round((100 * b.spendUsd) / b.budgetUsd)}%). At the budget, tool calls will be refused; prefer finishing the task over exploring.`;
}
