/**
 * The tool vocabulary: which tool names (and which of their argument keys) the
 * SDK reads paths, commands and line counts from. Each case is pinned twice:
 * by describeToolCall, and as the span attributes traceToolCall exports
 * (the deferred path startTracing uses, and the eager one); then a harness's
 * own `tools` mapping, the one-time hint for unmapped tools, and what ingest
 * stores for plain GenAI spans naming these tools.
 */
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeTracesJson, finishRows, normaliseTraces } from '@fulcrum/ingest';
import { textHash } from '@fulcrum/vocab';
import {
  configureWrappers,
  createToolVocabulary,
  describeToolCall,
  FULCRUM,
  traceToolCall,
  type ToolCallDescription,
  type ToolMappings,
} from '../../packages/sdk/src/index.js';
import { captureSpans } from './helpers.js';

const warnings: string[] = [];
const cap = captureSpans({ logger: { warn: (message: string) => void warnings.push(message) } });

interface Case {
  name: string;
  args: unknown;
  want: ToolCallDescription;
}

// str_replace: three lines replaced by five, none in common (so Edit counts +5 −3).
const OLD3 = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';
const NEW5 = 'let a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\nlet e = 5;\n';
// Common first and last lines are not counted: one line becomes three.
const OLD_F = 'function f() {\n  return 1;\n}\n';
const NEW_F = 'function f() {\n  const x = 1;\n  const y = 2;\n  return x + y;\n}\n';
const PATCH = '*** Begin Patch\n*** Update File: src/app.ts\n@@\n const a = 1;\n-const b = 2;\n+const b = 3;\n+const c = 4;\n*** Add File: src/new.ts\n+export const x = 1;\n*** End Patch';

const CASES: Record<string, Case[]> = {
  'Claude Code': [
    { name: 'Read', args: { file_path: '/repo/a.ts', offset: 10, limit: 50 }, want: { kind: 'read', filePath: '/repo/a.ts', readOffset: 10, readLimit: 50 } },
    { name: 'Write', args: { file_path: '/repo/b.ts', content: 'a\nb\nc\n' }, want: { kind: 'write', filePath: '/repo/b.ts', linesAdded: 3, linesRemoved: 0 } },
    { name: 'Edit', args: { file_path: '/repo/app.ts', old_string: OLD3, new_string: NEW5 }, want: { kind: 'edit', filePath: '/repo/app.ts', linesAdded: 5, linesRemoved: 3 } },
    { name: 'Edit', args: { file_path: '/repo/f.ts', old_string: OLD_F, new_string: NEW_F }, want: { kind: 'edit', filePath: '/repo/f.ts', linesAdded: 3, linesRemoved: 1 } },
    { name: 'Bash', args: { command: 'npm test', description: 'Run tests' }, want: { kind: 'shell', command: 'npm test' } },
    { name: 'Grep', args: { pattern: 'TODO', path: '/repo/src' }, want: { kind: 'search', filePath: '/repo/src', searchPattern: 'TODO' } },
    { name: 'WebFetch', args: { url: 'https://example.com', prompt: 'summarise' }, want: { kind: 'other' } },
  ],
  'Anthropic API': [
    { name: 'str_replace_based_edit_tool', args: { command: 'str_replace', path: '/repo/app.ts', old_str: OLD3, new_str: NEW5 }, want: { kind: 'edit', filePath: '/repo/app.ts', linesAdded: 5, linesRemoved: 3 } },
    { name: 'str_replace_based_edit_tool', args: { command: 'str_replace', path: '/repo/f.ts', old_str: OLD_F, new_str: NEW_F }, want: { kind: 'edit', filePath: '/repo/f.ts', linesAdded: 3, linesRemoved: 1 } },
    { name: 'str_replace_editor', args: { command: 'str_replace', path: '/repo/app.ts', old_str: OLD3, new_str: NEW5 }, want: { kind: 'edit', filePath: '/repo/app.ts', linesAdded: 5, linesRemoved: 3 } },
    { name: 'str_replace_based_edit_tool', args: { command: 'create', path: '/repo/new.py', file_text: 'import os\n\n\ndef main():\n    pass\n' }, want: { kind: 'write', filePath: '/repo/new.py', linesAdded: 5, linesRemoved: 0 } },
    { name: 'str_replace_based_edit_tool', args: { command: 'insert', path: '/repo/app.ts', insert_line: 3, insert_text: 'x();\ny();\n' }, want: { kind: 'edit', filePath: '/repo/app.ts', linesAdded: 2, linesRemoved: 0 } },
    { name: 'str_replace_editor', args: { command: 'insert', path: '/repo/app.ts', insert_line: 0, new_str: 'import x;\n' }, want: { kind: 'edit', filePath: '/repo/app.ts', linesAdded: 1, linesRemoved: 0 } },
    { name: 'str_replace_based_edit_tool', args: { command: 'view', path: '/repo/app.ts', view_range: [10, 40] }, want: { kind: 'read', filePath: '/repo/app.ts', readOffset: 10, readLimit: 31 } },
    { name: 'str_replace_based_edit_tool', args: { command: 'view', path: '/repo/app.ts', view_range: [25, -1] }, want: { kind: 'read', filePath: '/repo/app.ts', readOffset: 25, readLimit: 0 } },
    { name: 'str_replace_editor', args: { command: 'view', path: '/repo' }, want: { kind: 'read', filePath: '/repo', readOffset: 0, readLimit: 0 } },
    { name: 'str_replace_editor', args: { command: 'undo_edit', path: '/repo/app.ts' }, want: { kind: 'edit', filePath: '/repo/app.ts' } },
    { name: 'bash', args: { command: 'pytest -q' }, want: { kind: 'shell', command: 'pytest -q' } },
    { name: 'bash', args: { restart: true }, want: { kind: 'shell' } },
  ],
  generic: [
    { name: 'view', args: { path: 'src/a.ts', view_range: [1, 5] }, want: { kind: 'read', filePath: 'src/a.ts', readOffset: 1, readLimit: 5 } },
    { name: 'run_command', args: { command: 'cargo build --release' }, want: { kind: 'shell', command: 'cargo build --release' } },
    { name: 'execute_command', args: { command: 'cat src/main.rs', requires_approval: false }, want: { kind: 'read', filePath: 'src/main.rs', readOffset: 0, readLimit: 0, command: 'cat src/main.rs' } },
  ],
  Codex: [
    { name: 'apply_patch', args: PATCH, want: { kind: 'edit', filePath: 'src/app.ts', filePaths: ['src/app.ts', 'src/new.ts'], linesAdded: 3, linesRemoved: 1 } },
    { name: 'shell', args: { command: ['bash', '-lc', 'sed -n 5,20p src/lib.rs'], workdir: '/repo' }, want: { kind: 'read', filePath: 'src/lib.rs', readOffset: 5, readLimit: 16, command: 'sed -n 5,20p src/lib.rs' } },
    { name: 'shell_command', args: { command: 'git status', workdir: '/repo', timeout_ms: 10_000 }, want: { kind: 'shell', command: 'git status' } },
    { name: 'exec_command', args: { cmd: 'rg -n TODO src', workdir: '/repo' }, want: { kind: 'search', filePath: 'src', searchPattern: 'TODO', command: 'rg -n TODO src' } },
    { name: 'local_shell', args: { action: { type: 'exec', command: ['ls', '-la'], working_directory: '/repo' } }, want: { kind: 'shell', command: 'ls -la' } },
    { name: 'list_dir', args: { dir_path: '/repo/src', depth: 2 }, want: { kind: 'search', filePath: '/repo/src' } },
    { name: 'grep_files', args: { pattern: 'fn main', path: '/repo', include: '*.rs' }, want: { kind: 'search', filePath: '/repo', searchPattern: 'fn main' } },
  ],
  'Gemini CLI': [
    // Gemini CLI 0.61.0's own calls (tests/fixtures/real-clients/gemini-cli-0.61.0).
    { name: 'read_file', args: { file_path: '/home/developer1/workdir-gemini/calc.py' }, want: { kind: 'read', filePath: '/home/developer1/workdir-gemini/calc.py', readOffset: 0, readLimit: 0 } },
    {
      name: 'replace',
      args: { file_path: '/home/developer1/workdir-gemini/calc.py', instruction: 'add sub()', old_string: 'def main():', new_string: 'def sub(a, b):\n    return a - b\n\n\ndef main():' },
      want: { kind: 'edit', filePath: '/home/developer1/workdir-gemini/calc.py', linesAdded: 4, linesRemoved: 0 },
    },
    { name: 'grep_search', args: { pattern: 'def ', dir_path: '/home/developer1/workdir-gemini' }, want: { kind: 'search', filePath: '/home/developer1/workdir-gemini', searchPattern: 'def ' } },
    {
      name: 'run_shell_command',
      args: { command: 'cat /home/developer1/workdir-gemini/missing.py', description: 'show missing file' },
      want: { kind: 'read', filePath: '/home/developer1/workdir-gemini/missing.py', readOffset: 0, readLimit: 0, command: 'cat /home/developer1/workdir-gemini/missing.py' },
    },
    // Newer read_file: 1-based start_line and inclusive end_line; older: 0-based offset.
    { name: 'read_file', args: { file_path: 'calc.py', start_line: 10, end_line: 30 }, want: { kind: 'read', filePath: 'calc.py', readOffset: 10, readLimit: 21 } },
    { name: 'read_file', args: { absolute_path: '/w/calc.py', offset: 0, limit: 100 }, want: { kind: 'read', filePath: '/w/calc.py', readOffset: 1, readLimit: 100 } },
    { name: 'read_many_files', args: { paths: ['a.ts', 'b.ts'] }, want: { kind: 'read', filePath: 'a.ts', filePaths: ['a.ts', 'b.ts'], readOffset: 0, readLimit: 0 } },
    { name: 'write_file', args: { file_path: '/w/notes.md', content: '# Notes\n\nok\n' }, want: { kind: 'write', filePath: '/w/notes.md', linesAdded: 3, linesRemoved: 0 } },
    { name: 'replace', args: { file_path: '/w/a.py', old_string: 'x = 1\ny = 2', new_string: 'x = 3', expected_replacements: 1 }, want: { kind: 'edit', filePath: '/w/a.py', linesAdded: 1, linesRemoved: 2 } },
    { name: 'search_file_content', args: { pattern: 'import', path: 'src' }, want: { kind: 'search', filePath: 'src', searchPattern: 'import' } },
    { name: 'glob', args: { pattern: '**/*.py', dir_path: '/w' }, want: { kind: 'search', filePath: '/w', searchPattern: '**/*.py' } },
    { name: 'list_directory', args: { dir_path: '/w' }, want: { kind: 'search', filePath: '/w' } },
    { name: 'web_fetch', args: { prompt: 'summarise https://example.com' }, want: { kind: 'other' } },
    { name: 'google_web_search', args: { query: 'vitest forks pool' }, want: { kind: 'other' } },
  ],
};

const ALL = Object.entries(CASES).flatMap(([harness, cases]) => cases.map((c) => ({ harness, ...c })));

/** The span attributes a description becomes (absent facts stay absent). */
function expectedAttributes(d: ToolCallDescription): Attributes {
  const out: Attributes = {};
  if (d.filePath !== undefined) out[FULCRUM.FILE_PATH] = d.filePath;
  if (d.readOffset !== undefined) out[FULCRUM.READ_OFFSET] = d.readOffset;
  if (d.readLimit !== undefined) out[FULCRUM.READ_LIMIT] = d.readLimit;
  if (d.command !== undefined) out[FULCRUM.COMMAND] = d.command;
  if (d.searchPattern !== undefined) out[FULCRUM.SEARCH_PATTERN] = d.searchPattern;
  if (d.linesAdded !== undefined) out[FULCRUM.LINES_ADDED] = d.linesAdded;
  if (d.linesRemoved !== undefined) out[FULCRUM.LINES_REMOVED] = d.linesRemoved;
  return out;
}

const FACT_KEYS = [FULCRUM.FILE_PATH, FULCRUM.READ_OFFSET, FULCRUM.READ_LIMIT, FULCRUM.COMMAND, FULCRUM.SEARCH_PATTERN, FULCRUM.LINES_ADDED, FULCRUM.LINES_REMOVED];

/** The tool-fact attributes of the one span traceToolCall exported. */
function tracedFacts(name: string, args: unknown): Attributes {
  cap.exporter.reset();
  traceToolCall({ name, args }, () => 'ok');
  const [span] = cap.spans();
  return Object.fromEntries(FACT_KEYS.filter((k) => span!.attributes[k] !== undefined).map((k) => [k, span!.attributes[k]]));
}

function eagerly<T>(f: () => T): T {
  const previous = configureWrappers({ deferToolAttributes: false });
  try {
    return f();
  } finally {
    configureWrappers(previous);
  }
}

function withTools<T>(tools: ToolMappings, f: () => T): T {
  const previous = configureWrappers({ tools: createToolVocabulary(tools) });
  try {
    return f();
  } finally {
    // configureWrappers merges: an absent `tools` would keep the mapping.
    configureWrappers({ ...previous, tools: previous.tools });
  }
}

describe('built-in tool vocabulary', () => {
  it.each(ALL)('$harness $name: describeToolCall', ({ name, args, want }) => {
    expect(describeToolCall(name, args)).toEqual(want);
  });

  it.each(ALL)('$harness $name: traceToolCall exports the same facts (deferred path)', ({ name, args, want }) => {
    expect(tracedFacts(name, args)).toEqual(expectedAttributes(want));
  });

  it.each(ALL)('$harness $name: and on the eager path', ({ name, args, want }) => {
    expect(eagerly(() => tracedFacts(name, args))).toEqual(expectedAttributes(want));
  });

  it("counts the text editor's str_replace exactly as Claude Code's Edit", () => {
    const editor = tracedFacts('str_replace_based_edit_tool', { command: 'str_replace', path: 'f.ts', old_str: OLD_F, new_str: NEW_F });
    const edit = tracedFacts('Edit', { file_path: 'f.ts', old_string: OLD_F, new_string: NEW_F });
    expect([editor[FULCRUM.LINES_ADDED], editor[FULCRUM.LINES_REMOVED]]).toEqual([3, 1]);
    expect(editor).toEqual(edit);
  });

  it('matches tool names case-insensitively, as before', () => {
    expect(tracedFacts('STR_REPLACE_BASED_EDIT_TOOL', { command: 'create', path: 'n.txt', file_text: 'a\nb' })).toEqual({
      [FULCRUM.FILE_PATH]: 'n.txt',
      [FULCRUM.LINES_ADDED]: 2,
      [FULCRUM.LINES_REMOVED]: 0,
    });
  });
});

describe('a harness maps its own tools (WrapperSettings.tools)', () => {
  const TOOLS: ToolMappings = {
    my_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' },
    sh: { kind: 'shell', command: 'cmd' },
    save: { kind: 'write', path: 'target.path', content: 'target.body' },
    batch_edit: { kind: 'edit', path: 'file', edits: 'changes', oldText: 'from', newText: 'to' },
    fetch_lines: { kind: 'read', path: 'uri', offset: 'skip', limit: 'take' },
    find: { kind: 'search', path: 'root', pattern: 'regex' },
    editor: {
      by: 'op',
      cases: { open: { kind: 'read', path: 'file' }, patch: { kind: 'edit', path: 'file', patch: 'diff' } },
    },
  };

  it('reads each mapped tool by its own keys', () => {
    withTools(TOOLS, () => {
      expect(tracedFacts('my_edit', { file: 'src/a.ts', before: OLD3, after: NEW5 })).toEqual({ [FULCRUM.FILE_PATH]: 'src/a.ts', [FULCRUM.LINES_ADDED]: 5, [FULCRUM.LINES_REMOVED]: 3 });
      expect(tracedFacts('sh', { cmd: 'make test' })).toEqual({ [FULCRUM.COMMAND]: 'make test' });
      // A mapped shell tool gets the shell semantics too: `cat f` is a read of f.
      expect(tracedFacts('sh', { cmd: 'cat README.md' })).toEqual({ [FULCRUM.FILE_PATH]: 'README.md', [FULCRUM.READ_OFFSET]: 0, [FULCRUM.READ_LIMIT]: 0, [FULCRUM.COMMAND]: 'cat README.md' });
      expect(tracedFacts('save', { target: { path: 'out/x.json', body: '{\n  "a": 1\n}\n' } })).toEqual({ [FULCRUM.FILE_PATH]: 'out/x.json', [FULCRUM.LINES_ADDED]: 3, [FULCRUM.LINES_REMOVED]: 0 });
      expect(tracedFacts('batch_edit', { file: 'b.ts', changes: [{ from: 'a', to: 'a\nb' }, { from: 'c\nd\ne', to: 'f' }] })).toEqual({
        [FULCRUM.FILE_PATH]: 'b.ts',
        [FULCRUM.LINES_ADDED]: 2,
        [FULCRUM.LINES_REMOVED]: 3,
      });
      expect(tracedFacts('fetch_lines', { uri: 'doc.md', skip: 20, take: 10 })).toEqual({ [FULCRUM.FILE_PATH]: 'doc.md', [FULCRUM.READ_OFFSET]: 21, [FULCRUM.READ_LIMIT]: 10 });
      expect(tracedFacts('find', { root: 'lib', regex: 'class \\w+' })).toEqual({ [FULCRUM.FILE_PATH]: 'lib', [FULCRUM.SEARCH_PATTERN]: 'class \\w+' });
      expect(tracedFacts('editor', { op: 'open', file: 'a.md' })).toEqual({ [FULCRUM.FILE_PATH]: 'a.md', [FULCRUM.READ_OFFSET]: 0, [FULCRUM.READ_LIMIT]: 0 });
      expect(tracedFacts('editor', { op: 'patch', file: 'a.md', diff: '@@ -1 +1,2 @@\n-x\n+y\n+z\n' })).toEqual({ [FULCRUM.FILE_PATH]: 'a.md', [FULCRUM.LINES_ADDED]: 2, [FULCRUM.LINES_REMOVED]: 1 });
      expect(tracedFacts('editor', { op: 'close', file: 'a.md' })).toEqual({});
      // The built-in tools still apply beside the harness's own.
      expect(tracedFacts('Write', { file_path: 'w.txt', content: 'one\n' })).toEqual({ [FULCRUM.FILE_PATH]: 'w.txt', [FULCRUM.LINES_ADDED]: 1, [FULCRUM.LINES_REMOVED]: 0 });
    });
    // Without the mapping the same call counts nothing.
    expect(tracedFacts('my_edit', { file: 'src/a.ts', before: OLD3, after: NEW5 })).toEqual({});
  });

  it('is read on the eager path too, and a custom name replaces a built-in one', () => {
    withTools({ view: { kind: 'read', path: 'uri', startLine: 'line' } }, () => {
      expect(eagerly(() => tracedFacts('view', { uri: 'docs/a.md', line: 7, path: 'ignored.md' }))).toEqual({
        [FULCRUM.FILE_PATH]: 'docs/a.md',
        [FULCRUM.READ_OFFSET]: 7,
        [FULCRUM.READ_LIMIT]: 0,
      });
    });
  });

  it("a mapped tool's kind travels as fulcrum.tool.kind, and ingest stores that kind", () => {
    const attributes = withTools(TOOLS, () => {
      cap.exporter.reset();
      traceToolCall({ name: 'my_edit', id: 'c1', args: { file: 'src/a.ts', before: OLD3, after: NEW5 } }, () => 'ok');
      traceToolCall({ name: 'fetch_lines', id: 'c2', args: { uri: 'src/a.ts', skip: 0, take: 5 } }, () => 'ok');
      traceToolCall({ name: 'Read', id: 'c3', args: { file_path: 'src/a.ts' } }, () => 'ok');
      return cap.spans().map((span) => span.attributes);
    });
    expect(attributes.map((a) => a[FULCRUM.TOOL_KIND])).toEqual(['edit', 'read', undefined]);
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my-harness' } }] },
        scopeSpans: [{
          scope: { name: '@fulcrum/sdk' },
          spans: attributes.map((attrs, i) => ({
            traceId: '6b8efff798038103d269b633813fc60c', spanId: `00f067aa0ba902d${i}`, name: `execute_tool ${String(attrs['gen_ai.tool.name'])}`, kind: 1,
            startTimeUnixNano: `17638000${10 + i}000000000`, endTimeUnixNano: `17638000${10 + i}500000000`,
            attributes: Object.entries({ ...attrs, 'gen_ai.conversation.id': 'mapped-1' }).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: String(v) } })),
          })),
        }],
      }],
    };
    const { rows } = normaliseTraces(decodeTracesJson(body), { project: 'p' });
    finishRows(rows, {});
    // Without the declared kind, ingest (which knows only the built-in tools) stored my_edit and fetch_lines as `other`.
    expect(rows.map((r) => [r.ToolName, r.ToolKind, r.FilePath, r.LinesAdded, r.LinesRemoved])).toEqual([
      ['my_edit', 'edit', 'src/a.ts', 5, 3],
      ['fetch_lines', 'read', 'src/a.ts', 0, 0],
      ['Read', 'read', 'src/a.ts', 0, 0],
    ]);
  });

  it('leaves out unusable entries, says why, and keeps the rest', () => {
    const tools = createToolVocabulary({
      ok: { kind: 'shell', command: 'c' },
      // @ts-expect-error: not a kind
      bad: { kind: 'mutate', path: 'p' },
      // @ts-expect-error: keys are strings
      worse: { kind: 'read', path: 7 },
      odd: { by: 'op', cases: { x: { kind: 'read', limit: [''] } } },
    });
    expect(tools.rejected).toEqual([
      'tool "bad" has kind "mutate", not one of read, write, edit, delete, search, shell, patch, other',
      'tool "worse" has `path` that is not an argument name or a list of them',
      'tool "odd" case "x" has `limit` that is not an argument name or a list of them',
    ]);
    expect(['ok', 'OK', 'bad', 'worse', 'odd', 'Read'].map((n) => tools.knows(n))).toEqual([true, true, false, false, false, true]);
    expect(describeToolCall('ok', { c: 'ls' }, tools)).toEqual({ kind: 'shell', command: 'ls' });
    expect(describeToolCall('bad', { p: 'x' }, tools)).toEqual({ kind: 'other' });
  });
});

describe('a hint, once per tool name, for unmapped tools that look like file tools', () => {
  const hintsFor = (name: string) => warnings.filter((w) => w.includes(`tool "${name}"`));

  it('names the tool, what is lost and the mapping to write', () => {
    const args = { file: 'src/a.ts', before: 'x', after: 'y\nz' };
    traceToolCall({ name: 'acme_edit', args }, () => 'ok');
    eagerly(() => traceToolCall({ name: 'acme_edit', args }, () => 'ok'));
    traceToolCall({ name: 'acme_edit', args: { file: 'b.ts', before: '', after: 'q' } }, () => 'ok');
    expect(hintsFor('acme_edit')).toEqual([
      `tool "acme_edit" is not in the tool vocabulary; its arguments look like an edit, so its lines are not counted. ` +
        `Map it with startTracing({ tools: { acme_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' } } })`,
    ]);
  });

  it('for writes, reads and shell commands too', () => {
    eagerly(() => traceToolCall({ name: 'my-writer', args: { filename: 'a.txt', content: 'b' } }, () => 'ok'));
    traceToolCall({ name: 'open_doc', args: { filePath: 'README.md', offset: 3 } }, () => 'ok');
    traceToolCall({ name: 'sandbox_exec', args: { cmd: ['make', 'test'], timeout: 30 } }, () => 'ok');
    expect([...hintsFor('my-writer'), ...hintsFor('open_doc'), ...hintsFor('sandbox_exec')]).toEqual([
      `tool "my-writer" is not in the tool vocabulary; its arguments look like a file write, so its lines are not counted. ` +
        `Map it with startTracing({ tools: { 'my-writer': { kind: 'write', path: 'filename', content: 'content' } } })`,
      `tool "open_doc" is not in the tool vocabulary; its arguments look like a file read, so its file and re-reads of it are not tracked. ` +
        `Map it with startTracing({ tools: { open_doc: { kind: 'read', path: 'filePath' } } })`,
      `tool "sandbox_exec" is not in the tool vocabulary; its arguments look like a shell command, so its command is not recorded. ` +
        `Map it with startTracing({ tools: { sandbox_exec: { kind: 'shell', command: 'cmd' } } })`,
    ]);
  });

  it('not for known tools, MCP tools, mapped tools or arguments that look like no file tool', () => {
    const before = warnings.length;
    traceToolCall({ name: 'WebFetch', args: { url: 'https://x', prompt: 'p' } }, () => 'ok');
    traceToolCall({ name: 'str_replace_based_edit_tool', args: { command: 'rename', path: 'a', new_path: 'b' } }, () => 'ok');
    traceToolCall({ name: 'mcp__fs__write_file', args: { path: 'a.txt', content: 'b' } }, () => 'ok');
    traceToolCall({ name: 'lookup', args: { q: 'weather', path: 'x', mode: 'fast' } }, () => 'ok');
    withTools({ mapped_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' } }, () =>
      traceToolCall({ name: 'mapped_edit', args: { file: 'a', before: 'b', after: 'c' } }, () => 'ok'),
    );
    expect(warnings.slice(before)).toEqual([]);
  });
});

describe('ingest reads plain GenAI spans naming these tools with the same vocabulary', () => {
  /** An OTLP/JSON execute_tool span of a third-party harness (no Fulcrum SDK). */
  function toolSpan(i: number, tool: string, args: unknown) {
    const attrs = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.conversation.id': 'third-party-1', 'gen_ai.tool.call.arguments': JSON.stringify(args) };
    return {
      traceId: '6b8efff798038103d269b633813fc60c', spanId: `00f067aa0ba902c${i}`, name: `execute_tool ${tool}`, kind: 1,
      startTimeUnixNano: `17638000${10 + i}000000000`, endTimeUnixNano: `17638000${10 + i}500000000`,
      attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
    };
  }

  it('stores kind, path, read range, command, lines and edit hashes', () => {
    const calls: Array<[string, unknown]> = [
      ['str_replace_based_edit_tool', { command: 'str_replace', path: '/w/app.ts', old_str: OLD3, new_str: NEW5 }],
      ['str_replace_based_edit_tool', { command: 'create', path: '/w/new.py', file_text: 'a\nb\n' }],
      ['str_replace_editor', { command: 'view', path: '/w/app.ts', view_range: [3, 9] }],
      ['shell_command', { command: 'git status', workdir: '/w' }],
      ['read_file', { file_path: '/w/calc.py', start_line: 2, end_line: 4 }],
      ['run_command', { command: 'make' }],
    ];
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'third-party-agent' } }, { key: 'process.working_directory', value: { stringValue: '/w' } }] },
        scopeSpans: [{ scope: { name: 't' }, spans: calls.map(([tool, args], i) => toolSpan(i, tool, args)) }],
      }],
    };
    const { rows } = normaliseTraces(decodeTracesJson(body), { project: 'p' });
    finishRows(rows, {});
    expect(rows.map((r) => [r.ToolName, r.ToolKind, r.FilePath, r.ReadOffset, r.ReadLimit, r.CommandKey, r.LinesAdded, r.LinesRemoved])).toEqual([
      ['str_replace_based_edit_tool', 'edit', 'app.ts', 0, 0, '', 5, 3],
      ['str_replace_based_edit_tool', 'write', 'new.py', 0, 0, '', 2, 0],
      ['str_replace_editor', 'read', 'app.ts', 3, 7, '', 0, 0],
      ['shell_command', 'shell', '', 0, 0, 'git status', 0, 0],
      ['read_file', 'read', 'calc.py', 2, 3, '', 0, 0],
      ['run_command', 'shell', '', 0, 0, 'make', 0, 0],
    ]);
    expect([rows[0]!.EditOldHash, rows[0]!.EditNewHash]).toEqual([textHash(OLD3), textHash(NEW5)]);
  });
});
