/**
 * Sets one attribute. Plain assignment of the key `__proto__` would set the
 * map's prototype (or, for a string, do nothing) instead of storing it; a
 * client may name an attribute anything, so that key is defined as an own
 * property like every other.
 */
export function setAttribute<T>(attrs: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(attrs, key, { value, enumerable: true, writable: true, configurable: true });
  else attrs[key] = value;
}
