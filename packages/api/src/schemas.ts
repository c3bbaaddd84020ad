import { ERRORS } from '@fulcrum/vocab';
import type { Endpoint } from './endpoints.js';
import { RESULT_SCHEMAS } from './generated/schemas.js';
import { querystringSchema } from './params.js';

/** The body of every error answer. */
export const ERROR_SCHEMA = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERRORS), description: 'the error catalogue entry' },
        message: { type: 'string' },
        id: { type: 'string', description: 'on a 500 only: the id the server logged the error under' },
      },
    },
  },
} as const;

/** The named schemas routes refer to: the result types (generated from the query package's types) and the error body. */
export const SHARED_SCHEMAS: readonly { $id: string }[] = [...Object.values(RESULT_SCHEMAS), ERROR_SCHEMA];

const errorRef = (description: string) => ({ description, $ref: 'Error#' });

/** The error answers every API operation may give, as the OpenAPI document lists them. */
const ERROR_RESPONSES = {
  400: errorRef('a parameter is invalid or unknown'),
  401: errorRef('no API key, or an unknown one, while keys are required'),
  403: errorRef('the API key is revoked, or of another project'),
  422: errorRef('the query was stopped at the server\'s time or memory limit: narrow the range or scope'),
  429: errorRef('rate or concurrency limit of the project exceeded; see Retry-After'),
  500: errorRef('an unexpected error; the answer carries the id the server logged it under'),
  503: errorRef('the store is unavailable or the server overloaded; see Retry-After'),
} as const;

/** A Fastify route schema for an endpoint: its own parameters, its result type and its errors. */
export function routeSchema(endpoint: Endpoint) {
  const ok = endpoint.response.list ? { type: 'array', items: { $ref: `${endpoint.response.type}#` } } : { $ref: `${endpoint.response.type}#` };
  const headers = endpoint.totalHeader ? { [endpoint.totalHeader]: { type: 'integer', description: 'items in scope before limit and offset' } } : undefined;
  const pathId = endpoint.path.includes(':id');
  return {
    summary: endpoint.summary,
    tags: ['query'],
    querystring: querystringSchema(endpoint.params),
    ...(pathId ? { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, description: 'the session id, as `fulcrum sessions` lists it' } } } } : {}),
    response: {
      200: { description: 'OK', ...ok, ...(headers ? { headers } : {}) },
      ...ERROR_RESPONSES,
      ...(pathId ? { 404: errorRef('no such session in the project') } : {}),
    },
  };
}


