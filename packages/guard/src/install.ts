import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GuardHarness } from './events.js';

/** The hook events the guard answers, per harness, and whether each takes a tool matcher. */
const EVENTS: Record<GuardHarness, { event: string; matcher?: string }[]> = {
  'claude-code': [
    { event: 'PreToolUse', matcher: '*' },
    { event: 'PostToolUse', matcher: '*' },
    { event: 'PostToolUseFailure', matcher: '*' },
    { event: 'PostToolBatch' },
    { event: 'UserPromptSubmit' },
    { event: 'Stop' },
  ],
  codex: [{ event: 'PreToolUse', matcher: '*' }, { event: 'PostToolUse', matcher: '*' }, { event: 'UserPromptSubmit' }, { event: 'Stop' }],
  'gemini-cli': [{ event: 'BeforeTool', matcher: '.*' }, { event: 'AfterTool', matcher: '.*' }, { event: 'BeforeAgent' }, { event: 'AfterAgent' }],
};

/** The name Gemini CLI shows for a hook (its entries have one). */
const GEMINI_HOOK_NAME = 'fulcrum-guard';

/** A hook command `fulcrum guard install` wrote: the fulcrum CLI (any path) running `guard <harness>`. */
export function isGuardCommand(command: unknown): boolean {
  return typeof command === 'string' && /fulcrum(?:\.js)?["']?\s+guard\s+(?:claude-code|codex|gemini-cli|gemini)(?:\s|$)/.test(command);
}

export interface InstallHooksOptions {
  harness: GuardHarness;
  /** The harness's settings file (Claude Code, Gemini CLI) or hooks.json (Codex). */
  file: string;
  /** The hook command line. */
  command: string;
  /** Seconds the harness waits for the hook before going on without it. @default 10 */
  timeoutSeconds?: number;
}

/** What install or uninstall did to one file. */
export interface HooksChange {
  file: string;
  /** False when the file already said exactly this (install twice, or uninstall with nothing installed). */
  changed: boolean;
  /** A copy of the file as it was before the guard first changed it; undefined when there was no file. */
  backup?: string;
  /** Hook events the guard answers after the change ([] after uninstall). */
  events: string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function readJson(file: string): Json {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix it first, the guard changes nothing in it`);
  }
  if (!isObject(v)) throw new Error(`${file} must hold a JSON object`);
  return v;
}

/** The backup kept beside a file: the file as it was before the guard first changed it. */
export const backupOf = (file: string) => `${file}.fulcrum-guard.bak`;

function write(file: string, after: Json): HooksChange['backup'] {
  const backup = backupOf(file);
  mkdirSync(dirname(file), { recursive: true });
  if (existsSync(file) && !existsSync(backup)) copyFileSync(file, backup);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(after, null, 2)}\n`);
  renameSync(tmp, file);
  return existsSync(backup) ? backup : undefined;
}

/** Removes the guard's hook entries from a hooks object; returns whether any were there. */
function removeGuardEntries(hooks: Json): boolean {
  let removed = false;
  for (const [event, list] of Object.entries(hooks)) {
    if (!Array.isArray(list)) continue;
    const kept = list
      .map((group: unknown) => {
        if (!isObject(group) || !Array.isArray(group.hooks)) return group;
        const inner = group.hooks.filter((h: unknown) => !(isObject(h) && isGuardCommand(h.command)));
        if (inner.length === group.hooks.length) return group;
        removed = true;
        return inner.length === 0 ? undefined : { ...group, hooks: inner };
      })
      .filter((g) => g !== undefined);
    if (kept.length === 0) delete hooks[event];
    else hooks[event] = kept;
  }
  return removed;
}

/**
 * Writes the guard's hooks into a harness's own file, keeping everything else
 * in it. Idempotent: the guard's earlier entries are replaced, so installing
 * again with other flags updates them. The first change keeps a backup.
 */
export function installHooks(options: InstallHooksOptions): HooksChange {
  const before = readJson(options.file);
  const after = structuredClone(before);
  const hooks = isObject(after.hooks) ? after.hooks : (after.hooks = {});
  removeGuardEntries(hooks as Json);
  const timeout = options.timeoutSeconds ?? 10;
  for (const { event, matcher } of EVENTS[options.harness]) {
    const hook: Json = { type: 'command', command: options.command, timeout };
    if (options.harness === 'gemini-cli') {
      hook.name = GEMINI_HOOK_NAME;
      // Gemini CLI's timeout is in milliseconds.
      hook.timeout = timeout * 1000;
    }
    const group: Json = matcher === undefined ? { hooks: [hook] } : { matcher, hooks: [hook] };
    const list = (hooks as Json)[event];
    (hooks as Json)[event] = Array.isArray(list) ? [...list, group] : [group];
  }
  // Gemini CLI runs hooks only with hooksConfig.enabled.
  if (options.harness === 'gemini-cli') after.hooksConfig = { ...(isObject(after.hooksConfig) ? after.hooksConfig : {}), enabled: true };
  const events = EVENTS[options.harness].map((e) => e.event);
  if (JSON.stringify(before) === JSON.stringify(after)) return { file: options.file, changed: false, backup: existsSync(backupOf(options.file)) ? backupOf(options.file) : undefined, events };
  return { file: options.file, changed: true, backup: write(options.file, after), events };
}

/**
 * Removes exactly the guard's hook entries (an event left with no hooks is
 * removed too) and nothing else. `hooksConfig.enabled` (Gemini CLI) is taken
 * back only when the backup shows the guard added it and no other hook is left.
 */
export function uninstallHooks(options: { harness: GuardHarness; file: string }): HooksChange {
  if (!existsSync(options.file)) return { file: options.file, changed: false, events: [] };
  const before = readJson(options.file);
  const after = structuredClone(before);
  if (!isObject(after.hooks) || !removeGuardEntries(after.hooks)) return { file: options.file, changed: false, events: [] };
  if (Object.keys(after.hooks).length === 0 && !isObject(readBackup(options.file).hooks)) delete after.hooks;
  if (options.harness === 'gemini-cli' && after.hooks === undefined && isObject(after.hooksConfig) && !isObject(readBackup(options.file).hooksConfig)) {
    delete after.hooksConfig.enabled;
    if (Object.keys(after.hooksConfig).length === 0) delete after.hooksConfig;
  }
  // A file install created holds nothing else: it goes with the hooks.
  if (Object.keys(after).length === 0 && !existsSync(backupOf(options.file))) {
    rmSync(options.file);
    return { file: options.file, changed: true, events: [] };
  }
  return { file: options.file, changed: true, backup: write(options.file, after), events: [] };
}

function readBackup(file: string): Json {
  try {
    return readJson(backupOf(file));
  } catch {
    return {};
  }
}
