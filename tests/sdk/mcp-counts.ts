/**
 * How Fulcrum counts a set of spans: they go through the real OTLP protobuf
 * serializer and ingest's normaliser, and are counted as the engine's
 * summariseSession counts them (a `tool` or `mcp` row is a tool call, an `mcp`
 * row also an MCP invocation, an `llm` row a model call).
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { normaliseTraces } from '@fulcrum/ingest/normalise/traces';
import { decodeTracesProtobuf } from '@fulcrum/ingest/otlp/protobuf-traces';

export interface FulcrumCounts {
  toolCalls: number;
  mcp: number;
  modelCalls: number;
  /** SpanType of each row by span name. */
  types: Record<string, string>;
}

export function fulcrumCounts(spans: ReadableSpan[]): FulcrumCounts {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('spans did not serialise');
  const { rows } = normaliseTraces(decodeTracesProtobuf(body), { project: 'test' });
  const counts: FulcrumCounts = { toolCalls: 0, mcp: 0, modelCalls: 0, types: {} };
  for (const row of rows) {
    counts.types[row.SpanName] = row.SpanType;
    if (row.SpanType === 'tool' || row.SpanType === 'mcp') counts.toolCalls++;
    if (row.SpanType === 'mcp') counts.mcp++;
    if (row.SpanType === 'llm') counts.modelCalls++;
  }
  return counts;
}
