import { describe, expect, it } from 'vitest';
import { createRedactor, redact } from '../../packages/vocab/src/index.js';
import { FAKE_SECRETS, PEM, SECRET_CARRIERS } from './secrets.js';

describe('redact', () => {
  it.each(SECRET_CARRIERS)('removes the secret from %s', (text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED:[a-z_]+\]/);
  });

  it('names the kind of each secret', () => {
    expect(redact(`key ${FAKE_SECRETS.anthropic}`)).toBe('key [REDACTED:anthropic_key]');
    expect(redact(`key ${FAKE_SECRETS.openai}`)).toBe('key [REDACTED:openai_key]');
    expect(redact(`id ${FAKE_SECRETS.awsAccessKey}`)).toBe('id [REDACTED:aws_access_key]');
    expect(redact(`t ${FAKE_SECRETS.github}`)).toBe('t [REDACTED:github_token]');
    expect(redact(`t ${FAKE_SECRETS.githubPat}`)).toBe('t [REDACTED:github_token]');
    expect(redact(`t ${FAKE_SECRETS.slack}`)).toBe('t [REDACTED:slack_token]');
    expect(redact(`u ${FAKE_SECRETS.slackWebhook}`)).toBe('u [REDACTED:slack_webhook]');
    expect(redact(`k ${FAKE_SECRETS.google}`)).toBe('k [REDACTED:google_api_key]');
    expect(redact(`j ${FAKE_SECRETS.jwt}`)).toBe('j [REDACTED:jwt]');
    expect(redact(`a ${PEM} b`)).toBe('a [REDACTED:private_key] b');
  });

  it('keeps the structure around the secret', () => {
    expect(redact('postgres://admin:hunter2pass@db:5432/app')).toBe('postgres://admin:[REDACTED:password]@db:5432/app');
    expect(redact('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: Bearer [REDACTED:bearer]');
    expect(redact('GITHUB_TOKEN=abc123def456 gh pr list')).toBe('GITHUB_TOKEN=[REDACTED:secret] gh pr list');
    expect(redact(`aws_secret_access_key=${FAKE_SECRETS.awsSecret}`)).toBe('aws_secret_access_key=[REDACTED:aws_secret]');
  });

  it('leaves ordinary text, code and commands alone', () => {
    const benign = [
      'npm test -- --run tests/sdk',
      '{"file_path":"/repo/src/task-manager-implementation-details.ts","limit":200}',
      '{"max_tokens":4096,"model":"claude-sonnet-4-5"}',
      'git log --author=alice --oneline',
      'const tokenCount = tokens.length; // see https://example.com/docs',
      'the quick brown fox jumps over the lazy dog',
      'export NODE_ENV=production',
    ];
    for (const s of benign) expect(redact(s)).toBe(s);
  });

  it('keeps JSON valid when the secret sits in an escaped JSON string', () => {
    const doubly = JSON.stringify({ command: JSON.stringify({ password: 'hunter2-x', user: 'a' }) });
    const out = redact(doubly);
    expect(JSON.parse(JSON.parse(out).command)).toEqual({ password: '[REDACTED:secret]', user: 'a' });
  });

  it('does not nest markers in URLs carrying a token as user info', () => {
    expect(redact(`git clone https://${FAKE_SECRETS.github}@github.com/a/b.git`)).toBe('git clone https://[REDACTED:github_token]@github.com/a/b.git');
    expect(redact('curl -u admin:s3cr3tpass https://x')).toBe('curl -u admin:[REDACTED:password] https://x');
  });

  it('is idempotent', () => {
    for (const [text] of SECRET_CARRIERS) expect(redact(redact(text))).toBe(redact(text));
  });

  it('drops the rest of a truncated private key', () => {
    expect(redact(`x -----BEGIN PRIVATE KEY-----\n${FAKE_SECRETS.pemBody}`)).toBe('x [REDACTED:private_key]');
  });

  it('applies extra patterns, with or without the g flag, and kinds', () => {
    const r = createRedactor({ extraPatterns: [/ACME-\d{6}/, { pattern: /emp#\d+/g, kind: 'employee' }] });
    expect(r('ids ACME-123456 and ACME-654321, emp#42')).toBe('ids [REDACTED:custom] and [REDACTED:custom], [REDACTED:employee]');
    expect(r(`k ${FAKE_SECRETS.google}`)).toBe('k [REDACTED:google_api_key]');
    const only = createRedactor({ disableDefaults: true, extraPatterns: [/x{3}/] });
    expect(only(`xxx ${FAKE_SECRETS.google}`)).toBe(`[REDACTED:custom] ${FAKE_SECRETS.google}`);
  });

  it('returns short and non-matching strings as the same string', () => {
    expect(redact('')).toBe('');
    expect(redact('sk-a')).toBe('sk-a');
  });

  const adversarial: Array<[string, string]> = [
    ['sk-ant- repeated', 'sk-ant-'.repeat(150_000)],
    ['sk- short runs', 'sk-abc '.repeat(150_000)],
    ['eyJ runs', 'eyJ'.repeat(350_000)],
    ['-eyJ runs', '-eyJ'.repeat(260_000)],
    ['eyJ dots', 'eyJa.'.repeat(210_000)],
    ['BEGIN without END', '-----BEGIN PRIVATE KEY-----'.repeat(40_000)],
    ['scheme runs', 'a'.repeat(1_000_000)],
    ['://user: repeated', '://a:'.repeat(210_000)],
    ['://user:pass no @', ('://u:' + 'p'.repeat(250)).repeat(4000)],
    ['KEY= repeated', 'TOKEN='.repeat(170_000)],
    ['key-ish words', 'secret_token_'.repeat(80_000)],
    ['a-a-a', 'a-'.repeat(500_000)],
    ['Bearer repeated', 'Bearer '.repeat(150_000)],
    ['--password repeated', '--password '.repeat(95_000)],
    ['aws key name repeated', 'aws_secret_access_key='.repeat(45_000)],
    ['quotes', 'K="'.repeat(330_000)],
    ['AKIA runs', 'AKIA'.repeat(250_000)],
    ['hooks', 'https://hooks.slack.com/'.repeat(40_000)],
  ];
  it.each(adversarial)('is linear on a 1 MB adversarial string: %s', (_name, s) => {
    expect(s.length).toBeGreaterThan(900_000);
    redact(s.slice(0, 1000));
    const t0 = performance.now();
    redact(s);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
