import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { configureWrappers, traceMcpCall, traceModelCall, traceSkill, traceToolCall, withSession } from '../../packages/sdk/src/index.js';
import { captureSpans } from './helpers.js';
import { FAKE_SECRETS, PEM, SECRET_CARRIERS } from './secrets.js';

const cap = captureSpans({ redactPatterns: [{ pattern: /ACME-\d{6}/g, kind: 'ticket' }] });

const ALL_SECRETS = [...Object.values(FAKE_SECRETS), 'ACME-123456'];

function exported(): string {
  return JSON.stringify(cap.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links })));
}

describe('no secret reaches the exporter', () => {
  it('tool args, commands, results, errors, user attributes and events', async () => {
    await withSession({ sessionId: 's', attributes: { note: `deploy key ${FAKE_SECRETS.awsAccessKey}` } }, async () => {
      for (const [text] of SECRET_CARRIERS) {
        traceToolCall({ name: 'Bash', id: 'b', args: { command: text, env: { DB_PASSWORD: FAKE_SECRETS.dbPassword } } }, () => text);
        traceToolCall({ name: 'Write', id: 'w', args: { file_path: '.env', content: text } }, () => ({ ok: true }));
        try {
          traceToolCall({ name: 'Read', args: { file_path: '/x' } }, () => {
            throw new Error(`failed with ${text}`);
          });
        } catch {
          // expected
        }
      }
      traceToolCall({ name: 'Bash', args: { command: ['bash', '-lc', `curl -u admin:${FAKE_SECRETS.dbPassword} https://x`] } }, () => 1);
      traceToolCall({ name: 'Bash', args: { command: 'echo ACME-123456' } }, () => 1);
      await traceModelCall({ provider: 'anthropic', model: 'claude-sonnet-4-5', attributes: { 'app.header': `x-api-key: ${FAKE_SECRETS.anthropic}` } }, async () => ({}));
      traceSkill('deploy', (span) => {
        span.addEvent('log', { line: `using ${FAKE_SECRETS.slack} and ${PEM}` });
        span.setAttribute('raw', FAKE_SECRETS.jwt);
        span.setAttribute('list', [FAKE_SECRETS.google, 'ok']);
      });
      // A span from user code, not our wrappers, is redacted too.
      const raw = trace.getTracer('user').startSpan('user span', { attributes: { url: FAKE_SECRETS.slackWebhook } });
      raw.end();
    });
    const json = exported();
    expect(cap.spans().length).toBeGreaterThan(SECRET_CARRIERS.length * 3);
    for (const secret of ALL_SECRETS) expect(json, secret).not.toContain(secret);
    expect(json).toContain('[REDACTED:ticket]');
    expect(json).toContain('[REDACTED:slack_webhook]');
  });

  it('a wrapper-redacted attribute overwritten inside the call is redacted again', () => {
    traceToolCall({ name: 'Bash', args: { command: 'ls' } }, (span) => {
      span.setAttribute('fulcrum.tool.args', `{"command":"echo ${FAKE_SECRETS.openai}"}`);
      span.setAttribute('fulcrum.command', `echo ${FAKE_SECRETS.openai}`);
    });
    expect(exported()).not.toContain(FAKE_SECRETS.openai);
  });

  it("a caller's own args or command attribute is redacted too, deferred or not", () => {
    const attributes = { 'fulcrum.command': `echo ${FAKE_SECRETS.openai}`, 'fulcrum.tool.args': `{"k":"${FAKE_SECRETS.anthropic}"}` };
    traceToolCall({ name: 'Read', args: { file_path: 'a' }, attributes }, () => 1);
    const previous = configureWrappers({ deferToolAttributes: false });
    traceToolCall({ name: 'Read', attributes }, () => 1);
    configureWrappers(previous);
    traceMcpCall({ server: 's', tool: 't', attributes }, () => 1);
    expect(cap.spans()).toHaveLength(3);
    expect(exported()).not.toContain(FAKE_SECRETS.openai);
    expect(exported()).not.toContain(FAKE_SECRETS.anthropic);
  });

  it('keeps the non-secret parts usable', () => {
    traceToolCall({ name: 'Bash', args: { command: `GITHUB_TOKEN=${FAKE_SECRETS.github} gh pr create --title fix` } }, () => '');
    const a = cap.one('execute_tool Bash').attributes;
    expect(a['fulcrum.command']).toBe('GITHUB_TOKEN=[REDACTED:github_token] gh pr create --title fix');
    expect(String(a['fulcrum.tool.args'])).toContain('gh pr create --title fix');
  });
});
