import type { Store } from '@fulcrum/store';

export type Client = Store['client'];

/** Runs one SELECT with bound parameters and returns its rows. */
export async function selectRows<T>(client: Client, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    // 64-bit integers as numbers: counts and token sums stay far below 2^53.
    // Aggregates are aliased to their column's name (sum(Spend) AS Spend); without this an alias would shadow the column in WHERE.
    // Grouping by session (the waste pipeline, summaries) streams in sort-key order instead of holding every session at once.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, prefer_column_name_to_alias: 1, optimize_aggregation_in_order: 1 },
  });
  return rs.json<T>();
}
