/** The one error catalogue is the vocabulary's: ingest, the git and admin routes and the API answer from it. */
export { ERRORS, FulcrumError as IngestError, answerError, errorBody } from '@fulcrum/vocab';
export type { ErrorName } from '@fulcrum/vocab';
