// npm run bench:guard — the guard's hook, as Claude Code runs it, on a session of 500 tool calls.
// Prints p50/p99 of (a) one hook call's wall time as a harness runs it (spawn node, JSON on stdin, wait for exit),
// (b) the same for a hook that only reads its stdin (the physical floor: node's own start), and (c) the guard's own
// work in-process (parse, state, transcript tail, classifier, answer), each measured in this run.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHook, defaultGuardConfig } from '@fulcrum/guard';

const CALLS = Number(process.env.BENCH_GUARD_CALLS ?? 500);
const SAMPLES = Number(process.env.BENCH_GUARD_SAMPLES ?? 60);
const CLI = fileURLToPath(new URL('../../packages/cli/bin/fulcrum.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fulcrum-bench-guard-'));
const transcript = join(root, 'session.jsonl');
const sessionId = '7d0c8a52-1b5e-4c0e-9d7a-3f6a1d2e0b99';
const cwd = '/home/dev/project';
const config = defaultGuardConfig('enforce');
writeFileSync(transcript, '');

// A realistic mix: reads of distinct files, edits, shell commands, searches; each call once (no waste), as most calls are.
function toolCall(i) {
  const k = i % 4;
  if (k === 0) return ['Read', { file_path: `${cwd}/src/module${i}.ts` }];
  if (k === 1) return ['Edit', { file_path: `${cwd}/src/module${i - 1}.ts`, old_string: `const a${i} = 1;`, new_string: `const a${i} = 2;` }];
  if (k === 2) return ['Bash', { command: `npm test -- module${i}`, description: 'Run the tests' }];
  return ['Grep', { pattern: `symbol${i}`, path: `${cwd}/src`, output_mode: 'content' }];
}

function payload(event, i, extra = {}) {
  const [tool_name, tool_input] = toolCall(i);
  return { session_id: sessionId, transcript_path: transcript, cwd, permission_mode: 'default', hook_event_name: event, tool_name, tool_input, tool_use_id: `toolu_bench_${i}`, ...extra };
}

// The transcript Claude Code writes: per call, the assistant message (with usage) and the tool result.
function writeTranscript(i) {
  const [name, input] = toolCall(i);
  const t = new Date(Date.UTC(2026, 10, 30, 9, 0, i)).toISOString();
  const assistant = { type: 'assistant', sessionId, cwd, timestamp: t, requestId: `req_${i}`, uuid: `a${i}`, message: { id: `msg_${i}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'tool_use', id: `toolu_bench_${i}`, name, input }], usage: { input_tokens: 12, cache_read_input_tokens: 20_000 + 40 * i, cache_creation_input_tokens: 300, output_tokens: 120 } } };
  const user = { type: 'user', sessionId, cwd, timestamp: t, uuid: `u${i}`, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_bench_${i}`, content: 'x'.repeat(400) }] }, toolUseResult: { type: 'text' } };
  appendFileSync(transcript, `${JSON.stringify(assistant)}\n${JSON.stringify(user)}\n`);
}

const stateDir = join(root, 'state');
const own = [];
async function oneCall(i, timed) {
  for (const [event, extra] of [['PreToolUse', {}], ['PostToolUse', { tool_response: { type: 'text' } }]]) {
    const input = JSON.stringify(payload(event, i, extra));
    const t = process.hrtime.bigint();
    const r = await runHook({ harness: 'claude-code', input, stateDir, config });
    if (timed) own.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.error) throw r.error;
    if (r.reply.stdout) throw new Error(`call ${i} was answered (${r.reply.stdout.trim()}): the bench session is meant to be clean`);
  }
  writeTranscript(i);
}

function spawnHook(args, input) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, code, out }));
    child.stdin.end(input);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

try {
  for (let i = 0; i < CALLS; i++) await oneCall(i, i >= CALLS - SAMPLES);
  const wall = [];
  const floor = [];
  // The floor: a node hook that reads its stdin and exits, nothing else.
  const readStdin = ['-e', "process.stdin.resume();process.stdin.on('end',()=>{})"];
  for (let j = 0; j < SAMPLES; j++) {
    const i = CALLS + j;
    const input = JSON.stringify(payload('PreToolUse', i));
    // Alternate, so the box's noise falls on both.
    floor.push((await spawnHook(readStdin, input)).ms);
    const r = await spawnHook([CLI, 'guard', 'claude-code', '--mode', 'enforce', '--state-dir', stateDir], input);
    if (r.code !== 0 || r.out !== '') throw new Error(`hook answered ${r.code} ${r.out}`);
    wall.push(r.ms);
    await spawnHook([CLI, 'guard', 'claude-code', '--mode', 'enforce', '--state-dir', stateDir], JSON.stringify(payload('PostToolUse', i, { tool_response: { type: 'text' } })));
    writeTranscript(i);
  }
  const row = (name, xs) => console.log(`${name.padEnd(44)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`);
  console.log(`Guard hook on a ${CALLS}-call Claude Code session (${SAMPLES} samples each)`);
  row('hook call, as the harness runs it', wall);
  row('floor: node reading its stdin, nothing else', floor);
  row("guard's own work (in-process runHook)", own);
  console.log(`guard over floor: p50 ${(pct(wall, 50) / pct(floor, 50)).toFixed(2)}x, +${(pct(wall, 50) - pct(floor, 50)).toFixed(1)} ms; goals: p99 <= 100 ms, own work <= 10 ms`);
} finally {
  if (!process.env.BENCH_GUARD_KEEP) rmSync(root, { recursive: true, force: true });
  else console.log(`kept ${root}`);
}
