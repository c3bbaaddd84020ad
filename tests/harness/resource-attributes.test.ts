import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson } from '@fulcrum/ingest/otlp/json-logs';
import { normaliseLogs } from '@fulcrum/ingest/normalise/harness/logs';
import { JoinCache } from '@fulcrum/ingest/normalise/harness/join';
import { FIXTURES } from '../helpers/fixtures.js';

/*
 * docs/harnesses.md tells users to set team and repository with
 * OTEL_RESOURCE_ATTRIBUTES, which all three harnesses put on the resource of
 * what they export (checked live). Their logs are the baseline rows, so the
 * log rows must carry both, not only trace spans.
 */

const LOGS = {
  'claude-code': 'claude-code-2.1.197/default-privacy-protobuf/otlp/0003-logs.decoded.json',
  codex: 'codex-0.169.0/json/otlp/0002-logs.json',
  'gemini-cli': 'gemini-cli-0.61.0/http-json/otlp/0003-logs.json',
};

const RESOURCE = [
  { key: 'fulcrum.team', value: { stringValue: 'payments' } },
  { key: 'fulcrum.repository', value: { stringValue: 'acme/payments-api' } },
  { key: 'fulcrum.use_case', value: { stringValue: 'bugfix' } },
];

describe('team, repository and use case from the resource of harness logs', () => {
  for (const [harness, file] of Object.entries(LOGS)) {
    it(harness, () => {
      // Recorded with OTEL_RESOURCE_ATTRIBUTES=team.name=realclients (Claude Code copies it onto every event): replaced here.
      const text = readFileSync(`${FIXTURES}/${file}`, 'utf8').replaceAll('"team.name"', '"x.recorded_team"');
      const body = JSON.parse(text) as { resourceLogs: { resource: { attributes: unknown[] } }[] };
      for (const rl of body.resourceLogs) rl.resource.attributes.push(...RESOURCE);
      const { rows } = normaliseLogs(decodeLogsJson(body), { project: 'p' }, new JoinCache());
      expect(rows.length, 'rows').toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.Harness))).toEqual(new Set([harness]));
      expect(new Set(rows.map((r) => `${r.Team}|${r.Repository}|${r.UseCase}`))).toEqual(new Set(['payments|acme/payments-api|bugfix']));
    });
  }

  it('reads team.name and vcs.repository.name too', () => {
    const body = JSON.parse(readFileSync(`${FIXTURES}/${LOGS.codex}`, 'utf8')) as { resourceLogs: { resource: { attributes: unknown[] } }[] };
    for (const rl of body.resourceLogs) rl.resource.attributes.push({ key: 'team.name', value: { stringValue: 'mobile' } }, { key: 'vcs.repository.name', value: { stringValue: 'ios-app' } });
    const { rows } = normaliseLogs(decodeLogsJson(body), { project: 'p' }, new JoinCache());
    expect(new Set(rows.map((r) => `${r.Team}|${r.Repository}`))).toEqual(new Set(['mobile|ios-app']));
  });
});
