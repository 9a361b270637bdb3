// Exit codes, as the README documents them: 0 done, 2 bad input or usage, 1 anything else.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A flag value the CLI rejects before doing anything. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
