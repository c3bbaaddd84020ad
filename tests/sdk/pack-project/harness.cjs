// Run by tests/sdk/pack.test.ts with plain `node`, in a fresh project outside the repository
// where the packed @fulcrum/sdk and @fulcrum/vocab tarballs are installed: the CommonJS entry point.
// Usage: node harness.cjs <endpoint> <session id> <harness name>
'use strict';
const { dirname, join } = require('node:path');
const { startTracing, traceModelCall, traceToolCall, withSession } = require('@fulcrum/sdk');

const [endpoint, sessionId, harness] = process.argv.slice(2);

async function main() {
  const tracing = startTracing({ endpoint, team: 'pack-team', repository: 'acme/packed', harness });
  await withSession({ sessionId, agentName: 'packed-agent' }, async () => {
    // A plain object shaped like an Anthropic Messages response.
    await traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, async () => ({
      id: 'msg_pack',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 500 },
    }));
    await traceToolCall(
      { name: 'Edit', id: 'toolu_pack_edit', args: { file_path: join(process.cwd(), 'src', 'app.ts'), old_string: 'a\nb\nc', new_string: 'a\nB\nB2\nc' } },
      async () => 'The file has been updated.',
    );
  });
  await tracing.shutdown();

  // Which files Node loaded, so the test can tell the CommonJS entry point was used.
  const sdk = require.resolve('@fulcrum/sdk');
  console.log(JSON.stringify({ sdk, vocab: require.resolve('@fulcrum/vocab', { paths: [dirname(sdk)] }) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
