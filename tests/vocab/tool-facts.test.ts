import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeToolCall,
  describeToolFacts,
  normaliseCommand,
  normaliseFilePath,
  textHash,
  TOOL_KINDS,
  toolFactsFromColumns,
  toolKindOf,
} from '../../packages/vocab/src/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const PATCH = ['*** Begin Patch', '*** Update File: calc.py', '@@', '-def main():', '+def sub(a, b):', '+    return a - b', '+', '+def main():', '*** End Patch', ''].join('\n');
const ADD_ONLY = ['*** Begin Patch', '*** Add File: NOTES.md', '+# Notes', '*** End Patch', ''].join('\n');

describe('normaliseFilePath', () => {
  it('spells one file one way once the working directory is known', () => {
    expect(['./src/a.ts', 'src/a.ts', '/w/src/a.ts', '/w/./src/../src/a.ts', 'file:///w/src/a.ts'].map((p) => normaliseFilePath(p, '/w'))).toEqual(
      ['src/a.ts', 'src/a.ts', 'src/a.ts', 'src/a.ts', 'src/a.ts'],
    );
  });

  it('keeps paths outside the working directory, or without one, absolute', () => {
    expect(normaliseFilePath('/etc/hosts', '/w')).toBe('/etc/hosts');
    expect(normaliseFilePath('/wx/a.ts', '/w')).toBe('/wx/a.ts');
    expect(normaliseFilePath('/w/src/a.ts')).toBe('/w/src/a.ts');
    expect(normaliseFilePath('/w/src/a.ts', 'relative/dir')).toBe('/w/src/a.ts');
  });

  it('normalises relative paths and directories without resolving them', () => {
    expect(normaliseFilePath('a/../b')).toBe('b');
    expect(normaliseFilePath('src/')).toBe('src');
    expect(normaliseFilePath('../x.ts', '/w')).toBe('../x.ts');
    expect(normaliseFilePath('/w/', '/w/')).toBe('.');
    expect(normaliseFilePath('file:///w/my%20notes.md', 'file:///w')).toBe('my notes.md');
    expect(normaliseFilePath('')).toBe('');
  });
});

describe('file paths across harnesses', () => {
  it('give a Codex patch (exec_command heredoc, apply_patch tool) and a Claude Code Read of calc.py the same path', () => {
    const viaShell = describeToolFacts('exec_command', { cmd: `apply_patch <<'EOF'\n${PATCH}EOF\n`, workdir: '/w' });
    const viaTool = describeToolFacts('apply_patch', PATCH, { cwd: '/w' });
    const viaToolJson = describeToolFacts('apply_patch', { input: PATCH }, { cwd: '/w' });
    const read = describeToolFacts('Read', { file_path: '/w/calc.py' }, { cwd: '/w' });
    expect([viaShell.filePath, viaTool.filePath, viaToolJson.filePath, read.filePath]).toEqual(['calc.py', 'calc.py', 'calc.py', 'calc.py']);
    expect([viaShell.kind, viaTool.kind, read.kind]).toEqual(['edit', 'edit', 'read']);
    expect([viaShell.linesAdded, viaShell.linesRemoved]).toEqual([4, 1]);
  });

  it('resolves a relative path against the call workdir before making it relative to the session', () => {
    const f = describeToolFacts('exec_command', { cmd: ['apply_patch', PATCH], workdir: '/w/pkg' }, { cwd: '/w' });
    expect(f.filePaths).toEqual(['pkg/calc.py']);
  });

  it("makes the Claude Code rich run's Read of calc.py relative to the entry's cwd", () => {
    const file = `${FIXTURES}/claude-code-2.1.197/all-details-traces-json/transcripts/projects/-home-developer1-workdir-rich/73732c52-38e1-4da5-b45e-39170c330c7b.jsonl`;
    const uses = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { cwd?: string; message?: { content?: unknown } })
      .flatMap((d) => (Array.isArray(d.message?.content) ? d.message.content : []).filter((b: { type?: string }) => b.type === 'tool_use').map((b: { name: string; input: unknown }) => ({ ...b, cwd: d.cwd })));
    const facts = uses.map((u) => describeToolFacts(u.name, u.input, { cwd: u.cwd }));
    expect(uses[0]!.cwd).toBe('/home/developer1/workdir-rich');
    expect(facts.map((f) => [f.kind, f.filePath])).toEqual([
      ['read', 'calc.py'], ['search', '.'], ['read', 'calc.py'], ['search', 'calc.py'], ['edit', 'calc.py'], ['write', 'NOTES.md'],
      ['shell', ''], ['mcp', ''], ['skill', ''], ['agent', ''], ['read', 'does_not_exist.py'],
    ]);
  });
});

describe('toolKindOf', () => {
  const kind = (name: string, args: unknown = {}) => describeToolFacts(name, args).kind;

  it('classifies Claude Code tools', () => {
    expect([
      kind('Read', { file_path: 'a' }), kind('Edit', { file_path: 'a', old_string: 'x', new_string: 'y' }),
      kind('MultiEdit', { file_path: 'a', edits: [] }), kind('Write', { file_path: 'a', content: 'x' }),
      kind('Grep', { pattern: 'x' }), kind('Glob', { pattern: '*.ts' }), kind('Bash', { command: 'rm -f x' }),
      kind('Bash', { command: 'grep -rn foo .' }), kind('mcp__demo__lookup', { query: 'calc' }), kind('Skill', { skill: 'demo-skill' }),
      kind('Task', { subagent_type: 'general-purpose' }), kind('WebFetch', { url: 'https://example.com' }),
    ]).toEqual(['read', 'edit', 'edit', 'write', 'search', 'search', 'delete', 'search', 'mcp', 'skill', 'agent', 'other']);
  });

  it('classifies Codex tools', () => {
    expect([kind('exec_command', { cmd: 'cat calc.py' }), kind('apply_patch', PATCH), kind('apply_patch', ADD_ONLY), kind('exec_command', { cmd: 'git rm old.py' })])
      .toEqual(['read', 'edit', 'write', 'delete']);
  });

  it('classifies Gemini CLI tools', () => {
    expect([
      kind('read_file', { file_path: 'a' }), kind('replace', { file_path: 'a', old_string: 'x', new_string: 'y' }), kind('write_file', { file_path: 'a', content: 'x' }),
      kind('run_shell_command', { command: 'ls' }), kind('grep_search', { pattern: 'x' }), kind('search_file_content', { pattern: 'x' }),
      kind('glob', { pattern: '*.py' }), kind('list_directory', { dir_path: '.' }), kind('activate_skill', { name: 'skill-creator' }), kind('mcp_tool'),
    ]).toEqual(['read', 'edit', 'write', 'shell', 'search', 'search', 'search', 'search', 'skill', 'mcp']);
  });

  it('knows delete tools and compares names case-insensitively', () => {
    expect(describeToolFacts('delete_file', { path: '/w/old.py' }, { cwd: '/w' })).toMatchObject({ kind: 'delete', filePath: 'old.py' });
    expect([toolKindOf('remove_file'), toolKindOf('DELETE'), toolKindOf('SKILL'), toolKindOf('task'), toolKindOf('Bash', { command: '  rm  -rf build' })])
      .toEqual(['delete', 'delete', 'skill', 'agent', 'delete']);
    expect(TOOL_KINDS).toEqual(['read', 'edit', 'write', 'delete', 'search', 'shell', 'mcp', 'skill', 'agent', 'other']);
  });

  it('leaves describeToolCall working, its kind widened', () => {
    expect(describeToolCall('Read', { file_path: '/w/a.ts', offset: 3 })).toEqual({ kind: 'read', filePath: '/w/a.ts', readOffset: 3, readLimit: 0 });
    expect(describeToolCall('delete_file', { path: 'x' })).toEqual({ kind: 'delete', filePath: 'x' });
  });
});

describe('command and search keys', () => {
  it('are equal across whitespace differences', () => {
    const a = describeToolFacts('Bash', { command: 'npm   test -- --run\n' });
    const b = describeToolFacts('exec_command', { cmd: ['bash', '-lc', ' npm test\t-- --run'] });
    expect(a.commandKey).toBe('npm test -- --run');
    expect(b.commandKey).toBe(a.commandKey);
    expect(normaliseCommand('\tgit  status \n')).toBe('git status');
  });

  it('identify a search by pattern and normalised path, whichever harness ran it', () => {
    const claude = describeToolFacts('Grep', { pattern: 'def ', path: '/w' }, { cwd: '/w' });
    const gemini = describeToolFacts('grep_search', { pattern: 'def ', dir_path: '/w' }, { cwd: '/w' });
    expect(claude.searchKey).toBe('search\u0000def \u0000.');
    expect(gemini.searchKey).toBe(claude.searchKey);
    expect(describeToolFacts('Glob', { pattern: '**/*.py' }).searchKey).toBe('search\u0000**/*.py\u0000.');
    expect(describeToolFacts('Grep', { pattern: 'x', path: '/w/src/' }, { cwd: '/w' }).searchKey).toBe('search\u0000x\u0000src');
  });

  it('identify read-only shell scans by their command, and nothing else', () => {
    // grep and cat alone are searches and reads now (see shell-semantics.test.ts); compound scans keep the command as identity.
    expect(describeToolFacts('Bash', { command: 'grep  -rn foo . | wc -l' }).searchKey).toBe('sh\u0000grep -rn foo . | wc -l');
    expect(describeToolFacts('exec_command', { cmd: 'ls  -la /w' }).searchKey).toBe('sh\u0000ls -la /w');
    expect(describeToolFacts('exec_command', { cmd: 'cat /w/calc.py' }).searchKey).toBe('');
    expect(describeToolFacts('Bash', { command: 'npm test' }).searchKey).toBe('');
    expect(describeToolFacts('Read', { file_path: 'a' }).searchKey).toBe('');
    // Claude Code's default privacy: a Grep with no arguments has no identity.
    expect(describeToolFacts('Grep', undefined).searchKey).toBe('');
  });
});

describe('edit hashes', () => {
  it('swap for a revert (A→B then B→A)', () => {
    const forth = describeToolFacts('Edit', { file_path: 'a.py', old_string: 'def main():', new_string: 'def run():' });
    const back = describeToolFacts('replace', { file_path: 'a.py', old_string: 'def run():', new_string: 'def main():' });
    expect(forth.editOldHash).toBe(textHash('def main():'));
    expect(forth.editOldHash).toBe('65b414a74c147117');
    expect([back.editOldHash, back.editNewHash]).toEqual([forth.editNewHash, forth.editOldHash]);
    expect(forth.editOldHash).not.toBe(forth.editNewHash);
  });

  it('join a multi-edit with NUL and a patch by lines', () => {
    const multi = describeToolFacts('MultiEdit', { file_path: 'a', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] });
    expect([multi.editOldHash, multi.editNewHash]).toEqual([textHash('a\u0000c'), textHash('b\u0000d')]);
    const patch = describeToolFacts('apply_patch', PATCH);
    expect([patch.editOldHash, patch.editNewHash]).toEqual([textHash('def main():'), textHash('def sub(a, b):\n    return a - b\n\ndef main():')]);
    // The heredoc form of the same patch hashes the same.
    const viaShell = describeToolFacts('exec_command', { cmd: `apply_patch <<'EOF'\n${PATCH}EOF\n` });
    expect([viaShell.editOldHash, viaShell.editNewHash]).toEqual([patch.editOldHash, patch.editNewHash]);
  });

  it('are empty for other kinds and for edits without text', () => {
    expect(describeToolFacts('Write', { file_path: 'a', content: 'x' }).editNewHash).toBe('');
    expect(describeToolFacts('apply_patch', ADD_ONLY).editNewHash).toBe('');
    expect(describeToolFacts('Edit', {}).editOldHash).toBe('');
  });
});

describe('toolFactsFromColumns (a span without arguments)', () => {
  it('decides kind, keys and path from the name and columns', () => {
    expect(toolFactsFromColumns({ toolName: 'Read', filePath: '/w/./src/../calc.py' }, { cwd: '/w' })).toEqual({
      kind: 'read', filePath: 'calc.py', filePaths: ['calc.py'], readOffset: 0, readLimit: 0, command: '', commandKey: '', searchPattern: '',
      searchKey: '', editOldHash: '', editNewHash: '', linesAdded: 0, linesRemoved: 0, vcsAction: '', inputSize: 0,
    });
    expect(toolFactsFromColumns({ toolName: 'Bash', command: 'rm  -rf build' })).toMatchObject({ kind: 'delete', commandKey: 'rm -rf build', searchKey: '' });
    expect(toolFactsFromColumns({ toolName: 'Bash', command: ' cat   a.txt | wc -l' }).searchKey).toBe('sh\u0000cat a.txt | wc -l');
    expect(toolFactsFromColumns({ toolName: 'Grep', searchPattern: 'def ', filePath: '/w' }, { cwd: '/w' }).searchKey)
      .toBe(describeToolFacts('Grep', { pattern: 'def ', path: '/w' }, { cwd: '/w' }).searchKey);
    expect(toolFactsFromColumns({ toolName: 'mcp_tool' }).kind).toBe('mcp');
    expect(toolFactsFromColumns({ toolName: 'Edit' }).kind).toBe('edit');
  });
});

describe('inputSize', () => {
  it('counts UTF-8 bytes of the canonical arguments, or of a raw string', () => {
    // {"file_path":"é"}: 17 characters, é is 2 bytes.
    expect(describeToolFacts('Read', { file_path: 'é' }).inputSize).toBe(18);
    expect(describeToolFacts('Read', { offset: 1, file_path: 'a' }).inputSize).toBe(Buffer.byteLength('{"file_path":"a","offset":1}'));
    expect(describeToolFacts('apply_patch', PATCH).inputSize).toBe(Buffer.byteLength(PATCH));
    expect(describeToolFacts('Read', undefined).inputSize).toBe(0);
  });
});
