/**
 * Reconciles the model calls seen in a Claude Agent SDK message stream with the
 * totals Claude Code reports at the end of a turn (SDKResultMessage.modelUsage).
 *
 * What the stream gives per API call: input and cache tokens (exact: they come
 * from message_start), and output tokens only through `stream_event`
 * message_delta (main thread, with includePartialMessages) or a subagent's
 * final usage; an assistant message's own output_tokens is message_start's
 * placeholder. Calls the stream never shows (title or compaction requests)
 * only appear in the totals. So, per model and turn: the output tokens the
 * stream did not report are shared evenly by the calls that lack them (exact
 * when there is one); tokens of unseen calls go to one remainder call; and the
 * cost is Claude Code's own figure, split in proportion to the price table's
 * cost of each call (by Anthropic's standard token weights when the table does
 * not price the model).
 */
import { priceModelCall, type PriceTable } from '@fulcrum/vocab';

export interface CallTokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** Undefined while the stream has not reported it. */
  output?: number;
}

/** A turn's totals for one model, as Claude Code reports them. */
export interface HarnessUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  costUsd: number;
}

export interface ReconciledCall {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number | undefined;
  /** The output is a share of tokens the stream did not attribute to one call. */
  outputEstimated: boolean;
  /** Undefined when neither Claude Code nor the price table gives a cost. */
  costUsd: number | undefined;
  costSource: 'claude_code' | 'price_table' | undefined;
}

export interface Reconciled {
  calls: ReconciledCall[];
  /** Calls the stream never showed, as one; undefined when the totals leave nothing over. */
  unseen: ReconciledCall | undefined;
}

/** Relative price of input, output, cache read and cache write tokens on every current Claude model. */
const ANTHROPIC_WEIGHTS = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 };

const sum = (xs: readonly CallTokens[], f: (c: CallTokens) => number): number => xs.reduce((s, c) => s + f(c), 0);

function tablePrice(model: string, c: CallTokens, prices: PriceTable): number | undefined {
  const cost = priceModelCall(
    {
      model,
      inputTokens: c.input + c.cacheRead + c.cacheWrite,
      outputTokens: c.output ?? 0,
      cacheReadTokens: c.cacheRead,
      cacheWriteTokens: c.cacheWrite,
      inputIncludesCacheRead: true,
      inputIncludesCacheWrite: true,
    },
    prices,
  );
  return cost.priced ? cost.costUsd : undefined;
}

const weight = (c: CallTokens): number =>
  c.input * ANTHROPIC_WEIGHTS.input + (c.output ?? 0) * ANTHROPIC_WEIGHTS.output + c.cacheRead * ANTHROPIC_WEIGHTS.cacheRead + c.cacheWrite * ANTHROPIC_WEIGHTS.cacheWrite;

/** Splits n into `parts` whole shares, the first ones one larger. */
function shares(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < n - base * parts ? 1 : 0));
}

/** The calls of one model in one turn, completed with the turn's totals when Claude Code gave them. */
export function reconcileTurn(model: string, calls: readonly CallTokens[], harness: HarnessUsage | undefined, prices: PriceTable): Reconciled {
  const tokens: CallTokens[] = calls.map((c) => ({ ...c }));
  let unseen: CallTokens | undefined;
  const estimated = new Set<CallTokens>();
  if (harness !== undefined) {
    const rest = {
      input: Math.max(0, harness.input - sum(tokens, (c) => c.input)),
      cacheRead: Math.max(0, harness.cacheRead - sum(tokens, (c) => c.cacheRead)),
      cacheWrite: Math.max(0, harness.cacheWrite - sum(tokens, (c) => c.cacheWrite)),
    };
    const output = Math.max(0, harness.output - sum(tokens, (c) => c.output ?? 0));
    const missing = tokens.filter((c) => c.output === undefined);
    if (rest.input + rest.cacheRead + rest.cacheWrite > 0 || (missing.length === 0 && output > 0)) {
      unseen = { ...rest };
      missing.push(unseen);
    }
    shares(output, Math.max(1, missing.length)).forEach((n, i) => {
      if (i >= missing.length) return;
      missing[i].output = n;
      if (missing.length > 1) estimated.add(missing[i]);
    });
  }
  const all = unseen ? [...tokens, unseen] : tokens;
  const table = all.map((c) => tablePrice(model, c, prices));
  const tableTotal = table.reduce<number>((s, v) => s + (v ?? 0), 0);
  const priced = table.every((v) => v !== undefined);
  const weights = all.map(weight);
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  const cost = (i: number): Pick<ReconciledCall, 'costUsd' | 'costSource'> => {
    if (harness !== undefined && harness.costUsd > 0) {
      if (priced && tableTotal > 0) return { costUsd: (harness.costUsd * table[i]!) / tableTotal, costSource: 'claude_code' };
      if (weightTotal > 0) return { costUsd: (harness.costUsd * weights[i]) / weightTotal, costSource: 'claude_code' };
    }
    return table[i] === undefined ? { costUsd: undefined, costSource: undefined } : { costUsd: table[i], costSource: 'price_table' };
  };
  const done = (c: CallTokens, i: number): ReconciledCall => ({
    input: c.input,
    cacheRead: c.cacheRead,
    cacheWrite: c.cacheWrite,
    output: c.output,
    outputEstimated: estimated.has(c),
    ...cost(i),
  });
  return { calls: tokens.map(done), unseen: unseen ? done(unseen, tokens.length) : undefined };
}
