import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { FULCRUM, GEN_AI, GENERAL, MCP } from '@fulcrum/vocab';
import { idOf, rng } from './random.js';
import type { DemoCall, DemoSession } from './scenario.js';

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
const PROVIDER: Record<string, string> = { 'claude-code': 'anthropic', codex: 'openai', 'gemini-cli': 'gcp.gemini' };

/**
 * A demo session as finished OpenTelemetry spans following Fulcrum's
 * conventions: a session span, then model calls each issuing one tool call,
 * a Task call's subagent under it. Ids and times derive from the session id,
 * so sending twice stores each span once.
 */
export function sessionSpans(s: DemoSession): ReadableSpan[] {
  const r = rng(parseInt(idOf(s.id, 4), 16));
  const traceId = idOf(`trace/${s.id}`, 16);
  const resource = resourceFromAttributes({
    // Not the harness's own service name: these are SDK-style spans, not that harness's native telemetry.
    [GENERAL.SERVICE_NAME]: `demo-agent`, [FULCRUM.HARNESS]: s.harness, [FULCRUM.TEAM]: s.team,
    [FULCRUM.REPOSITORY]: s.repository, [FULCRUM.USE_CASE]: s.useCase, [GENERAL.USER_ID]: s.user,
  });
  const spans: ReadableSpan[] = [];
  let n = 0;
  const make = (name: string, parent: string | undefined, start: number, durMs: number, attributes: Attributes, ok = true): string => {
    const spanId = idOf(`${s.id}/${n++}`, 8);
    spans.push({
      name, kind: SpanKind.INTERNAL,
      spanContext: () => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED }),
      parentSpanContext: parent ? { traceId, spanId: parent, traceFlags: TraceFlags.SAMPLED } : undefined,
      startTime: hr(start), endTime: hr(start + durMs), duration: hr(durMs), ended: true,
      status: ok ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: 'command failed' },
      attributes: { [GENERAL.SESSION_ID]: s.id, ...attributes }, links: [], events: [], resource,
      instrumentationScope: { name: 'fulcrum-demo', version: '0.1.0' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    });
    return spanId;
  };
  let t = s.start;
  const root = make('invoke_agent', undefined, t, 1, { [FULCRUM.SPAN_TYPE]: 'session', [GEN_AI.OPERATION_NAME]: 'invoke_agent' });
  const run = (calls: DemoCall[], parent: string) => {
    for (const c of calls) {
      const dur = r.int(2000, 9000);
      const uncached = r.int(2000, 9000);
      const cacheRead = r.int(10_000, 40_000);
      make(`chat ${s.model}`, parent, t, dur, {
        [GEN_AI.OPERATION_NAME]: 'chat', [GEN_AI.PROVIDER_NAME]: PROVIDER[s.harness] ?? 'anthropic', [GEN_AI.REQUEST_MODEL]: s.model,
        // The conventions' input count includes cached tokens.
        [GEN_AI.USAGE_INPUT_TOKENS]: uncached + cacheRead, [GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS]: cacheRead, [GEN_AI.USAGE_OUTPUT_TOKENS]: r.int(200, 1500),
      });
      t += dur;
      const toolDur = c.tool === 'Bash' ? r.int(1000, 20_000) : r.int(20, 400);
      const via = c.via ?? {};
      const name = 'skill' in via ? `skill ${via.skill}` : 'mcpServer' in via ? `tools/call ${c.tool}` : `execute_tool ${c.tool}`;
      const id = make(name, parent, t, toolDur, {
        ...('skill' in via ? { [FULCRUM.SPAN_TYPE]: 'skill', [FULCRUM.SKILL_NAME]: via.skill as string } : {}),
        ...('mcpServer' in via ? { [MCP.METHOD_NAME]: 'tools/call', [FULCRUM.MCP_SERVER]: via.mcpServer as string } : {}),
        [GEN_AI.OPERATION_NAME]: 'execute_tool', [GEN_AI.TOOL_NAME]: c.tool, [GEN_AI.TOOL_CALL_ID]: `call_${n}`,
        [GEN_AI.TOOL_CALL_ARGUMENTS]: JSON.stringify(c.args), [FULCRUM.TOOL_RESULT_SIZE]: c.resultSize,
        ...(c.ok === false ? { [GENERAL.ERROR_TYPE]: 'exit_code_1' } : {}),
      }, c.ok !== false);
      if (c.sub) {
        const agent = make('invoke_agent reviewer', id, t + 5, toolDur, { [GEN_AI.OPERATION_NAME]: 'invoke_agent', [GEN_AI.AGENT_NAME]: 'reviewer' });
        run(c.sub, agent);
      }
      t += toolDur;
    }
  };
  run(s.calls, root);
  // The session span covers its calls: end it last.
  const first = spans[0] as { endTime: HrTime; duration: HrTime };
  first.endTime = hr(t);
  first.duration = hr(t - s.start);
  return spans;
}
