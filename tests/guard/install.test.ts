import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDataDir } from '../helpers/store.js';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const guardCommands = (settings: Record<string, unknown>) =>
  Object.entries((settings.hooks ?? {}) as Record<string, { hooks: { command: string }[] }[]>).flatMap(([event, groups]) =>
    groups.flatMap((g) => g.hooks.filter((h) => / guard /.test(h.command)).map((h) => `${event}: ${h.command.replace(/^.* guard /, 'guard ')}`)));

/** A user's own settings, which install and uninstall must leave exactly as they are. */
const USER_SETTINGS = {
  permissions: { allow: ['Bash(npm test)'], deny: ['Read(./.env)'] },
  hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/check-bash.sh' }] }] },
  model: 'opus',
};

describe('fulcrum guard install / uninstall', () => {
  it('adds the guard beside a user\'s own Claude Code settings, keeps a backup, is idempotent, and uninstall restores the file exactly', async () => {
    const dir = tempDataDir('guard-install-');
    const file = join(dir, '.claude', 'settings.json');
    mkdirSync(join(dir, '.claude'));
    const original = `${JSON.stringify(USER_SETTINGS, null, 2)}\n`;
    writeFileSync(file, original);

    const first = await runCli(['guard', 'install', 'claude-code', '--project-dir', dir, '--mode', 'enforce']);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`installed guard hooks (PreToolUse, PostToolUse, PostToolUseFailure, PostToolBatch, UserPromptSubmit, Stop) in ${file}\nbackup of the file as it was: ${file}.fulcrum-guard.bak\n`);
    expect(readFileSync(`${file}.fulcrum-guard.bak`, 'utf8')).toBe(original);
    const installed = readJson(file);
    expect(installed.permissions).toEqual(USER_SETTINGS.permissions);
    expect(installed.model).toBe('opus');
    expect(guardCommands(installed)).toEqual([
      'PreToolUse: guard claude-code --mode enforce',
      'PostToolUse: guard claude-code --mode enforce',
      'PostToolUseFailure: guard claude-code --mode enforce',
      'PostToolBatch: guard claude-code --mode enforce',
      'UserPromptSubmit: guard claude-code --mode enforce',
      'Stop: guard claude-code --mode enforce',
    ]);
    // The user's own PreToolUse hook is still first, untouched.
    expect((installed.hooks as Record<string, unknown[]>).PreToolUse![0]).toEqual(USER_SETTINGS.hooks.PreToolUse[0]);
    // The hook runs this node and this CLI by absolute path, with a short timeout.
    const entry = (installed.hooks as Record<string, { matcher?: string; hooks: { command: string; timeout: number }[] }[]>).PreToolUse![1]!;
    expect(entry.matcher).toBe('*');
    expect(entry.hooks[0]!.command.startsWith(`${process.execPath} `)).toBe(true);
    expect(entry.hooks[0]!.command).toContain('/packages/cli/bin/fulcrum.js guard claude-code');
    expect(entry.hooks[0]!.timeout).toBe(10);

    const again = await runCli(['guard', 'install', 'claude-code', '--project-dir', dir, '--mode', 'enforce']);
    expect(again.stdout).toBe(`already installed: guard hooks (PreToolUse, PostToolUse, PostToolUseFailure, PostToolBatch, UserPromptSubmit, Stop) in ${file}\n`);
    const modeChange = await runCli(['guard', 'install', 'claude-code', '--project-dir', dir, '--mode', 'observe']);
    expect(modeChange.status).toBe(0);
    expect(guardCommands(readJson(file))).toHaveLength(6);
    expect(guardCommands(readJson(file))[0]).toBe('PreToolUse: guard claude-code --mode observe');

    const removed = await runCli(['guard', 'uninstall', 'claude-code', '--project-dir', dir]);
    expect(removed.stdout).toBe(`removed guard hooks from ${file}\nbackup of the file as it was: ${file}.fulcrum-guard.bak\n`);
    expect(readJson(file)).toEqual(USER_SETTINGS);
    const nothing = await runCli(['guard', 'uninstall', 'claude-code', '--project-dir', dir]);
    expect(nothing.stdout).toBe(`no guard hooks in ${file}\n`);
  });

  it('writes Codex hooks under $CODEX_HOME with --user, and Gemini CLI hooks with hooksConfig.enabled; a file install created goes with uninstall', async () => {
    const home = tempDataDir('guard-home-');
    const codexHome = join(home, 'codex');
    const codex = await runCli(['guard', 'install', 'codex', '--user', '--mode', 'warn', '--server', 'http://127.0.0.1:4318'], { CODEX_HOME: codexHome, HOME: home });
    expect(codex.status).toBe(0);
    const hooks = readJson(join(codexHome, 'hooks.json'));
    expect(guardCommands(hooks)).toEqual([
      'PreToolUse: guard codex --mode warn --server http://127.0.0.1:4318',
      'PostToolUse: guard codex --mode warn --server http://127.0.0.1:4318',
      'UserPromptSubmit: guard codex --mode warn --server http://127.0.0.1:4318',
      'Stop: guard codex --mode warn --server http://127.0.0.1:4318',
    ]);

    const project = tempDataDir('guard-gemini-');
    const gemini = await runCli(['guard', 'install', 'gemini', '--project-dir', project]);
    expect(gemini.status).toBe(0);
    const settings = readJson(join(project, '.gemini', 'settings.json'));
    expect(settings.hooksConfig).toEqual({ enabled: true });
    const before = (settings.hooks as Record<string, { matcher: string; hooks: { name: string; timeout: number }[] }[]>).BeforeTool![0]!;
    expect(before.matcher).toBe('.*');
    // Gemini CLI's hook timeout is in milliseconds; its entries carry a name.
    expect(before.hooks[0]).toMatchObject({ name: 'fulcrum-guard', timeout: 10_000 });
    expect(guardCommands(settings).map((c) => c.split(':')[0])).toEqual(['BeforeTool', 'AfterTool', 'BeforeAgent', 'AfterAgent']);

    expect((await runCli(['guard', 'uninstall', 'gemini', '--project-dir', project])).status).toBe(0);
    expect(existsSync(join(project, '.gemini', 'settings.json'))).toBe(false);
    expect((await runCli(['guard', 'uninstall', 'codex', '--user'], { CODEX_HOME: codexHome, HOME: home })).status).toBe(0);
    expect(existsSync(join(codexHome, 'hooks.json'))).toBe(false);
  });

  it('refuses bad calls with one line and exit 2, and changes nothing', async () => {
    const dir = tempDataDir('guard-bad-');
    mkdirSync(join(dir, '.claude'));
    writeFileSync(join(dir, '.claude', 'settings.json'), '{ "hooks": ');
    const broken = await runCli(['guard', 'install', 'claude-code', '--project-dir', dir]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^fulcrum: .*settings\.json is not valid JSON .*; fix it first, the guard changes nothing in it\n$/);
    expect(readFileSync(join(dir, '.claude', 'settings.json'), 'utf8')).toBe('{ "hooks": ');
    const both = await runCli(['guard', 'install', 'codex', '--user', '--project-dir', dir]);
    expect(both).toMatchObject({ status: 2, stderr: 'fulcrum: --user and --project-dir name different files: give one\n' });
    const harness = await runCli(['guard', 'install', 'cursor']);
    expect(harness).toMatchObject({ status: 2, stderr: 'fulcrum: guard needs a harness: claude-code, codex or gemini, got "cursor" (run "fulcrum guard --help")\n' });
    const mode = await runCli(['guard', 'install', 'codex', '--mode', 'strict']);
    expect(mode).toMatchObject({ status: 2, stderr: 'fulcrum: --mode must be one of observe, warn, enforce, got "strict"\n' });
  });
});

describe('fulcrum guard <harness> (the hook) fails open', () => {
  const hook = (args: string[], input: string, env: NodeJS.ProcessEnv = {}) => {
    try {
      return { stdout: execFileSync(process.execPath, [CLI_BIN, 'guard', ...args], { input, env: { ...process.env, ...env } }).toString(), status: 0 };
    } catch (err) {
      const e = err as { status: number; stdout: Buffer };
      return { stdout: e.stdout.toString(), status: e.status };
    }
  };

  it('answers "nothing to say" with exit 0 to input it cannot read, to a bad flag and to an unwritable state dir, and logs one line each', () => {
    const state = tempDataDir('guard-state-');
    expect(hook(['claude-code', '--state-dir', state], '{not json')).toEqual({ stdout: '', status: 0 });
    // Gemini CLI reads stderr when stdout is empty: the guard always says {} there.
    expect(hook(['gemini', '--state-dir', state], '')).toEqual({ stdout: '{}\n', status: 0 });
    expect(hook(['codex', '--state-dir', state, '--mode', 'strict'], '{}', { XDG_STATE_HOME: join(state, 'xdg') })).toEqual({ stdout: '', status: 0 });
    const payload = readFileSync(join(FIXTURES, 'hooks', 'claude-code', 'PreToolUse.json'), 'utf8');
    const blocked = join(state, 'file-not-dir');
    writeFileSync(blocked, '');
    expect(hook(['claude-code', '--state-dir', join(blocked, 'sub')], payload)).toEqual({ stdout: '', status: 0 });
    const log = readFileSync(join(state, 'guard.log'), 'utf8').trim().split('\n');
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/claude-code allowed the call after an error of its own: SyntaxError: /);
    expect(log[1]).toMatch(/gemini-cli allowed the call after an error of its own: SyntaxError: /);
    expect(readFileSync(join(state, 'xdg', 'fulcrum', 'guard', 'guard.log'), 'utf8')).toMatch(/codex hook flags refused, call allowed: --mode must be one of observe, warn, enforce, got "strict"\n$/);
  });
});
