/**
 * The vocabulary table and custom vocabularies as ingest-side functions see
 * them (tool facts, edit hashes, paths), and the guess behind the SDK's hint.
 */
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TOOLS,
  createToolVocabulary,
  DEFAULT_TOOL_VOCABULARY,
  describeToolCall,
  describeToolFacts,
  filePathsOf,
  guessToolDescriptor,
  textHash,
  toolFactsFromColumns,
  toolKindOf,
} from '../../packages/vocab/src/index.js';

describe('BUILT_IN_TOOLS', () => {
  it('gives a name two harnesses share one meaning (only the first entry is read)', () => {
    const seen = new Map<string, unknown>();
    const conflicts: string[] = [];
    for (const t of BUILT_IN_TOOLS) {
      for (const n of t.names.map((x) => x.toLowerCase())) {
        if (seen.has(n) && seen.get(n) !== t.mapping) conflicts.push(n);
        if (!seen.has(n)) seen.set(n, t.mapping);
      }
    }
    expect(conflicts).toEqual([]);
  });

  it('covers the harnesses asked for', () => {
    const known = ['Read', 'Write', 'Edit', 'MultiEdit', 'Bash', 'Grep', 'Glob', 'NotebookEdit', 'str_replace_based_edit_tool', 'str_replace_editor', 'bash', 'view', 'run_command',
      'execute_command', 'apply_patch', 'shell', 'exec_command', 'local_shell', 'read_file', 'read_many_files', 'write_file', 'replace', 'run_shell_command', 'grep_search',
      'search_file_content', 'glob', 'list_directory', 'web_fetch', 'google_web_search'];
    expect(known.filter((n) => !DEFAULT_TOOL_VOCABULARY.knows(n))).toEqual([]);
    expect(['mcp__github__create_issue', 'my_edit'].map((n) => DEFAULT_TOOL_VOCABULARY.knows(n))).toEqual([false, false]);
  });
});

describe('tool facts of the Anthropic text editor, as ingest decides them', () => {
  it('str_replace: an edit with line counts and the hashes of its old and new text', () => {
    const f = describeToolFacts('str_replace_based_edit_tool', { command: 'str_replace', path: '/w/src/a.ts', old_str: 'a\nb\nc', new_str: 'a\nB\nC\nD\nc' }, { cwd: '/w' });
    expect([f.kind, f.filePath, f.linesAdded, f.linesRemoved, f.editOldHash, f.editNewHash]).toEqual(['edit', 'src/a.ts', 3, 1, textHash('a\nb\nc'), textHash('a\nB\nC\nD\nc')]);
  });

  it('insert: new text after no old text; create: a write; undo_edit: an edit of unknown size', () => {
    const insert = describeToolFacts('str_replace_editor', { command: 'insert', path: 'a.ts', insert_line: 1, insert_text: 'x\ny' });
    expect([insert.kind, insert.linesAdded, insert.linesRemoved, insert.editOldHash, insert.editNewHash]).toEqual(['edit', 2, 0, textHash(''), textHash('x\ny')]);
    const create = describeToolFacts('str_replace_editor', { command: 'create', path: 'n.md', file_text: '# N\n' });
    expect([create.kind, create.filePath, create.linesAdded, create.editNewHash]).toEqual(['write', 'n.md', 1, '']);
    const undo = describeToolFacts('str_replace_editor', { command: 'undo_edit', path: 'a.ts' });
    expect([undo.kind, undo.filePath, undo.linesAdded, undo.linesRemoved, undo.editOldHash]).toEqual(['edit', 'a.ts', 0, 0, '']);
  });

  it('view: a read whose range ingest uses to compare re-reads', () => {
    const f = describeToolFacts('str_replace_based_edit_tool', { command: 'view', path: '/w/a.ts', view_range: [5, 9] }, { cwd: '/w' });
    expect([f.kind, f.filePath, f.readOffset, f.readLimit]).toEqual(['read', 'a.ts', 5, 5]);
  });

  it('an unknown command is other, as is the text editor without one', () => {
    expect(describeToolCall('str_replace_based_edit_tool', { command: 'rename', path: 'a' })).toEqual({ kind: 'other' });
    expect(describeToolCall('str_replace_based_edit_tool', { path: 'a' })).toEqual({ kind: 'other' });
  });
});

describe('a custom vocabulary in the ingest-side functions', () => {
  const tools = createToolVocabulary({
    my_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' },
    sh: { kind: 'shell', command: 'cmd' },
    nested: { kind: 'read', path: ['input.file', 'file'] },
  });

  it('decides kind, paths and hashes from the mapped keys; without it the tool stays other', () => {
    const f = describeToolFacts('my_edit', { file: '/w/x.py', before: 'a', after: 'b' }, { cwd: '/w', vocabulary: tools });
    expect([f.kind, f.filePath, f.linesAdded, f.linesRemoved, f.editOldHash, f.editNewHash]).toEqual(['edit', 'x.py', 1, 1, textHash('a'), textHash('b')]);
    const plain = describeToolFacts('my_edit', { file: '/w/x.py', before: 'a', after: 'b' }, { cwd: '/w' });
    expect([plain.kind, plain.filePath, plain.linesAdded]).toEqual(['other', '', 0]);
    expect(filePathsOf('my_edit', { file: 'x.py' }, tools)).toEqual(['x.py']);
    expect(filePathsOf('my_edit', { file: 'x.py' })).toEqual([]);
  });

  it('a mapped shell tool known only by its command column is still a read of the file it cats', () => {
    expect(toolKindOf('sh', {}, tools)).toBe('shell');
    const f = toolFactsFromColumns({ toolName: 'sh', command: 'cat notes.md' }, { vocabulary: tools });
    expect([f.kind, f.filePath, f.commandKey]).toEqual(['read', 'notes.md', 'cat notes.md']);
    expect(toolFactsFromColumns({ toolName: 'sh', command: 'cat notes.md' }).kind).toBe('other');
  });

  it('reads dotted keys from nested objects, an exact dotted key first', () => {
    expect(describeToolCall('nested', { input: { file: 'a.md' } }, tools)).toMatchObject({ filePath: 'a.md' });
    expect(describeToolCall('nested', { 'input.file': 'exact.md', input: { file: 'a.md' } }, tools)).toMatchObject({ filePath: 'exact.md' });
    expect(describeToolCall('nested', { input: 'not an object', file: 'b.md' }, tools)).toMatchObject({ filePath: 'b.md' });
  });
});

describe('guessToolDescriptor', () => {
  it.each([
    [{ file: 'a', before: 'x', after: 'y' }, { looksLike: 'edit', descriptor: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' } }],
    [{ target_file: 'a', old_str: 'x', new_str: '' }, { looksLike: 'edit', descriptor: { kind: 'edit', path: 'target_file', oldText: 'old_str', newText: 'new_str' } }],
    [{ path: 'a', diff: '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n' }, { looksLike: 'edit', descriptor: { kind: 'edit', path: 'path', patch: 'diff' } }],
    [{ fileName: 'a', contents: 'b' }, { looksLike: 'write', descriptor: { kind: 'write', path: 'fileName', content: 'contents' } }],
    [{ command_line: 'make', cwd: 3 }, { looksLike: 'shell', descriptor: { kind: 'shell', command: 'command_line' } }],
    [{ absolutePath: '/a', start: 1, end: 9 }, { looksLike: 'read', descriptor: { kind: 'read', path: 'absolutePath' } }],
  ])('%j looks like %j', (args, want) => {
    expect(guessToolDescriptor(args)).toEqual(want);
  });

  it.each([[{ path: 'a', mode: 'x' }], [{ q: 'x' }], [{ diff: 'just words' }], [{ path: '' }], [null], ['path'], [[{ path: 'a' }]], [{ command: [] }]])('%j looks like nothing', (args) => {
    expect(guessToolDescriptor(args)).toBeUndefined();
  });
});
