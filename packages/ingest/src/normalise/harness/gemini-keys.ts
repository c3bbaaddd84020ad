import { argsHash, canonicalArgs } from '@fulcrum/vocab';

/**
 * Gemini's tool_call event and its tool_call span share no call id, but both
 * name the trace of the scheduling step, the function and its arguments.
 */
export function geminiToolKey(traceId: string, name: string, args: string): string {
  return `${traceId}:${name}:${args}`;
}

export function argsKey(args: unknown): string {
  return args === undefined ? '' : argsHash(canonicalArgs(args, Infinity, (s) => s));
}
