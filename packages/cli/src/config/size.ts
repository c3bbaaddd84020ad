/** Bytes per size unit: binary units, as disks and memory limits are counted. */
const UNIT_BYTES = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 } as const;

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kib|mib|gib|tib)?$/i;

/**
 * A size such as "512MiB", "2GiB", "1.5GiB" or a number of bytes, as whole bytes.
 * Returns the reason as a string when it is not one.
 */
export function parseSize(value: string): number | string {
  const m = SIZE.exec(value.trim());
  if (!m) return 'must be a size like 512MiB, 2GiB or a number of bytes';
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[(m[2]?.toLowerCase() ?? 'b') as keyof typeof UNIT_BYTES]);
  return Number.isSafeInteger(bytes) ? bytes : 'must be at most 8 PiB';
}
