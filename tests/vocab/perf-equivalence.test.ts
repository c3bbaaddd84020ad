/**
 * The per-tool-call overhead work (faster canonical JSON, a cheaper redaction
 * prefilter, a shell lexer reading char codes and parsing once, cached tool
 * lookups) must not change one output. Each property holds the new code to the
 * old implementation, kept verbatim in tests/vocab/equivalence-old-*.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  argsHash,
  BUILT_IN_TOOLS,
  createRedactor,
  createToolVocabulary,
  describeShellCommand,
  describeToolCall,
  parseShell,
  redact,
  stableStringify,
  vcsActionOf,
  type ToolMappings,
} from '../../packages/vocab/src/index.js';
import { editTextsOf } from '../../packages/vocab/src/tools.js';
import { FAKE_SECRETS, PEM, SECRET_CARRIERS } from '../sdk/secrets.js';
import * as oldCanonical from './equivalence-old-canonical.js';
import * as oldRedact from './equivalence-old-redact.js';
import * as oldShell from './equivalence-old-shell.js';
import * as oldDescriptors from './equivalence-old-tool-descriptors.js';
import * as oldTools from './equivalence-old-tools.js';

/** What f returns, or that it threw: both implementations must agree on either. */
function outcome<T>(f: () => T): { value: T } | { threw: true } {
  try {
    return { value: f() };
  } catch {
    return { threw: true };
  }
}

const RUNS = 2000;

describe('stableStringify equals the old implementation', () => {
  const same = (v: unknown) => expect(outcome(() => stableStringify(v))).toEqual(outcome(() => oldCanonical.stableStringify(v)));

  it('for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => { same(v); }), { numRuns: RUNS });
  });

  it('for anything: bigints, boxed values, Dates, Maps, Sets, null prototypes, sparse and typed arrays', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(fc.property(anything, (v) => { same(v); }), { numRuns: RUNS });
  });

  it('for objects with awkward keys and strings (digits, escapes, lone surrogates, __proto__)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '10', '2', '01', '-1', '1.5', 'a', 'B', '__proto__', 'toJSON', '\u0000', '"', '\\', '\ud800', 'é', 'z'));
    const leaf = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt());
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(fc.property(tree, (v) => { same(v); }), { numRuns: RUNS });
  });

  it('for cycles, toJSON, functions, symbols, class instances and deep nesting', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    class WithToJSON {
      b = 1;
      a = 2;
      toJSON(): string {
        return 'custom';
      }
    }
    const cyclic: Record<string, unknown> = { b: 1, a: [] };
    (cyclic.a as unknown[]).push(cyclic, { self: cyclic });
    const sortedCyclic: Record<string, unknown> = { a: 1 };
    sortedCyclic.b = sortedCyclic;
    const dateWithOwnToJSON = Object.assign(new Date(0), { toJSON: () => 'mine' });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 30; i++) deep = { a: i, z: deep };
    let deepSorted: unknown = 'leaf';
    for (let i = 0; i < 30; i++) deepSorted = { a: deepSorted };
    const values: unknown[] = [
      cyclic,
      sortedCyclic,
      [sortedCyclic, sortedCyclic],
      { a: dateWithOwnToJSON },
      { b: dateWithOwnToJSON, a: 1 },
      dateWithOwnToJSON,
      new Date(Number.NaN),
      { a: new Number(5) },
      { b: new Number(5), a: 1 },
      new Number(5),
      new Boolean(false),
      new String('ab'),
      new String(''),
      { a: Object(1n) },
      { a: () => 1, b: Symbol('s'), c: undefined },
      [() => 1, Symbol('s'), undefined, , 1],
      () => 1,
      Symbol('top'),
      undefined,
      new Point(1, 2),
      { p: new Point(1, 2) },
      new WithToJSON(),
      { a: new WithToJSON() },
      { toJSON: () => 'x', a: 1 },
      { a: { toJSON: () => 'x' } },
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      Object.assign(Object.create(null), { b: 1, a: { d: 1, c: 2 } }),
      deep,
      deepSorted,
      { n: -0, inf: Infinity, nan: Number.NaN, big: 10n },
      new Map([['a', 1]]),
      new Uint8Array([1, 2]),
    ];
    for (const v of values) same(v);
  });

  it('hashes the same text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => argsHash(s) === oldCanonical.argsHash(s)), { numRuns: 500 });
  });
});

/** Pieces of text near every default hint: the hints themselves, near misses, cases, separators, secrets. */
const FRAGMENTS = [
  '-----BEGIN ', '-----BEGIN RSA PRIVATE KEY-----', 'PRIVATE KEY-----', '----BEGIN', 'sk-', 'sk-ant-', 'sk-proj-', 'sk', 'AKIA', 'ASIA', 'AIza', 'AKIb', 'A', 'KIA',
  'ghp_', 'gho_', 'ghx_', 'gh', 'github_pat_', 'xoxb-', 'xoxz-', 'xox', 'hooks.slack.com', 'hooks.slack', 'eyJ', 'ey', 'J', 'Bearer', 'bearer', 'BEARER', 'Basic',
  'basic', 'BASIC', 'earer', 'asic', '://', ':/', 'https://', '-u', '-u ', '-u=', '--user', '--user=', '--user ', ' -u ', 'token', 'TOKEN', 'Token', 'tok', 'secret',
  'SECRET', 'SeCrEt', 'passwd', 'password', 'PASSWORD', 'passw', 'pass', 'api_key', 'api-key', 'apikey', 'API_KEY', 'ApiKey', 'access_key', 'accesskey', 'private_key',
  'session_key', 'sessionkey', 'session', 'key', 'KEY', 'credential', 'credentials', 'auth', 'AUTH', 'authorization', 'Authorization:', 'signature', 'aws_secret_access_key',
  '--password', '--token', '--api-key', '--secret', '-password', '=', ':', ': ', '"', "'", '\\"', '\\', '@', '/', '\n', '\t', ' ', ',', ';', '&', '|', ')', '}', ']',
  'hunter2pass', 'abcdefghijklmnopqrstuvwxyz012345', 'x1Y2z3x1Y2z3x1Y2z3x1Y2z3x1Y2z3x1Y2z3', '0123456789abcdef', '[REDACTED:secret]', '[REDACTED', 'ſ', 'K', 'ı', 'İ',
  ...Object.values(FAKE_SECRETS),
];

/** Text made of those pieces and random strings, letters' case flipped at random. */
const secretish = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 14 }), fc.array(fc.boolean(), { maxLength: 64 }))
  .map(([parts, flips]) => {
    const s = parts.join('');
    return flips.some(Boolean) ? [...s].map((c, i) => (flips[i % flips.length] ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('') : s;
  });

describe('redaction equals the old implementation', () => {
  const extra = [/ACME-\d{6}/, { pattern: /[0-9a-f]{16}/g, kind: 'hex' }];
  const pairs: Array<[string, (s: string) => string, (s: string) => string]> = [
    ['redact', redact, oldRedact.redact],
    ['a fresh default redactor', createRedactor(), oldRedact.createRedactor()],
    ['extra patterns', createRedactor({ extraPatterns: extra }), oldRedact.createRedactor({ extraPatterns: extra })],
    ['defaults disabled', createRedactor({ disableDefaults: true, extraPatterns: extra }), oldRedact.createRedactor({ disableDefaults: true, extraPatterns: extra })],
    ['no patterns at all', createRedactor({ disableDefaults: true }), oldRedact.createRedactor({ disableDefaults: true })],
    ['cached', createRedactor({ cacheSize: 8 }), oldRedact.createRedactor({ cacheSize: 8 })],
  ];

  it.each(pairs)('%s: for text made of hints, near misses and secrets', (_name, now, before) => {
    fc.assert(
      fc.property(secretish, (s) => {
        expect(now(s)).toBe(before(s));
        const json = JSON.stringify({ s, nested: JSON.stringify({ s }) });
        expect(now(json)).toBe(before(json));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(pairs)('%s: for any string', (_name, now, before) => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => now(s) === before(s)), { numRuns: RUNS });
  });

  it('for every carrier of a known secret, a PEM block and each fragment alone', () => {
    const texts = [...SECRET_CARRIERS.map(([text]) => text), PEM, `x ${PEM} y`, ...FRAGMENTS, ...FRAGMENTS.map((f) => `0123456789${f}0123456789`)];
    for (const t of texts) expect(redact(t), t).toBe(oldRedact.redact(t));
  });
});

/** Command lines made of shell-significant pieces: quotes, escapes, operators, heredocs, expansions, odd spaces. */
const SHELL_PIECES = [
  ' ', '  ', '\t', '\n', '\\', '\\\n', "'", '"', '$', '$x', '${x}', '$(', '$(ls)', '`', '`pwd`', '(', ')', '|', '||', '|&', '&', '&&', ';', ';;', '<', '>', '>>', '2>',
  '2>/dev/null', '2>&1', '<<EOF\n', '<<-EOF\n', "<<'EOF'\n", '\nEOF\n', '\tEOF\n', '<<<', '#', '# c\n', '*', '?', '[', '{', '}', '~', '~/x', '=', '-', '--', '-n', '-20',
  '-e', '-r', '-R', '--files', '-exec', '-name', '0', '12', 'cat', 'head', 'tail', 'sed', 'nl', 'less', 'grep', 'rg', 'git', 'grep', 'find', 'ls', 'cd', 'src', 'a.py',
  'bash', '-lc', 'sh', '-c', 'apply_patch', '*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n', "'5,40p'", '5p', 'commit', 'push', '--dry-run', 'x=1', '\u00a0',
  '\u2028', '\ufeff', '\u3000', '\u000b', '\u000c', '\r', 'é', '\ud83d\ude00', '\ud800',
];
const commandLine = fc.array(fc.oneof(fc.constantFrom(...SHELL_PIECES), fc.string({ maxLength: 3 })), { maxLength: 16 }).map((parts) => parts.join(''));

describe('shell parsing equals the old implementation', () => {
  const same = (c: string) => {
    expect(parseShell(c), c).toEqual(oldShell.parseShell(c));
    expect(describeShellCommand(c), c).toEqual(oldShell.describeShellCommand(c));
    expect(vcsActionOf(c), c).toBe(oldShell.vcsActionOf(c));
  };

  it('for command lines made of shell-significant pieces', () => {
    fc.assert(fc.property(commandLine, (c) => { same(c); }), { numRuns: RUNS * 2 });
  });

  it('for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (c) => { same(c); }), { numRuns: RUNS });
  });

  it('for lines whose first word decides early that they mean nothing, and those that only look so', () => {
    const lines = [
      'npm test -- --run', '2>/dev/null cat a.py', '2>&1 grep -r x src', '>out cat a.py', '# c\ncat a.py', '#!x\ncat a.py', ' \tcat a.py', '\u00a0cat a.py', '\ncat a.py',
      "c'a't a.py", 'c"at" a.py', 'ca\\t a.py', '\\cat a.py', 'ca$x a.py', 'x=1 cat a.py', 'cd src && cat a.py', 'cd', 'cat', 'bash -lc "cat a.py"', '/bin/sh -c "ls -R"',
      'git grep -n x', 'apply_patch <<EOF\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n', 'cat;ls', 'cat|head', 'cat(', '{ cat a; }', 'ls* -R', '~/bin/cat a',
      '', ' ', '\t', '12 cat a', '1cat a',
    ];
    for (const line of lines) same(line);
  });

  it('for every UTF-16 code unit inside, between and after words (spaces are exactly what \\s matches)', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      const line = `cat a${ch}b ${ch}c "${ch}" ${ch}`;
      const now = parseShell(line);
      const before = oldShell.parseShell(line);
      if (JSON.stringify(now) !== JSON.stringify(before)) expect(now, `U+${c.toString(16)}`).toEqual(before);
    }
  });
});

describe('describeToolCall equals the old implementation', () => {
  const NAMES = [...BUILT_IN_TOOLS.flatMap((t) => t.names), 'READ', 'bash', 'BASH', 'mcp__srv__tool', 'unknown_tool', 'my_edit', 'sh', ''];
  const CUSTOM: ToolMappings = {
    my_edit: { kind: 'edit', path: 'file', oldText: 'before', newText: 'after' },
    sh: { kind: 'shell', command: ['cmd', 'action.cmd'] },
    Read: { kind: 'read', path: 'p', startLine: 'from', endLine: 'to' },
    broken: { kind: 'nope' } as unknown as ToolMappings[string],
  };
  const vocabularies: Array<[string, ReturnType<typeof createToolVocabulary> | undefined, oldDescriptors.ToolVocabulary | undefined]> = [
    ['built-in', undefined, undefined],
    ['custom', createToolVocabulary(CUSTOM), oldDescriptors.createToolVocabulary(CUSTOM as oldDescriptors.ToolMappings)],
  ];
  const value = fc.oneof(commandLine, fc.jsonValue(), fc.array(commandLine, { maxLength: 3 }), fc.constantFrom(['bash', '-lc', 'cat a.py'], ['apply_patch', '*** Begin Patch\n*** Add File: n\n+x\n*** End Patch']));
  const KEYS = ['command', 'cmd', 'commands', 'file_path', 'path', 'paths', 'pattern', 'content', 'old_string', 'new_string', 'edits', 'patch', 'input', 'offset', 'limit', 'start_line', 'end_line', 'view_range', 'action', 'file', 'before', 'after', 'p', 'from', 'to'];
  const args = fc.oneof(fc.jsonValue(), commandLine, fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }));

  it.each(vocabularies)('%s vocabulary: for tool-shaped and random arguments', (_name, now, before) => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), args, (name, a) => {
        expect(describeToolCall(name, a, now)).toEqual(oldTools.describeToolCall(name, a, before));
        expect(editTextsOf(name, a, now)).toEqual(oldTools.editTextsOf(name, a, before));
        if (now !== undefined && before !== undefined) {
          expect(now.knows(name)).toBe(before.knows(name));
          expect(now.mappingOf(name)).toEqual(before.mappingOf(name));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
