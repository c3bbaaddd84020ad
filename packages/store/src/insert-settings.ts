/*
 * Settings every INSERT of acknowledged rows runs with, wherever it is issued.
 *
 * Tables partition by month, and every partition an INSERT touches costs a part (and a
 * merge): unbounded, one request with a month between each span made 1,697 parts, took
 * 10 s and stalled every other write. Ingest rejects rows outside its timestamp window
 * (at most 6 years wide, see plausible.ts), so a batch spans well under 100 months; this is
 * ClickHouse's own default ceiling.
 */
const PARTITION_BOUND = { max_partitions_per_insert_block: '100' };

/**
 * Inserts carry rows the server has acknowledged: they run to the end, held to neither the
 * query time limit (which would cut them part-way) nor the per-query memory limit (a normal
 * 20,000-row batch can need more than a report may use). Ingest bounds them by batch size.
 */
export const UNLIMITED_INSERT_SETTINGS = { ...PARTITION_BOUND, max_execution_time: 0, max_memory_usage: '0' };
