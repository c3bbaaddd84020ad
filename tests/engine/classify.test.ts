import { describe, expect, it } from 'vitest';
import { classifySession, summariseSession, toSessionSpan, SESSION_SPAN_COLUMNS, type SessionSpan } from '@fulcrum/query';

let seq = 0;
/** A span as SESSION_SPAN_COLUMNS returns it, through toSessionSpan (the engine's only reader). */
function span(over: Partial<SessionSpan>): SessionSpan {
  const at = 1_763_800_000_000 + 1000 * ++seq;
  const s: SessionSpan = {
    sessionId: 's', spanId: `x${seq}`, parentSpanId: 'root', startNs: `${at}000000`, endNs: `${at + 400}000000`, startMs: at, type: 'tool',
    toolKind: '', toolName: '', filePath: '', filePaths: [], readOffset: 0, readLimit: 0, command: '', commandKey: '', searchPattern: '', searchKey: '',
    argsHash: '', editOldHash: '', editNewHash: '', success: true, fileUnchanged: false, resultSize: 0,
    inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, priced: true, model: '',
    team: '', repository: '', harness: '', useCase: '', userId: '', skillName: '', linesAdded: 0, linesRemoved: 0,
    inputSize: 0, issuerSpanId: '', vcsAction: '', spanName: '', source: '', errorType: '', guardPolicy: '', guardDecision: '', guardSavedUsd: 0, ...over,
  };
  const columns = SESSION_SPAN_COLUMNS.split(', ').length;
  const row = Object.values(s);
  expect(row).toHaveLength(columns);
  return toSessionSpan(row);
}
const model = (cost = 0.01) => span({ type: 'llm', model: 'claude-sonnet-4-5', inputTokens: 1000, costUsd: cost });

describe('the classifier', () => {
  it('decides tool facts from the columns for spans stored before ingest decided them', () => {
    const read = (id: string) => span({ spanId: id, toolName: 'Read', filePath: './src/a.ts', resultSize: 4000 });
    const spans = [model(), read('r1'), model(), read('r2')];
    expect(spans[1]).toMatchObject({ toolKind: 'read', filePath: 'src/a.ts' });
    // The re-read costs its issuing model call (1000 tokens, $0.01); no later request carries its result.
    expect(classifySession(spans)).toEqual([{
      spanId: 'r2', kind: 'redundant_read', anchorSpanIds: ['r1'], findingId: expect.stringMatching(/^[0-9a-f]{16}$/), evidence: 'known',
      tokens: 1000, costUsd: 0.01, issuerUsd: 0.01, carriedUsd: 0, estimated: false,
    }]);
  });

  it('never calls two calls identical when nothing about them is known (tool names only)', () => {
    const bare = () => span({ toolName: 'Read', toolKind: 'read' });
    expect(classifySession([model(), bare(), model(), bare(), model(), bare()])).toEqual([]);
  });

  it('finds an edit reverted by the next edit of the same file from hashes alone', () => {
    const edit = (id: string, o: string, n: string) => span({ spanId: id, toolName: 'Edit', toolKind: 'edit', filePath: 'a.ts', filePaths: ['a.ts'], editOldHash: o, editNewHash: n, linesAdded: 1, linesRemoved: 1 });
    const verdicts = classifySession([model(0.02), edit('e1', 'h-old', 'h-new'), model(0.02), edit('e2', 'h-new', 'h-old')]);
    expect(verdicts.map((v) => [v.spanId, v.kind, v.anchorSpanIds, v.costUsd])).toEqual([['e2', 'edit_revert', ['e1'], 0.02]]);
  });

  it('a write to one file of a multi-file patch makes the next read of that file fresh, not redundant', () => {
    const spans = [
      model(), span({ spanId: 'r1', toolName: 'Read', toolKind: 'read', filePath: 'b.ts', filePaths: ['b.ts'], resultSize: 100 }),
      model(), span({ spanId: 'p', toolName: 'apply_patch', toolKind: 'edit', filePath: 'a.ts', filePaths: ['a.ts', 'b.ts'], linesAdded: 2, linesRemoved: 1 }),
      model(), span({ spanId: 'r2', toolName: 'Read', toolKind: 'read', filePath: 'b.ts', filePaths: ['b.ts'], resultSize: 100 }),
    ];
    expect(classifySession(spans)).toEqual([]);
    expect(summariseSession(spans, []).refactors).toBe(1);
  });

  it('sums a session: spend, tokens, activity and waste by kind', () => {
    const spans = [model(0.5), span({ spanId: 'w', toolName: 'Write', toolKind: 'write', filePath: 'n.ts', linesAdded: 40 }), span({ type: 'skill', skillName: 'pdf' }), span({ type: 'mcp', toolName: 'mcp__gh__issues', toolKind: 'mcp' })];
    const s = summariseSession(spans, classifySession(spans));
    expect(s).toMatchObject({ spendUsd: 0.5, tokens: 1000, modelCalls: 1, toolCalls: 2, linesAdded: 40, skills: 1, mcp: 1, refactors: 0, wasteUsd: 0, waste: [] });
  });

  it('never charges a later request for carrying more than it was sent: waste stays within what the session was billed', () => {
    // Two re-reads of a 40,000-byte file (10,000 result tokens each) that later requests could not have carried whole:
    // each later request reports 1,200 tokens of context, so together the wasted results fill at most those 1,200.
    const read = (id: string) => span({ spanId: id, toolName: 'Read', toolKind: 'read', filePath: 'big.ts', argsHash: 'h-big', resultSize: 40_000 });
    const small = (id: string) => span({ spanId: id, type: 'llm', model: 'claude-sonnet-4-5', inputTokens: 1200, costUsd: 0.0036 });
    const spans = [small('m1'), read('r1'), small('m2'), read('r2'), small('m3'), read('r3'), small('m4'), small('m5')];
    const verdicts = classifySession(spans);
    expect(verdicts.map((v) => v.spanId)).toEqual(['r2', 'r3']);
    // m2 and m3 issued the re-reads and are charged for them whole ($0.0036 each), so they have nothing left to carry with.
    // m4 and m5 each carry r2 and r3: 1,200 tokens between them, split by size (600 each).
    expect(verdicts[0]!.tokens).toBe(1200 + 600 + 600);
    expect(verdicts[1]!.tokens).toBe(1200 + 600 + 600);
    const carried = verdicts.reduce((s, v) => s + v.carriedUsd, 0);
    expect(carried).toBeCloseTo((1200 + 1200) * 3 / 1e6, 12);
    // Waste: m2, m3, m4 and m5 whole; m1, which issued the first (needed) read, not at all.
    const spend = spans.reduce((s, x) => s + x.costUsd, 0);
    expect(summariseSession(spans, verdicts).wasteUsd).toBeCloseTo(spend - 0.0036, 12);
  });

  it('prices every kind of wasted call by one rule: its share of the issuing call plus carrying its result (worked example)', () => {
    // One model call ($0.03, 3000 tokens) issues two identical reads; 4000 result bytes = 1000 tokens (estimated).
    // Two later requests carry that result: one read it from the cache ($0.30 per M for claude-sonnet-4-5), one did not ($3 per M).
    const read = (id: string) => span({ spanId: id, toolName: 'Read', toolKind: 'read', filePath: 'a.ts', argsHash: 'h-read-a', resultSize: 4000 });
    const issuing = span({ spanId: 'm1', type: 'llm', model: 'claude-sonnet-4-5', inputTokens: 3000, costUsd: 0.03 });
    const cached = span({ spanId: 'm2', type: 'llm', model: 'claude-sonnet-4-5', inputTokens: 100, cacheReadTokens: 5000, costUsd: 0.002 });
    const uncached = span({ spanId: 'm3', type: 'llm', model: 'claude-sonnet-4-5', inputTokens: 6000, costUsd: 0.018 });
    const [v] = classifySession([issuing, read('r1'), read('r2'), cached, uncached]);
    expect(v).toMatchObject({ spanId: 'r2', kind: 'redundant_read', evidence: 'known', estimated: true, tokens: 1500 + 2000 });
    expect(v!.issuerUsd).toBeCloseTo(0.015, 12);
    expect(v!.carriedUsd).toBeCloseTo(1000 * (0.3 + 3) / 1e6, 12);
    expect(v!.costUsd).toBeCloseTo(0.0183, 12);

    // The same call in a loop (three identical reads) is a repeated call, priced by the same rule.
    const loop = classifySession([issuing, read('l1'), read('l2'), read('l3'), cached, uncached]);
    expect(loop.map((x) => [x.spanId, x.kind])).toEqual([['l2', 'repeated_call'], ['l3', 'repeated_call']]);
    expect(loop[0]!.costUsd).toBeCloseTo(0.03 / 3 + 1000 * 3.3e-6, 12);
  });

  it('with tool names and sizes only (Claude Code default privacy), asserts repeats on partial evidence, kept out of the headline', () => {
    const bash = (id: string, size: number, ok: boolean) => span({ spanId: id, toolName: 'Bash', toolKind: 'shell', inputSize: size, success: ok, resultSize: ok ? 30 : 0, harness: 'claude-code' });
    const read = (id: string, size: number, result: number) => span({ spanId: id, toolName: 'Read', toolKind: 'read', inputSize: size, resultSize: result, harness: 'claude-code' });
    const m = () => span({ type: 'llm', model: 'claude-opus-4-8', inputTokens: 1000, costUsd: 0.01, harness: 'claude-code' });
    const spans = [
      m(), read('r1', 60, 188), m(), read('r2', 60, 188), m(), read('other', 57, 240),
      m(), bash('f1', 40, false), m(), bash('f2', 40, false), m(), bash('ls', 20, true), m(), bash('f3', 40, false),
    ];
    const verdicts = classifySession(spans);
    expect(verdicts.map((v) => [v.spanId, v.kind, v.evidence, v.anchorSpanIds])).toEqual([
      ['r2', 'redundant_read', 'partial', ['r1']],
      ['f1', 'failed_tool', 'known', []],
      ['f2', 'failed_retry', 'partial', ['f1']],
      // A command of unknown effect ran between: not asserted to be a retry.
      ['f3', 'failed_tool', 'known', []],
    ]);
    const s = summariseSession(spans, verdicts);
    expect(s.waste.map((w) => [w.kind, w.spans])).toEqual([['failed_tool', 2]]);
    expect(s.partialWaste.map((w) => [w.kind, w.spans])).toEqual([['failed_retry', 1], ['redundant_read', 1]]);
    expect(s.wasteUsd).toBeCloseTo(0.02, 12);
    // r2 also carries 188 bytes (47 tokens) through the later requests at claude-opus-4-8's $5 per M input: through 2 of the 5,
    // since the 3 that issued f1, f2 and f3 are already charged whole as those calls' waste (no dollar is counted twice).
    expect(s.partialWasteUsd).toBeCloseTo(0.02 + 47 * 2 * 5e-6, 12);
    expect([s.unverifiableCalls, s.evidenceHint]).toEqual([7, 'OTEL_LOG_TOOL_DETAILS=1']);
  });

  it('retries a failed command only across calls that change nothing', () => {
    const cmd = (id: string, command: string, ok: boolean) => span({ spanId: id, toolName: 'Bash', toolKind: 'shell', command, commandKey: command, success: ok });
    const edit = span({ spanId: 'e', toolName: 'Edit', toolKind: 'edit', filePath: 'a.py', filePaths: ['a.py'], argsHash: 'h-e' });
    const v = classifySession([model(), cmd('t1', 'pytest', false), model(), cmd('ls', 'ls', true), model(), cmd('t2', 'pytest', false), model(), edit, model(), cmd('t3', 'pytest', false), model(), cmd('t4', 'pytest', true)]);
    expect(v.map((x) => [x.spanId, x.kind, x.anchorSpanIds])).toEqual([['t1', 'failed_tool', []], ['t2', 'failed_retry', ['t1']], ['t3', 'failed_tool', []]]);
  });

  it('links a tool call to the model call that issued it: by the transcript link, else the latest model call of its thread', () => {
    // Codex and Gemini hang tool calls under internal spans the model calls do not share: still one thread.
    const codexRead = (id: string) => span({ spanId: id, parentSpanId: `turn-${id}`, toolName: 'exec_command', toolKind: 'read', filePath: 'calc.py', commandKey: 'cat calc.py', resultSize: 0 });
    const first = span({ spanId: 'a', type: 'llm', model: 'gpt-5.1-codex', inputTokens: 500, costUsd: 0.004 });
    const second = span({ spanId: 'b', type: 'llm', model: 'gpt-5.1-codex', inputTokens: 800, costUsd: 0.006 });
    const [v] = classifySession([first, codexRead('c1'), second, codexRead('c2')]);
    expect([v!.spanId, v!.issuerUsd]).toEqual(['c2', 0.006]);
    // A transcript link wins over order, even when the file gave both the same time.
    const linked = span({ spanId: 'c3', toolName: 'exec_command', toolKind: 'read', filePath: 'calc.py', commandKey: 'cat calc.py', issuerSpanId: 'a' });
    const [w] = classifySession([first, codexRead('c1'), linked, second]);
    expect([w!.spanId, w!.issuerUsd]).toEqual(['c3', 0.002]);
  });

  it("calls a re-read known across another file's edit and a test run, and only possible across a command that may have rewritten the file", () => {
    const read = (id: string) => span({ spanId: id, toolName: 'Read', toolKind: 'read', filePath: 'a.ts', filePaths: ['a.ts'], argsHash: 'h-a' });
    const sh = (id: string, command: string) => span({ spanId: id, toolName: 'Bash', toolKind: 'shell', command, commandKey: command });
    const editB = span({ spanId: 'eb', toolName: 'Edit', toolKind: 'edit', filePath: 'b.ts', filePaths: ['b.ts'], argsHash: 'h-b' });
    const known = classifySession([model(), read('r1'), model(), editB, model(), sh('t', 'npm test -- --shard 2'), model(), read('r2')]);
    expect(known.map((v) => [v.spanId, v.kind, v.evidence])).toEqual([['r2', 'redundant_read', 'known']]);
    const possible = classifySession([model(), read('r3'), model(), sh('f', 'npm run format'), model(), read('r4')]);
    expect(possible.map((v) => [v.spanId, v.kind, v.evidence])).toEqual([['r4', 'redundant_read', 'partial']]);
  });
});
