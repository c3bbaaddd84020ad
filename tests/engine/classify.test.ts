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
    team: '', repository: '', harness: '', useCase: '', userId: '', skillName: '', linesAdded: 0, linesRemoved: 0, ...over,
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
    expect(classifySession(spans)).toEqual([{ spanId: 'r2', kind: 'redundant_read', anchorSpanIds: ['r1'], findingId: expect.stringMatching(/^[0-9a-f]{16}$/), tokens: 1000, costUsd: 0.003, estimated: true }]);
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
});
