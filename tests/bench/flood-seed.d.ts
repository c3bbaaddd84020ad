import type { Store } from '@fulcrum/store';

/** Inserts `count` spans into project `default`; resolves to the milliseconds it took. */
export function seedFloodSpans(store: Store, count: number): Promise<number>;
