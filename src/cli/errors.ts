// Exit codes, as the README documents them: 0 done, 2 bad input or usage, 1 anything else.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A flag value the CLI rejects before doing anything. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use',
  EACCES: 'not permitted (a port below 1024 needs privileges)',
  EADDRNOTAVAIL: 'the address is not one of this machine',
  ENOTFOUND: 'no such host',
};

/**
 * A listen on `host:port` that failed for a reason the user can fix (the tracker's, a seed's or a
 * leecher's) is a usage error (exit 2); any other failure is returned as it is.
 */
export function listenError(host: string, port: number, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : LISTEN_PROBLEMS[code];
  return problem === undefined ? error : new UsageError(`cannot listen on ${host}:${port}: ${problem}`);
}
