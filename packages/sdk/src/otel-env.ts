/** The standard OTEL_ environment variables startTracing honours. */

export type Env = Readonly<Record<string, string | undefined>>;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.trim());
  } catch {
    return s.trim();
  }
}

/** `k1=v1,k2=v2` (percent-encoded values), as in OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
export function parseKeyValueList(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = decode(pair.slice(0, eq));
    if (key) out[key] = decode(pair.slice(eq + 1));
  }
  return out;
}

export const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** The OTLP/HTTP traces URL: explicit endpoint, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is), else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
export function tracesUrl(env: Env, endpoint?: string): string {
  const join = (base: string): string => base.replace(/\/+$/, '') + '/v1/traces';
  if (endpoint) return join(endpoint);
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (signal) return signal;
  return join(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || DEFAULT_ENDPOINT);
}

/** Headers from OTEL_EXPORTER_OTLP_HEADERS, then OTEL_EXPORTER_OTLP_TRACES_HEADERS, then explicit ones. */
export function exporterHeaders(env: Env, headers?: Record<string, string>): Record<string, string> {
  return {
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    ...headers,
  };
}
