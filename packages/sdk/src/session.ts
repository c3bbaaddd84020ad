/** withSession and traceSubagent: the agent spans that everything else nests under. */
import { type Attributes, type Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { FULCRUM, GEN_AI, GEN_AI_OPERATION } from '@fulcrum/vocab';
import { runInSpan } from './run.js';
import { setSessionId } from './session-context.js';
import { activeContext, withContext } from './state.js';

export interface SessionMeta {
  /** gen_ai.conversation.id on this span and every span inside. Default: a random UUID. */
  sessionId?: string;
  /** gen_ai.agent.name; also names the span. Default: none. */
  agentName?: string;
  /** gen_ai.agent.id. Default: none. */
  agentId?: string;
  /** fulcrum.use_case: feature, bugfix, review, ... Default: none. */
  useCase?: string;
  /** gen_ai.provider.name of the main model. Default: none. */
  provider?: string;
  /** gen_ai.request.model of the main model. Default: none. */
  model?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

export interface SubagentMeta {
  /** gen_ai.agent.name; also names the span. */
  name: string;
  /** fulcrum.subagent.type, e.g. Explore, general-purpose. Default: none. */
  type?: string;
  /** gen_ai.agent.id. Default: none. */
  agentId?: string;
  /** Extra span attributes. Default: none. */
  attributes?: Attributes;
}

function agentSpanName(name: string | undefined): string {
  return name ? `${GEN_AI_OPERATION.INVOKE_AGENT} ${name}` : GEN_AI_OPERATION.INVOKE_AGENT;
}

function put(attrs: Attributes, key: string, value: string | undefined): void {
  if (value !== undefined) attrs[key] = value;
}

/** Runs fn in a session root span; every span started inside carries the session id. */
export function withSession<T>(meta: SessionMeta, fn: (span: Span) => T): T {
  const sessionId = meta.sessionId ?? randomUUID();
  const attributes: Attributes = {
    ...meta.attributes,
    [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
    [GEN_AI.CONVERSATION_ID]: sessionId,
    [FULCRUM.SPAN_TYPE]: 'session',
  };
  put(attributes, GEN_AI.AGENT_NAME, meta.agentName);
  put(attributes, GEN_AI.AGENT_ID, meta.agentId);
  put(attributes, FULCRUM.USE_CASE, meta.useCase);
  put(attributes, GEN_AI.PROVIDER_NAME, meta.provider);
  put(attributes, GEN_AI.REQUEST_MODEL, meta.model);
  const ctx = setSessionId(activeContext(), sessionId);
  return withContext(ctx, () => runInSpan({ name: agentSpanName(meta.agentName), attributes }, fn));
}

/** Runs fn in a nested agent span (a subagent the main agent delegated to). */
export function traceSubagent<T>(meta: SubagentMeta, fn: (span: Span) => T): T {
  const attributes: Attributes = {
    ...meta.attributes,
    [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION.INVOKE_AGENT,
    [GEN_AI.AGENT_NAME]: meta.name,
    [FULCRUM.SPAN_TYPE]: 'agent',
  };
  put(attributes, FULCRUM.SUBAGENT_TYPE, meta.type);
  put(attributes, GEN_AI.AGENT_ID, meta.agentId);
  return runInSpan({ name: agentSpanName(meta.name), attributes }, fn);
}
