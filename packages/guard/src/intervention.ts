import type { GuardDecision, GuardPolicy } from '@fulcrum/vocab';
import type { GuardHarness } from './events.js';
import type { GuardMode } from './config.js';

/** One thing the guard did (or, in observe mode, would have done), as it is recorded in Fulcrum. */
export interface Intervention {
  harness: GuardHarness;
  sessionId: string;
  /** When it was decided, ms since the epoch. */
  timeMs: number;
  policy: GuardPolicy;
  decision: GuardDecision;
  mode: GuardMode;
  /** The classifier's waste kind for the call; '' for a budget. */
  wasteKind: string;
  toolName: string;
  /** The harness's call id; '' when it gives none. */
  toolCallId: string;
  /** Call ids of the earlier calls this one repeats. */
  anchorCallIds: string[];
  /** Estimated $ the intervention saved: one more model turn at the session's mean cost per model call (0 for notes). */
  savedUsd: number;
  /** What the model (or the human, for a blocked prompt) was told. */
  reason: string;
}
