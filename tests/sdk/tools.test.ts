import { describe, expect, it } from 'vitest';
import { argsHash, canonicalArgs, countLines, describeToolCall, stableStringify } from '../../packages/vocab/src/index.js';
import { FAKE_SECRETS } from './secrets.js';

describe('countLines', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\nb', 2],
    ['a\nb\n', 2],
    ['\n', 1],
    ['\n\n', 2],
  ])('%j has %d lines', (s, n) => expect(countLines(s)).toBe(n));
});

describe('describeToolCall: Claude Code', () => {
  it('Read', () => {
    expect(describeToolCall('Read', { file_path: '/r/a.ts', offset: 10, limit: 50 })).toEqual({ kind: 'read', filePath: '/r/a.ts', readOffset: 10, readLimit: 50 });
    expect(describeToolCall('Read', { file_path: '/r/a.ts' })).toEqual({ kind: 'read', filePath: '/r/a.ts', readOffset: 0, readLimit: 0 });
  });
  it('Write counts content lines as added', () => {
    expect(describeToolCall('Write', { file_path: '/r/b.ts', content: 'a\nb\nc\n' })).toEqual({ kind: 'write', filePath: '/r/b.ts', linesAdded: 3, linesRemoved: 0 });
  });
  it('Edit excludes common leading and trailing lines', () => {
    const old_string = 'function f() {\n  return 1;\n}\n';
    const new_string = 'function f() {\n  const x = 1;\n  return x;\n}\n';
    expect(describeToolCall('Edit', { file_path: '/r/c.ts', old_string, new_string })).toEqual({ kind: 'edit', filePath: '/r/c.ts', linesAdded: 2, linesRemoved: 1 });
    expect(describeToolCall('Edit', { file_path: '/r/c.ts', old_string: 'foo bar', new_string: 'foo baz' })).toMatchObject({ linesAdded: 1, linesRemoved: 1 });
    expect(describeToolCall('Edit', { file_path: '/r/c.ts', old_string: 'a\nb\nc', new_string: 'a\nc' })).toMatchObject({ linesAdded: 0, linesRemoved: 1 });
  });
  it('MultiEdit sums its edits', () => {
    const edits = [
      { old_string: 'x', new_string: 'x\ny' },
      { old_string: 'p\nq\nr', new_string: 's' },
    ];
    expect(describeToolCall('MultiEdit', { file_path: '/r/d.ts', edits })).toEqual({ kind: 'edit', filePath: '/r/d.ts', linesAdded: 2, linesRemoved: 3 });
  });
  it('NotebookEdit', () => {
    expect(describeToolCall('NotebookEdit', { notebook_path: '/r/n.ipynb', cell_id: 'c1', new_source: 'print(1)\nprint(2)' })).toEqual({ kind: 'edit', filePath: '/r/n.ipynb', linesAdded: 2, linesRemoved: 0 });
  });
  it('Glob, Grep, LS', () => {
    expect(describeToolCall('Glob', { pattern: '**/*.ts', path: '/r' })).toEqual({ kind: 'search', filePath: '/r', searchPattern: '**/*.ts' });
    expect(describeToolCall('Grep', { pattern: 'TODO\\(', glob: '*.ts', output_mode: 'content' })).toEqual({ kind: 'search', searchPattern: 'TODO\\(' });
    expect(describeToolCall('LS', { path: '/r/src' })).toEqual({ kind: 'search', filePath: '/r/src' });
  });
  it('Bash', () => {
    expect(describeToolCall('Bash', { command: 'npm test', description: 'Run tests' })).toEqual({ kind: 'shell', command: 'npm test' });
  });
  it('unknown and MCP tools are other', () => {
    expect(describeToolCall('mcp__github__create_issue', { title: 'x' })).toEqual({ kind: 'other' });
    expect(describeToolCall('Task', { prompt: 'x' })).toEqual({ kind: 'other' });
    expect(describeToolCall('Read', null)).toEqual({ kind: 'read', readOffset: 0, readLimit: 0 });
  });
});

const CODEX_PATCH = [
  '*** Begin Patch',
  '*** Update File: src/app.ts',
  '@@ function main() {',
  ' const a = 1;',
  '-const b = 2;',
  '+const b = 3;',
  '+const c = 4;',
  '*** Add File: src/new.ts',
  '+export const x = 1;',
  '*** End Patch',
].join('\n');

describe('describeToolCall: Codex', () => {
  it('shell with argv, unwrapping bash -lc (an rg there is a search)', () => {
    expect(describeToolCall('shell', { command: ['bash', '-lc', 'rg -n foo src'], workdir: '/r' })).toEqual({ kind: 'search', filePath: 'src', searchPattern: 'foo', command: 'rg -n foo src' });
    expect(describeToolCall('shell', { command: ['git', 'commit', '-m', 'fix bug'] })).toEqual({ kind: 'shell', command: 'git commit -m "fix bug"' });
  });
  it('exec_command', () => {
    expect(describeToolCall('exec_command', { cmd: 'cargo test', workdir: '/r' })).toEqual({ kind: 'shell', command: 'cargo test' });
  });
  it('apply_patch as a tool (json or freeform) and through shell', () => {
    const want = { kind: 'edit', filePath: 'src/app.ts', filePaths: ['src/app.ts', 'src/new.ts'], linesAdded: 3, linesRemoved: 1 };
    expect(describeToolCall('apply_patch', { input: CODEX_PATCH })).toEqual(want);
    expect(describeToolCall('apply_patch', CODEX_PATCH)).toEqual(want);
    expect(describeToolCall('shell', { command: ['apply_patch', CODEX_PATCH] })).toEqual(want);
    const add = '*** Begin Patch\n*** Add File: a.md\n+# A\n+\n+text\n*** End Patch\n';
    expect(describeToolCall('apply_patch', { input: add })).toEqual({ kind: 'write', filePath: 'a.md', linesAdded: 3, linesRemoved: 0 });
  });
});

describe('describeToolCall: Gemini CLI', () => {
  it('read_file converts the 0-based offset', () => {
    expect(describeToolCall('read_file', { absolute_path: '/r/a.py', offset: 0, limit: 100 })).toEqual({ kind: 'read', filePath: '/r/a.py', readOffset: 1, readLimit: 100 });
  });
  it('read_many_files', () => {
    expect(describeToolCall('read_many_files', { paths: ['a.ts', 'b.ts'] })).toEqual({ kind: 'read', filePath: 'a.ts', filePaths: ['a.ts', 'b.ts'], readOffset: 0, readLimit: 0 });
  });
  it('write_file, replace, searches, shell, list_directory', () => {
    expect(describeToolCall('write_file', { file_path: '/r/x', content: 'one' })).toMatchObject({ kind: 'write', linesAdded: 1 });
    expect(describeToolCall('replace', { file_path: '/r/x', old_string: 'a\nb', new_string: 'a\nB\nC' })).toMatchObject({ kind: 'edit', linesAdded: 2, linesRemoved: 1 });
    expect(describeToolCall('search_file_content', { pattern: 'foo', path: 'src' })).toEqual({ kind: 'search', filePath: 'src', searchPattern: 'foo' });
    expect(describeToolCall('grep_search', { pattern: 'bar', dir_path: 'lib' })).toEqual({ kind: 'search', filePath: 'lib', searchPattern: 'bar' });
    expect(describeToolCall('glob', { pattern: '*.md' })).toEqual({ kind: 'search', searchPattern: '*.md' });
    expect(describeToolCall('run_shell_command', { command: 'ls -la', directory: 'src' })).toEqual({ kind: 'shell', command: 'ls -la' });
    expect(describeToolCall('list_directory', { path: '/r' })).toEqual({ kind: 'search', filePath: '/r' });
  });
});

describe('describeToolCall: generic', () => {
  it('edit with a unified diff', () => {
    const diff = '--- a/x.ts\n+++ b/x.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n+C\n c\n';
    expect(describeToolCall('edit', { path: 'x.ts', diff })).toEqual({ kind: 'edit', filePath: 'x.ts', linesAdded: 2, linesRemoved: 1 });
  });
  it('lower-case names', () => {
    expect(describeToolCall('read', { path: 'a' })).toMatchObject({ kind: 'read', filePath: 'a' });
    expect(describeToolCall('bash', { command: 'ls' })).toEqual({ kind: 'shell', command: 'ls' });
    expect(describeToolCall('grep', { pattern: 'x' })).toEqual({ kind: 'search', searchPattern: 'x' });
  });
});

describe('canonicalArgs / argsHash', () => {
  it('orders keys at every depth and drops undefined', () => {
    const a = canonicalArgs({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } });
    expect(a).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalArgs({ a: { d: [1, { y: 2, z: 1 }] }, b: 1 })).toBe(a);
  });
  it('redacts then truncates', () => {
    const s = canonicalArgs({ command: `curl -H "x-api-key: ${FAKE_SECRETS.anthropic}" https://api.anthropic.com` }, 60);
    expect(s).not.toContain('sk-ant');
    expect(s.length).toBeLessThanOrEqual(60);
    expect(s.endsWith('…[truncated]')).toBe(true);
  });
  it('survives cycles, bigint and non-finite numbers', () => {
    const o: Record<string, unknown> = { n: Number.NaN, big: 10n };
    o.self = o;
    expect(stableStringify(o)).toBe('{"big":"10","n":null,"self":"[Circular]"}');
  });
  it('hashes to 16 hex chars, equal for equal args, different otherwise', () => {
    const h = argsHash(canonicalArgs({ a: 1, b: 2 }));
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(argsHash(canonicalArgs({ b: 2, a: 1 }))).toBe(h);
    expect(argsHash(canonicalArgs({ a: 1, b: 3 }))).not.toBe(h);
    // sha1("{}") = bf21a9e8fbc5a3846fb05b4fa0859e0917b2202f
    expect(argsHash('{}')).toBe('bf21a9e8fbc5a384');
  });
});
