/** A problem with how the CLI was called or with what it was pointed at: printed on one line, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
