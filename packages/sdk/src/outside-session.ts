/** The one-time warning for wrapper calls outside withSession, which ingest would store as one-call sessions. */
import type { Context } from '@opentelemetry/api';
import { warnOnce } from './log.js';
import { getSessionId } from './session-context.js';

/** Warns once per process when ctx carries no session (cheap: one context lookup when it does). */
export function checkInSession(ctx: Context, spanName: string): void {
  if (getSessionId(ctx) !== undefined) return;
  warnOnce(
    'outside-session',
    `"${spanName}" ran outside withSession(), so it is stored as a session of its own. Wrap the agent's loop in withSession({ sessionId }, ...) (this warning is shown once).`,
  );
}
