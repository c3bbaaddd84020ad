/** Copies the session id from the parent context onto every span as gen_ai.conversation.id. */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GEN_AI } from '@fulcrum/vocab';
import { getSessionId } from './session-context.js';

export class SessionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const id = getSessionId(parentContext);
    if (id !== undefined && span.attributes[GEN_AI.CONVERSATION_ID] === undefined) {
      span.setAttribute(GEN_AI.CONVERSATION_ID, id);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
