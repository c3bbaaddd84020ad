/** traceSkill: a span for one skill invocation. */
import type { Attributes, Span } from '@opentelemetry/api';
import { FULCRUM } from '@fulcrum/vocab';
import { runInSpan } from './run.js';

/** Runs fn in a `skill {name}` span (fulcrum.span.type=skill, fulcrum.skill.name). */
export function traceSkill<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
  const attrs: Attributes = { ...attributes, [FULCRUM.SPAN_TYPE]: 'skill', [FULCRUM.SKILL_NAME]: name };
  return runInSpan({ name: `skill ${name}`, attributes: attrs, markSuccess: true }, fn);
}
