import type { RunningServer } from '@fulcrum/server';

/** How many spans of the session the server stored (FINAL: each span once, however often it was sent). */
export async function storedSpans(server: RunningServer, sessionId: string): Promise<number> {
  const rs = await server.app.store.client.query({
    query: 'SELECT count() AS n FROM spans FINAL WHERE SessionId = {s:String}',
    query_params: { s: sessionId },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string }>();
  return Number(row.n);
}
