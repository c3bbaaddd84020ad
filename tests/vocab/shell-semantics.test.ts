import { describe, expect, it } from 'vitest';
import { changesNothing, describeToolCall, describeToolFacts, normaliseCommand, textHash, toolFactsFromColumns, type ToolFacts } from '../../packages/vocab/src/index.js';

const W = '/home/developer1/workdir';

/** The same command line as each harness sends it, with the session's working directory W. */
const HARNESSES: Array<[string, (command: string) => ToolFacts]> = [
  ['Claude Code Bash', (command) => describeToolFacts('Bash', { command, description: 'run it' }, { cwd: W })],
  ['Codex exec_command', (cmd) => describeToolFacts('exec_command', { cmd, workdir: W })],
  ['Codex shell (array)', (command) => describeToolFacts('shell', { command: ['bash', '-lc', command], workdir: W })],
  ['Gemini run_shell_command', (command) => describeToolFacts('run_shell_command', { command, description: 'run it' }, { cwd: W })],
];

const eachHarness = (fn: (harness: string, facts: (command: string) => ToolFacts) => void) => {
  for (const [harness, facts] of HARNESSES) fn(harness, facts);
};

describe('shell reads', () => {
  // [command, files read, readOffset, readLimit]
  const READS: Array<[string, string[], number, number]> = [
    ['cat calc.py', ['calc.py'], 0, 0],
    [`cat ${W}/calc.py`, ['calc.py'], 0, 0],
    ['cat -n a.py  b.py', ['a.py', 'b.py'], 0, 0],
    ['head -n 20 calc.py', ['calc.py'], 1, 20],
    ['head -20 calc.py', ['calc.py'], 1, 20],
    ['head calc.py', ['calc.py'], 1, 10],
    ["sed -n '5,40p' calc.py", ['calc.py'], 5, 36],
    ['sed -n 7p calc.py', ['calc.py'], 7, 1],
    ["sed -n '10,$p' calc.py", ['calc.py'], 10, 0],
    ['tail -n 30 calc.py', ['calc.py'], 0, 0],
    ['tail -n +5 calc.py', ['calc.py'], 5, 0],
    ['nl -ba calc.py', ['calc.py'], 0, 0],
    ['less calc.py', ['calc.py'], 0, 0],
    ['cd src && cat a.py', ['src/a.py'], 0, 0],
    [`cd ${W}/src && head -n 5 a.py`, ['src/a.py'], 1, 5],
    ["bash -lc 'cat calc.py'", ['calc.py'], 0, 0],
    [`sh -c "sed -n '1,5p' calc.py"`, ['calc.py'], 1, 5],
    // A trailing line window keeps the read, claimed whole (no range).
    ['cat calc.py | head -n 5', ['calc.py'], 0, 0],
    ['head -n 50 calc.py | head -5', ['calc.py'], 0, 0],
    ["nl -ba calc.py | sed -n '1,200p'", ['calc.py'], 0, 0],
    ['cat calc.py 2>/dev/null', ['calc.py'], 0, 0],
  ];

  eachHarness((harness, facts) => {
    it.each(READS)(`${harness}: %j reads %j`, (command, files, offset, limit) => {
      const f = facts(command);
      expect([f.kind, f.filePaths, f.filePath, f.readOffset, f.readLimit]).toEqual(['read', files, files[0], offset, limit]);
      expect(f.commandKey).toBe(normaliseCommand(command));
      expect([f.searchKey, f.vcsAction]).toEqual(['', '']);
    });
  });

  // Anything else compound, writing, or not naming a file stays a shell command.
  const NOT_READS = [
    'cat calc.py | grep def',
    'cat calc.py; ls',
    'cat calc.py || true',
    'cat calc.py &',
    'cat calc.py && echo done',
    'cat calc.py > out.txt',
    'cat calc.py >> out.txt',
    "cat > notes.md <<'EOF'\n# Notes\nEOF\n",
    "sed -i 's/a/b/' calc.py",
    "sed -ni '1,5p' calc.py",
    "sed 's/a/b/' calc.py",
    "sed -n 's/a/b/p' calc.py",
    "sed -n '1,5p' a.py b.py",
    'head -c 100 calc.py',
    'tail -f app.log',
    'cat',
    'cat -',
    'cat $FILE',
    'cat "$(ls | head -1)"',
    'cat src/*.py',
    'cat ~/.bashrc',
    '(cd src && cat a.py)',
    'cd src && cat a.py | wc -l',
    'echo cat calc.py',
    "cat 'unterminated",
    'ls -la',
    'python3 calc.py',
    'npm test',
  ];

  eachHarness((harness, facts) => {
    it.each(NOT_READS)(`${harness}: %j stays shell`, (command) => {
      const f = facts(command);
      expect([f.kind, f.filePaths, f.readOffset, f.readLimit, f.searchPattern]).toEqual(['shell', [], 0, 0, '']);
      expect(f.commandKey).toBe(normaliseCommand(command));
    });
  });

  it('keeps the command on a read, and decides the same from columns alone', () => {
    expect(describeToolCall('Bash', { command: "sed -n '5,40p' calc.py" })).toEqual({
      kind: 'read', filePath: 'calc.py', readOffset: 5, readLimit: 36, command: "sed -n '5,40p' calc.py",
    });
    expect(toolFactsFromColumns({ toolName: 'exec_command', command: `sed -n '5,40p' ${W}/calc.py` }, { cwd: W })).toMatchObject({
      kind: 'read', filePath: 'calc.py', filePaths: ['calc.py'], readOffset: 5, readLimit: 36, searchKey: '',
    });
  });

  it("resolves a read against the call's own workdir", () => {
    expect(describeToolFacts('exec_command', { cmd: 'cat calc.py', workdir: `${W}/pkg` }, { cwd: W }).filePaths).toEqual(['pkg/calc.py']);
  });
});

describe('shell searches', () => {
  // [command, searchPattern, paths searched]
  const SEARCHES: Array<[string, string, string[]]> = [
    ["grep -rn 'def ' .", 'def ', ['.']],
    [`grep -rn 'def ' ${W}`, 'def ', ['.']],
    ['grep -rn def', 'def', ['.']],
    ["grep -c '^def ' calc.py", '^def ', ['calc.py']],
    ['grep -rn -e foo -e bar src', 'foo\nbar', ['src']],
    ['egrep -r "a|b" src', 'a|b', ['src']],
    ["rg -n 'TODO' src tests", 'TODO', ['src', 'tests']],
    ['rg --files', '', ['.']],
    ["rg -g '*.ts' useState", 'useState', ['.']],
    ["find . -name '*.py'", '*.py', ['.']],
    ['find src -type f -newer a.py', '-type f -newer a.py', ['src']],
    ['find / -name calc.py 2>/dev/null', 'calc.py', ['/']],
    ['ls -R', '', ['.']],
    ['ls -laR src', '', ['src']],
    ["git grep -n 'def ' -- src", 'def ', ['src']],
    ['git grep TODO', 'TODO', ['.']],
    ['cd src && grep -rn foo .', 'foo', ['src']],
    ['grep -rn foo . | head -n 20', 'foo', ['.']],
    ["bash -lc \"grep -rn 'def ' .\"", 'def ', ['.']],
  ];

  eachHarness((harness, facts) => {
    it.each(SEARCHES)(`${harness}: %j searches %j in %j`, (command, pattern, paths) => {
      const f = facts(command);
      expect([f.kind, f.searchPattern, f.filePaths, f.filePath]).toEqual(['search', pattern, paths, paths[0]]);
      expect(f.searchKey.startsWith(`search\u0000${pattern}\u0000`)).toBe(true);
      expect(f.vcsAction).toBe('');
    });
  });

  const NOT_SEARCHES = [
    'grep foo',
    'cat log.txt | grep foo',
    'grep -rn foo . | wc -l',
    'grep -f patterns.txt src',
    'rg foo > hits.txt',
    "find . -name '*.pyc' -delete",
    "find . -name '*.py' -exec wc -l {} +",
    'ls -la src',
    'ls',
    'grep -rn $PATTERN .',
  ];

  eachHarness((harness, facts) => {
    it.each(NOT_SEARCHES)(`${harness}: %j stays shell`, (command) => {
      const f = facts(command);
      expect([f.kind, f.searchPattern, f.filePaths]).toEqual(['shell', '', []]);
    });
  });

  it('give one search one identity, whichever harness ran it and however it is quoted or spaced', () => {
    const keys = [
      describeToolFacts('Bash', { command: "grep -rn 'def ' .", description: 'd' }, { cwd: W }).searchKey,
      describeToolFacts('Bash', { command: "grep -rn 'def ' .", description: 'again' }, { cwd: W }).searchKey,
      describeToolFacts('exec_command', { cmd: 'grep  -rn "def " .', workdir: W }).searchKey,
      describeToolFacts('shell', { command: ['bash', '-lc', "grep -nr 'def ' ."], workdir: W }).searchKey,
      describeToolFacts('run_shell_command', { command: `grep -r -n 'def ' ${W}`, description: 'd' }, { cwd: W }).searchKey,
      describeToolFacts('exec_command', { cmd: "cd /home/developer1 && grep -rn 'def ' workdir", workdir: '/tmp' }, { cwd: W }).searchKey,
      toolFactsFromColumns({ toolName: 'Bash', command: "grep -rn 'def ' ." }, { cwd: W }).searchKey,
    ];
    expect(new Set(keys)).toEqual(new Set(['search\u0000def \u0000.\u0000grep -n -r']));
  });

  it('tell searches apart by pattern, path, flags and program', () => {
    const key = (command: string) => describeToolFacts('exec_command', { cmd: command, workdir: W }).searchKey;
    const keys = [
      "grep -rn 'def ' .", "grep -rn 'class ' .", "grep -rn 'def ' src", "grep -rni 'def ' .", "rg -n 'def ' .", "git grep -n 'def '",
      "grep -rn 'def ' src tests", "find . -name '*.py'", "find . -name '*.ts'", "find src -name '*.py'", "find . -name '*.py' -type f", 'ls -R', 'ls -R src',
    ].map(key);
    expect(keys.every((k) => k.startsWith('search\u0000'))).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    // A Grep tool's search is keyed without a variant: a shell grep never claims the tool's semantics.
    expect(describeToolFacts('Grep', { pattern: 'def ', path: W }, { cwd: W }).searchKey).toBe('search\u0000def \u0000.');
  });
});

const PATCH = ['*** Begin Patch', '*** Update File: calc.py', '@@ def add(a, b):', '-def main():', '+def sub(a, b):', '+    return a - b', '+', '+def main():', '*** End Patch', ''].join('\n');
const OLD = 'def main():';
const NEW = 'def sub(a, b):\n    return a - b\n\ndef main():';
const MULTI = [
  '*** Begin Patch', '*** Update File: a.py', '@@', ' keep', '-x = 1', '-y = 2', '+x = 3', '*** Add File: b.py', '+print(1)', '+print(2)',
  '*** Delete File: c.py', '*** Update File: old.py', '*** Move to: new.py', '@@', '--- a SQL comment', '+-- a SQL comment, kept', '*** End Patch',
].join('\n');

describe('apply_patch', () => {
  // [how it was sent, tool name, arguments, cwd option]
  const FORMS: Array<[string, string, unknown, string | undefined]> = [
    ['Codex apply_patch, raw text', 'apply_patch', PATCH, W],
    ['Codex apply_patch, {input}', 'apply_patch', { input: PATCH }, W],
    ['Codex apply_patch, {patch}', 'apply_patch', { patch: PATCH }, W],
    ["exec_command heredoc <<'EOF'", 'exec_command', { cmd: `apply_patch <<'EOF'\n${PATCH}EOF\n`, workdir: W }, undefined],
    ['exec_command heredoc <<PATCH', 'exec_command', { cmd: `apply_patch <<PATCH\n${PATCH}PATCH`, workdir: W }, undefined],
    ['exec_command after cd', 'exec_command', { cmd: `cd ${W} && apply_patch <<'EOF'\n${PATCH}EOF\n`, workdir: '/tmp' }, W],
    ['legacy shell array', 'shell', { command: ['apply_patch', PATCH], workdir: W }, undefined],
    ['legacy shell bash -lc heredoc', 'shell', { command: ['bash', '-lc', `apply_patch <<'EOF'\n${PATCH}EOF`], workdir: W }, undefined],
    ['Claude Code Bash heredoc', 'Bash', { command: `apply_patch <<'EOF'\n${PATCH}EOF\n`, description: 'patch' }, W],
  ];

  it.each(FORMS)('%s: edits calc.py, 4 lines added and 1 removed, with edit hashes', (_how, name, args, cwd) => {
    const f = describeToolFacts(name, args, { cwd });
    expect([f.kind, f.filePaths, f.linesAdded, f.linesRemoved]).toEqual(['edit', ['calc.py'], 4, 1]);
    expect([f.editOldHash, f.editNewHash]).toEqual([textHash(OLD), textHash(NEW)]);
    expect(f.vcsAction).toBe('');
  });

  it('names every file a patch touches (a move names both), counting +/- lines only', () => {
    const viaTool = describeToolFacts('apply_patch', MULTI);
    expect([viaTool.kind, viaTool.filePaths, viaTool.linesAdded, viaTool.linesRemoved]).toEqual(['edit', ['a.py', 'b.py', 'c.py', 'old.py', 'new.py'], 4, 3]);
    expect([viaTool.editOldHash, viaTool.editNewHash]).toEqual([textHash('x = 1\ny = 2\n-- a SQL comment'), textHash('x = 3\nprint(1)\nprint(2)\n-- a SQL comment, kept')]);
    const viaShell = describeToolFacts('exec_command', { cmd: `cd pkg && apply_patch <<'EOF'\n${MULTI}\nEOF\n`, workdir: W });
    expect(viaShell.filePaths).toEqual(['pkg/a.py', 'pkg/b.py', 'pkg/c.py', 'pkg/old.py', 'pkg/new.py']);
    expect([viaShell.linesAdded, viaShell.linesRemoved, viaShell.editOldHash, viaShell.editNewHash]).toEqual([4, 3, viaTool.editOldHash, viaTool.editNewHash]);
  });

  it('is a write when it only adds files, a delete when it only deletes them', () => {
    const add = describeToolFacts('apply_patch', '*** Begin Patch\n*** Add File: NOTES.md\n+# Notes\n+\n+hello\n*** End Patch');
    expect([add.kind, add.filePaths, add.linesAdded, add.linesRemoved]).toEqual(['write', ['NOTES.md'], 3, 0]);
    const del = describeToolFacts('exec_command', { cmd: "apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: old.py\n*** Delete File: older.py\n*** End Patch\nEOF\n", workdir: W });
    expect([del.kind, del.filePaths, del.linesAdded, del.linesRemoved]).toEqual(['delete', ['old.py', 'older.py'], 0, 0]);
  });

  it('is no patch when the heredoc feeds another program or the body is no patch', () => {
    expect(describeToolFacts('exec_command', { cmd: `cat <<'EOF'\n${PATCH}EOF\n`, workdir: W }).kind).toBe('shell');
    expect(describeToolFacts('exec_command', { cmd: "apply_patch <<'EOF'\nnot a patch\nEOF\n", workdir: W }).kind).toBe('shell');
  });
});

describe('vcsAction', () => {
  const VCS: Array<[string, 'commit' | 'push' | '']> = [
    ["git add -A && git commit -m 'Add sub() and notes'", 'commit'],
    ['git commit -am "wip"', 'commit'],
    ['git -C repo commit -m x', 'commit'],
    [`git commit -m "$(cat <<'EOF'\nFix (the) parser, don't panic\n\nCo-Authored-By: x\nEOF\n)"`, 'commit'],
    ['GIT_AUTHOR_NAME=bot git commit -m x', 'commit'],
    ['cd repo && git push origin main', 'push'],
    ['git push -u origin HEAD', 'push'],
    ['git commit -m x && git push', 'push'],
    ["bash -lc 'git push'", 'push'],
    ['git status', ''],
    ['git log --grep commit', ''],
    ["echo 'git commit -m x'", ''],
    ['git push --dry-run', ''],
    ['git push -n', ''],
    ['git commit --dry-run', ''],
    ['git commit-tree HEAD^{tree}', ''],
    ['npm test', ''],
  ];

  eachHarness((harness, facts) => {
    it.each(VCS)(`${harness}: %j → %j`, (command, action) => {
      const f = facts(command);
      expect([f.vcsAction, f.kind]).toEqual([action, 'shell']);
    });
  });

  it('comes from the command alone for a span without arguments, and is empty for other tools', () => {
    expect(toolFactsFromColumns({ toolName: 'Bash', command: 'git add . && git commit -m x' }).vcsAction).toBe('commit');
    expect(toolFactsFromColumns({ toolName: 'run_shell_command', command: 'cd x && git push' }).vcsAction).toBe('push');
    expect(toolFactsFromColumns({ toolName: 'Bash' }).vcsAction).toBe('');
    expect(describeToolFacts('Read', { file_path: 'a' }).vcsAction).toBe('');
    expect(describeToolFacts('apply_patch', PATCH).vcsAction).toBe('');
  });
});

describe('changesNothing: shell commands a retry or a re-read may cross', () => {
  it.each([
    ['ls -la', true], ['git status', true], ['npm test', true], ['npm test -- --shard 3', true], ['npx vitest run', true], ['pytest -x tests', true],
    ['go test ./...', true], ['curl -s localhost:3000/health', true],
    ['npm run format', false], ['npx vitest run -u', false], ['jest --updateSnapshot', false], ['curl -o out.html http://x', false],
    ['npm test && rm -rf src', false], ['ls > files.txt', false], ['env FOO=1 rm -rf x', false], ['python3 run_checks.py', false], ['', false],
  ])('%s → %s', (command, expected) => {
    expect(changesNothing(command)).toBe(expected);
  });
});
