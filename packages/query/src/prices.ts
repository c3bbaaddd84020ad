import { DEFAULT_PRICES, type PriceTable } from '@fulcrum/sdk/prices';

/**
 * Input prices per token as two parallel arrays, longest key first, so SQL
 * can price a model by prefix (`arrayFirstIndex(k -> startsWith(model, k))`)
 * the way the SDK's table matches names. Used to price tokens a tool result
 * added to context when no model call reports them.
 */
export function inputPriceParams(table: PriceTable = DEFAULT_PRICES): { priceKeys: string[]; priceInput: number[] } {
  const keys = Object.keys(table).sort((a, b) => b.length - a.length);
  return { priceKeys: keys, priceInput: keys.map((k) => table[k]!.input / 1e6) };
}

/** $ per input token of a model column; 0 when the model is not in the table. */
export function inputPriceSql(modelExpr: string): string {
  return `{priceInput:Array(Float64)}[arrayFirstIndex(k -> startsWith(lower(${modelExpr}), k), {priceKeys:Array(String)})]`;
}
