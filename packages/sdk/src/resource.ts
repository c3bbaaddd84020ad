/** The resource attributes startTracing and fulcrumSpanProcessors describe the harness with. */
import type { Attributes } from '@opentelemetry/api';
import { FULCRUM, GENERAL } from '@fulcrum/vocab';
import { parseKeyValueList, type Env } from './otel-env.js';

export interface HarnessDescription {
  /** service.name. Default: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else `fulcrum-agent`. */
  serviceName?: string;
  /** fulcrum.team. Default: none. */
  team?: string;
  /** fulcrum.repository. Default: none. */
  repository?: string;
  /** fulcrum.harness: claude-code, codex, gemini-cli or your harness. Default: none. */
  harness?: string;
  /** fulcrum.use_case. Default: none. */
  useCase?: string;
  /** fulcrum.project. Default: none. */
  project?: string;
  /** user.id; only recorded when given. Default: none. */
  userId?: string;
  /**
   * process.working_directory, against which ingest stores file paths relative
   * (so `./a.ts` and `<cwd>/a.ts` are one file). Default: process.working_directory
   * in OTEL_RESOURCE_ATTRIBUTES, else process.cwd().
   */
  workingDirectory?: string;
  /** More resource attributes, over OTEL_RESOURCE_ATTRIBUTES. Default: none. */
  resourceAttributes?: Attributes;
}

/** process.cwd(), or undefined when the directory is gone (cwd() throws then). */
function currentDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

/** OTEL_RESOURCE_ATTRIBUTES, then the options over them. */
export function harnessAttributes(o: HarnessDescription, env: Env): Attributes {
  const fromEnv = parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES);
  const attrs: Attributes = { ...fromEnv };
  attrs[GENERAL.SERVICE_NAME] = o.serviceName ?? (env.OTEL_SERVICE_NAME || undefined) ?? fromEnv[GENERAL.SERVICE_NAME] ?? 'fulcrum-agent';
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) attrs[k] = v;
  };
  put(FULCRUM.TEAM, o.team);
  put(FULCRUM.REPOSITORY, o.repository);
  put(FULCRUM.HARNESS, o.harness);
  put(FULCRUM.USE_CASE, o.useCase);
  put(FULCRUM.PROJECT, o.project);
  put(GENERAL.USER_ID, o.userId);
  put(GENERAL.PROCESS_WORKING_DIRECTORY, o.workingDirectory ?? fromEnv[GENERAL.PROCESS_WORKING_DIRECTORY] ?? currentDirectory());
  return { ...attrs, ...o.resourceAttributes };
}
