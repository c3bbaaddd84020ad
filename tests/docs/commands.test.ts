import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/store.js';
import { FIXTURES } from '../helpers/fixtures.js';

/*
 * Every shell command in README.md and docs/*.md works as written.
 *
 * - Every ```sh / ```bash / ```shell block passes `bash -n`.
 * - Every `fulcrum …` or `npx fulcrum …` command in them runs, in doc order,
 *   in a directory whose ./.fulcrum/data holds the demo week (made once below
 *   with the real CLI's `demo`), so commands find the store as a reader's
 *   would, with no --data-dir added. Each must exit 0 and print something.
 * - `fulcrum` and `npx fulcrum` both run this checkout's CLI
 *   (node packages/cli/dist/bin.js): the command line is run by bash as
 *   written, with `fulcrum` and `npx fulcrum` defined as shell functions that
 *   call it, so the result does not depend on how npm links the bin.
 * - HOME is a temporary directory holding the real-client transcripts where
 *   each harness keeps them, so `fulcrum import <harness>` reads a home
 *   directory as it would on a developer's machine.
 * - Commands that need what this machine lacks are listed in SKIPPED, each
 *   with its reason; the list is printed at the end. A fulcrum command that is
 *   neither run nor listed fails the test, and so does a stale entry.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Commands as they appear in the docs (comment removed, spaces collapsed) → why they are not run here. */
const SKIPPED: Record<string, string> = {
  'npx fulcrum serve': 'serve runs until stopped; tests/cli/serve.test.ts starts it',
  'npx fulcrum serve --port 4318 --data-dir /var/lib/fulcrum': 'serve runs until stopped (and /var/lib/fulcrum is not writable here)',
  'FULCRUM_CLICKHOUSE_URL=http://clickhouse:8123 FULCRUM_CLICKHOUSE_USER=default FULCRUM_CLICKHOUSE_PASSWORD=secret npx fulcrum serve': 'needs a ClickHouse server at clickhouse:8123, and serve runs until stopped',
  'fulcrum migrate --cluster fulcrum --clickhouse-url http://ch-1:8123': 'needs a ClickHouse cluster at ch-1:8123 (the --print form above it runs)',
  'docker compose exec fulcrum fulcrum keys create --project payments': 'needs Docker and the compose stack (tests/deploy/config.test.ts checks that the image has fulcrum on PATH)',
  'docker compose exec fulcrum fulcrum keys list': 'needs Docker and the compose stack',
  'npx fulcrum git sync ../my-repo': 'needs a git repository beside the checkout (tests/cli/git-sync.test.ts and tests/query/outcomes.test.ts sync real repositories built with git)',
};

/** Placeholders the reader replaces, and the value this test uses for each. */
const PLACEHOLDERS: Record<string, () => string> = {
  SESSION_ID: () => worstSession,
};

interface Block { file: string; line: number; lang: string; text: string }
interface Command { file: string; line: number; text: string; script: string; kind: 'run' | 'skip' | 'other' }

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of DOCS) {
    const md = readFileSync(join(ROOT, file), 'utf8');
    for (const m of md.matchAll(/^```(sh|bash|shell)[ \t]*\n([\s\S]*?)^```/gm)) {
      out.push({ file, line: md.slice(0, m.index).split('\n').length, lang: m[1]!, text: m[2]! });
    }
  }
  return out;
}

/**
 * A block's commands as bash reads them: one per line, except that a backslash
 * before the newline or an open quote continues it; comments (a # outside
 * quotes that starts a word) removed. `script` is what runs; `text` is it with
 * spaces collapsed, for naming.
 */
function commands(b: Block): Command[] {
  const out: Command[] = [];
  let cur = '';
  let quote = '';
  let comment = false;
  let line = 0;
  let start = 0;
  const end = () => {
    const script = cur.trim();
    const text = script.replace(/\s+/g, ' ');
    if (text) {
      // `fulcrum …` or `npx fulcrum …`, after any VAR=value assignments.
      const invokes = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:npx\s+)?fulcrum(?:\s|$)/.test(text);
      const mentions = /(^|\s)fulcrum(\s|$)/.test(text);
      out.push({ file: b.file, line: b.line + 1 + start, text, script, kind: text in SKIPPED ? 'skip' : invokes ? 'run' : mentions ? 'skip' : 'other' });
    }
    cur = '';
  };
  const t = b.text;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\n') line++;
    if (comment) {
      if (c !== '\n') continue;
      comment = false;
    }
    if (quote) {
      cur += c;
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < t.length) {
        if (t[i + 1] === '\n') line++;
        cur += t[++i];
      }
      continue;
    }
    if (c === '\n') {
      end();
      start = line;
    } else if (c === '\\' && t[i + 1] === '\n') {
      cur += ' ';
      i++;
      line++;
    } else if (c === '\\') {
      cur += c + (t[++i] ?? '');
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === '#' && (cur === '' || /\s/.test(cur[cur.length - 1]!))) {
      comment = true;
    } else {
      cur += c;
    }
  }
  end();
  return out;
}

const BLOCKS = blocks();
const COMMANDS = BLOCKS.flatMap(commands);
const RUN = COMMANDS.filter((c) => c.kind === 'run');

let work: string;
let home: string;
let worstSession = '';
const ran: string[] = [];

/** `fulcrum` and `npx fulcrum` as this checkout's CLI, for the command line bash runs as written. */
const PRELUDE = `fulcrum() { "$DOCTEST_NODE" "$DOCTEST_BIN" "$@"; }
npx() { if [ "$1" = fulcrum ]; then shift; "$DOCTEST_NODE" "$DOCTEST_BIN" "$@"; else echo "npx $1: not run by the docs test" >&2; return 99; fi; }
`;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, DOCTEST_NODE: process.execPath, DOCTEST_BIN: BIN, NO_COLOR: '1' };
  // The reader's shell has none of these set.
  for (const k of Object.keys(e)) if (k.startsWith('FULCRUM_') || k === 'CODEX_HOME') delete e[k];
  return e;
}

function bash(script: string) {
  return spawnSync('bash', ['-c', PRELUDE + script], { cwd: work, env: env(), encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  expect(existsSync(BIN), `${BIN} (run npx tsc -b first)`).toBe(true);
  work = tempDataDir('fulcrum-docs-');
  // Where each harness keeps its transcripts, filled with the real-client recordings.
  home = join(work, 'home');
  cpSync(join(FIXTURES, 'claude-code-2.1.197/all-details-traces-json/transcripts/projects'), join(home, '.claude/projects'), { recursive: true });
  cpSync(join(FIXTURES, 'codex-0.169.0/json/sessions/sessions'), join(home, '.codex/sessions'), { recursive: true });
  mkdirSync(join(home, '.gemini/tmp/workdir'), { recursive: true });
  cpSync(join(FIXTURES, 'gemini-cli-0.61.0/http-json/chats'), join(home, '.gemini/tmp/workdir/chats'), { recursive: true });
  // The demo week in ./.fulcrum/data, made by the real CLI as `npm run demo` does.
  const demo = bash('fulcrum demo --format json');
  expect(demo.status, demo.stderr).toBe(0);
  worstSession = (JSON.parse(demo.stdout) as { waste: { worstSessions: { sessionId: string }[] } }).waste.worstSessions[0]!.sessionId;
  expect(worstSession).toMatch(/^demo-\d{8}-\d{3}$/);
}, 180_000);

afterAll(() => {
  const skipped = COMMANDS.filter((c) => c.kind === 'skip');
  const other = COMMANDS.filter((c) => c.kind === 'other');
  process.stdout.write([
    `\ndocs commands run (${ran.length}), as node packages/cli/dist/bin.js for fulcrum / npx fulcrum:`,
    ...ran.map((r) => `  ${r}`),
    `skipped (${skipped.length}):`,
    ...skipped.map((c) => `  ${c.file}:${c.line}  ${c.text}\n      ${SKIPPED[c.text] ?? 'NOT LISTED IN SKIPPED'}`),
    `not fulcrum commands, syntax checked only (${other.length}):`,
    ...other.map((c) => `  ${c.file}:${c.line}  ${c.text}`),
    '',
  ].join('\n'));
});

describe('shell blocks in README.md and docs/*.md', () => {
  it('finds the blocks and the fulcrum commands in them', () => {
    expect(BLOCKS.length).toBeGreaterThan(5);
    expect(RUN.length).toBeGreaterThan(10);
  });

  for (const b of BLOCKS) {
    it(`bash -n ${b.file}:${b.line}`, () => {
      const r = spawnSync('bash', ['-n'], { input: b.text, encoding: 'utf8' });
      expect(r.stderr, b.text).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('lists a reason for every fulcrum command it does not run, and no command the docs no longer have', () => {
    for (const c of COMMANDS.filter((x) => x.kind === 'skip')) expect(SKIPPED[c.text], `${c.file}:${c.line} ${c.text}`).toBeDefined();
    const inDocs = new Set(COMMANDS.map((c) => c.text));
    for (const s of Object.keys(SKIPPED)) expect(inDocs.has(s), `stale SKIPPED entry: ${s}`).toBe(true);
  });
});

describe('fulcrum commands in README.md and docs/*.md, run as written against the demo week', () => {
  for (const c of RUN) {
    it(`${c.file}:${c.line} ${c.text}`, () => {
      let script = c.script;
      for (const [name, value] of Object.entries(PLACEHOLDERS)) script = script.replace(new RegExp(`\\b${name}\\b`, 'g'), value());
      const r = bash(script);
      ran.push(`${c.file}:${c.line}  ${script}  → exit ${r.status}`);
      expect(r.status, `${script}\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim().length, `${script} printed nothing\n${r.stderr}`).toBeGreaterThan(0);
    }, 120_000);
  }
});
