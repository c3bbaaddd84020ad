// OTLP protobuf trace bodies for load tests. One template is encoded once; each request
// gets a copy with its own trace and span ids written in place, so every acknowledged
// span is distinct and "stored == acknowledged" can be checked by count.

export function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const ld = (field, payload) => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
const kv = (key, value) => Buffer.concat([ld(1, Buffer.from(key)), ld(2, ld(1, Buffer.from(String(value))))]);
function fixed64(field, v) {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
}

const TOOLS = ['Read', 'Grep', 'Edit', 'Bash', 'Glob', 'Write'];

/** A template of `spans` spans (a session root, model calls, tool calls) and where each id sits in it. */
export function makeTemplate(spans = 100) {
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const marker = (i) => Buffer.from(`S${String(i).padStart(7, '0')}`); // 8 bytes, replaced per request
  const traceMarker = Buffer.from('TRACEID_TEMPLATE'); // 16 bytes
  const parts = [];
  for (let i = 0; i < spans; i++) {
    const attrs = i === 0
      ? [kv('gen_ai.operation.name', 'invoke_agent'), kv('gen_ai.agent.name', 'load')]
      : i % 3 === 0
        ? [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.request.model', 'claude-sonnet-4-5'), kv('gen_ai.usage.input_tokens', 1000 + i), kv('gen_ai.usage.output_tokens', 200)]
        : [kv('gen_ai.operation.name', 'execute_tool'), kv('gen_ai.tool.name', TOOLS[i % 6]), kv('gen_ai.tool.call.id', `toolu_${i}`), kv('fulcrum.file.path', `/repo/src/file${i % 9}.ts`), kv('gen_ai.tool.call.arguments', JSON.stringify({ file_path: `/repo/src/file${i % 9}.ts`, command: `grep -rn "def " src/${i}` }))];
    parts.push(ld(2, Buffer.concat([
      ld(1, traceMarker), ld(2, marker(i)), ...(i > 0 ? [ld(4, marker(0))] : []), ld(5, Buffer.from(i === 0 ? 'invoke_agent load' : `span-${i % 6}`)),
      fixed64(7, t0 + BigInt(i) * 1_000_000n), fixed64(8, t0 + BigInt(i) * 1_000_000n + 500_000n),
      ...attrs.map((a) => ld(9, a)), ld(9, kv('gen_ai.conversation.id', 'SESSION_TEMPLATE')),
    ])));
  }
  const resource = ld(1, Buffer.concat([ld(1, kv('service.name', 'load-harness')), ld(1, kv('fulcrum.team', 'load'))]));
  const body = ld(1, Buffer.concat([resource, ld(2, Buffer.concat([ld(1, ld(1, Buffer.from('load'))), ...parts]))]));
  const offsets = (needle) => {
    const at = [];
    for (let i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + 1)) at.push(i);
    return at;
  };
  return {
    spans,
    body,
    trace: offsets(traceMarker),
    session: offsets(Buffer.from('SESSION_TEMPLATE')),
    ids: Array.from({ length: spans }, (_, i) => offsets(marker(i))),
  };
}

/** Request `seq` of run `run`: unique 16-byte trace id and session, span ids distinct within it. */
export function bodyFor(tpl, run, seq) {
  const b = Buffer.from(tpl.body);
  const trace = Buffer.alloc(16);
  trace.writeUInt32BE(run >>> 0, 0);
  trace.writeUInt32BE(seq >>> 0, 4);
  trace.writeUInt32BE(0x10ad, 12);
  for (const at of tpl.trace) trace.copy(b, at);
  const session = Buffer.from(trace.subarray(0, 8).toString('hex'));
  for (const at of tpl.session) session.copy(b, at);
  tpl.ids.forEach((offs, i) => {
    const id = Buffer.alloc(8);
    id.writeUInt32BE(seq >>> 0, 0);
    id.writeUInt32BE(i + 1, 4);
    for (const at of offs) id.copy(b, at);
  });
  return b;
}
