/**
 * Attribute values a wrapper already redacted (tool arguments, commands), so the
 * redaction processor does not scan them twice. Trusted only for the same
 * redactor and only while the value is unchanged.
 */
import type { Attributes } from '@opentelemetry/api';
import { FULCRUM, type Redactor } from '@fulcrum/vocab';

export interface RedactedValues {
  redactor: Redactor;
  values: Readonly<Record<string, unknown>>;
}

/** Stored on the span itself: a WeakMap costs more than the scan it saves. */
const MARK = Symbol('fulcrum.redacted');
type Marked = { [MARK]?: RedactedValues };

/** Attribute keys whose values the wrappers redact themselves (the redaction pass checks for these two keys only). */
export const REDACTED_BY_WRAPPERS: readonly string[] = [FULCRUM.TOOL_ARGS, FULCRUM.COMMAND];

/**
 * True when the caller's own attributes set one of those keys: the value could
 * then be theirs, unredacted, so nothing may be trusted for that span.
 */
export function callerSetsRedactedKey(attributes: Attributes | undefined): boolean {
  if (attributes === undefined) return false;
  for (const key of REDACTED_BY_WRAPPERS) if (attributes[key] !== undefined) return true;
  return false;
}

export function markRedacted(span: object, redactor: Redactor, attributes: Attributes): void {
  const values: Record<string, unknown> = {};
  let any = false;
  for (const key of REDACTED_BY_WRAPPERS) {
    if (attributes[key] !== undefined) {
      values[key] = attributes[key];
      any = true;
    }
  }
  if (any) (span as Marked)[MARK] = { redactor, values };
}

export function redactedValues(span: object): RedactedValues | undefined {
  return (span as Marked)[MARK];
}
