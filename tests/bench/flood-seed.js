// Seeds spans by SQL for the /api flood test and bench: enough that a waste report costs
// something (~100 ms on 1M spans). Seeding through ingest would take minutes.
// Sessions of 200 spans: model calls and tool calls, some repeated, over the last 7 days.

/** Inserts `count` spans into project `default`; resolves to the milliseconds it took. */
export async function seedFloodSpans(store, count) {
  const t0 = Date.now();
  await store.client.command({
    query: `INSERT INTO spans (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Project, SessionId, SpanType, Harness, Team, ToolName, Model, InputTokens, OutputTokens, CostUsd, Priced, ArgsHash, Success, Duration, Version)
      SELECT now64(9) - toIntervalSecond(number % 604800), lower(hex(MD5(toString(intDiv(number, 200))))), lower(hex(toFixedString(reinterpretAsString(number), 8))), '',
        if(number % 3 = 0, 'chat', 'execute_tool'), 'seed', 'default', concat('seed-', toString(intDiv(number, 200))), if(number % 3 = 0, 'model', 'tool'), 'claude-code', concat('team-', toString(number % 7)),
        if(number % 3 = 0, '', ['Read', 'Grep', 'Edit', 'Bash'][number % 4 + 1]), if(number % 3 = 0, 'claude-sonnet-4-5', ''), 1000, 200, if(number % 3 = 0, 0.01, 0), true,
        toString(number % 50), number % 11 != 0, 1000000, 1
      FROM numbers({count:UInt64})`,
    query_params: { count },
  });
  return Date.now() - t0;
}
