// Type-checked by tests/sdk/pack.test.ts in the fresh project: an ESM TypeScript user's view
// of the packed package (NodeNext resolution, the "import" condition's declarations).
import { startTracing, traceModelCall, traceToolCall, withSession, type StartTracingOptions, type TracingHandle } from '@fulcrum/sdk';

const options: StartTracingOptions = { endpoint: 'http://127.0.0.1:4318', team: 'pack-team', repository: 'acme/packed', harness: 'types-esm' };
const tracing: TracingHandle = startTracing(options);
const answer: Promise<{ usage: { input_tokens: number } }> = withSession({ sessionId: 's' }, () =>
  traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => ({ usage: { input_tokens: 1 } })),
);
const edited: string = traceToolCall({ name: 'Edit', id: 't', args: { file_path: 'a.ts' } }, () => 'ok');
export { answer, edited, tracing };
