/**
 * The decoded OTLP shapes both the protobuf and the JSON decoders produce, so
 * one normaliser serves both encodings and they give identical rows.
 * Attributes are already flattened to strings (arrays and maps as JSON), ids
 * are lowercase hex, timestamps are nanosecond decimal strings.
 */
export type Attributes = Record<string, string>;

export interface DecodedScope {
  name: string;
  version: string;
}

export interface DecodedEvent {
  timeUnixNano: string;
  name: string;
  attributes: Attributes;
}

export interface DecodedLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP SpanKind number (0 unspecified … 5 consumer). */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events: DecodedEvent[];
  links: DecodedLink[];
  /** OTLP StatusCode number (0 unset, 1 ok, 2 error). */
  statusCode: number;
  statusMessage: string;
}

export interface DecodedScopeSpans {
  scope: DecodedScope;
  spans: DecodedSpan[];
}

export interface DecodedResourceSpans {
  resource: Attributes;
  scopeSpans: DecodedScopeSpans[];
}
