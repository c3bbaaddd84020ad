import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@fulcrum/server';
import { analysePending, findWaste } from '@fulcrum/query';
import { tempDataDir } from '../helpers/store.js';
import { llm, send, spanIdOf, type SpanSpec } from '../query/fixtures.js';

const CWD = '/home/dev/repo';
/** A tool call as a plain GenAI client sends it: name and arguments only, with the session's working directory. */
const call = (id: string, at: number, name: string, args: unknown): SpanSpec => ({
  id, parent: 'root', at, name: `execute_tool ${name}`,
  attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'gen_ai.tool.call.arguments': JSON.stringify(args), 'fulcrum.tool.result_size': 4000, 'process.working_directory': CWD },
});
const PATCH = `*** Begin Patch\n*** Update File: src/a.ts\n@@\n-const a = 1;\n+const a = 2;\n*** End Patch`;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, store: { dataDir: tempDataDir() }, analysis: false });
  await send(server.url, [
    // ./src/a.ts, src/a.ts and <cwd>/src/a.ts are one file: the second and third reads are redundant.
    { session: 'three-spellings', spans: [llm('m1', 1000, 0.01), call('r1', 1500, 'Read', { file_path: './src/a.ts' }), llm('m2', 2000, 0.01), call('r2', 2500, 'Read', { file_path: `${CWD}/src/a.ts` }), llm('m3', 3000, 0.01), call('r3', 3500, 'read_file', { absolute_path: 'src/a.ts' })] },
    // A Codex apply_patch of src/a.ts between two reads of the absolute path: the file changed, so the second read is fresh.
    { session: 'patched', spans: [llm('m1', 1000, 0.01), call('r1', 1500, 'Read', { file_path: `${CWD}/src/a.ts` }), llm('m2', 2000, 0.01), call('p', 2500, 'apply_patch', { input: PATCH }), llm('m3', 3000, 0.01), call('r2', 3500, 'Read', { file_path: `${CWD}/src/a.ts` })] },
  ]);
  await server.app.spanWriter.flush();
  await analysePending(server.app.store, { quietMs: 0 });
});
afterAll(async () => server?.close());

describe('file paths are normalised once, at ingest, so the waste rules see one file', () => {
  it('stores ./src/a.ts, src/a.ts and the absolute path under the working directory as src/a.ts', async () => {
    const rs = await server.app.store.client.query({ query: "SELECT ToolName, ToolKind, FilePath FROM spans FINAL WHERE Project = 'default' AND SpanType = 'tool' ORDER BY SessionId, Timestamp", format: 'JSONCompactEachRow' });
    expect(await rs.json()).toEqual([
      ['Read', 'read', 'src/a.ts'], ['apply_patch', 'edit', 'src/a.ts'], ['Read', 'read', 'src/a.ts'],
      ['Read', 'read', 'src/a.ts'], ['Read', 'read', 'src/a.ts'], ['read_file', 'read', 'src/a.ts'],
    ]);
  });

  it('a re-read under another spelling of the same file is redundant', async () => {
    const f = await findWaste(server.app.store.client, { project: 'default', sessionId: 'three-spellings' });
    expect(f.map((x) => ({ kind: x.kind, anchors: x.anchorSpanIds, waste: x.wasteSpanIds, file: x.filePath }))).toEqual([
      { kind: 'redundant_read', anchors: [spanIdOf('three-spellings', 'r1')], waste: ['r2', 'r3'].map((r) => spanIdOf('three-spellings', r)), file: 'src/a.ts' },
    ]);
  });

  it('a Codex apply_patch and a Read of the same file meet: the read after the patch is not redundant', async () => {
    expect(await findWaste(server.app.store.client, { project: 'default', sessionId: 'patched' })).toEqual([]);
  });
});
