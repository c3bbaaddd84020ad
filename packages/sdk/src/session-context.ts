/** The session id travels in the context, so every span started inside a session can carry it. */
import { createContextKey, propagation, type Context } from '@opentelemetry/api';
import { GEN_AI } from '@fulcrum/vocab';

export const SESSION_ID_KEY = createContextKey('fulcrum.session_id');

/** The session id in ctx: our context key first, then W3C baggage `gen_ai.conversation.id` or `session.id`. */
export function getSessionId(ctx: Context): string | undefined {
  const own = ctx.getValue(SESSION_ID_KEY);
  if (typeof own === 'string') return own;
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return undefined;
  return baggage.getEntry(GEN_AI.CONVERSATION_ID)?.value ?? baggage.getEntry('session.id')?.value;
}

export function setSessionId(ctx: Context, sessionId: string): Context {
  return ctx.setValue(SESSION_ID_KEY, sessionId);
}
