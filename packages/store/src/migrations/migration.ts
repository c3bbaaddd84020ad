/** A numbered schema change. Statements run in order, once per store. */
export interface Migration {
  id: number;
  name: string;
  statements: (ctx: MigrationContext) => string[];
}

export interface MigrationContext {
  /** ClickHouse cluster name for replicated + Distributed tables. @default undefined (single node) */
  cluster?: string;
}
