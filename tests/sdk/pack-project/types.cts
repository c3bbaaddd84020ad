// Type-checked by tests/sdk/pack.test.ts in the fresh project: a CommonJS TypeScript user's view
// of the packed package (NodeNext resolution, the "require" condition's declarations).
import sdk = require('@fulcrum/sdk');

const options: sdk.StartTracingOptions = { endpoint: 'http://127.0.0.1:4318', team: 'pack-team', repository: 'acme/packed', harness: 'types-cjs' };
const tracing: sdk.TracingHandle = sdk.startTracing(options);
const answer: Promise<{ usage: { input_tokens: number } }> = sdk.withSession({ sessionId: 's' }, () =>
  sdk.traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => ({ usage: { input_tokens: 1 } })),
);
const edited: string = sdk.traceToolCall({ name: 'Edit', id: 't', args: { file_path: 'a.ts' } }, () => 'ok');
export = { answer, edited, tracing };
