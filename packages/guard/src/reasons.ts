import type { BudgetStanding } from './budget.js';
import type { CallVerdict } from './judge.js';

// Cents hide what small budgets are made of: under a cent, four decimals.
const usd = (v: number) => `$${v < 0.01 ? v.toFixed(4) : v < 10 ? v.toFixed(2) : v.toFixed(0)}`;
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
    return `Fulcrum guard refused this call: ${what(v)} already failed ${v.run - 1} times in this session (first at step ${steps(v)}) and nothing that could change its outcome ran since.${error} Running it again will fail the same way: change approach (fix the cause, run a different command, or ask the user).`;
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
  return `Fulcrum guard stopped this session: ${whose(b)} spent ${usd(b.spendUsd)} in its current ${b.windowMinutes}-minute window, reaching its budget of ${usd(b.budgetUsd)}. No further tool calls are allowed; summarise what is done and what is left for the user.`;
}

export function budgetWarning(b: BudgetStanding): string {
  return `Fulcrum guard: ${whose(b)} spent ${usd(b.spendUsd)} of its ${usd(b.budgetUsd)} budget for this ${b.windowMinutes}-minute window (${Math.round((100 * b.spendUsd) / b.budgetUsd)}%). At the budget, tool calls will be refused; prefer finishing the task over exploring.`;
}
