// Command lines to show people and to paste into a shell.

/** One shell command line: arguments quoted for a POSIX shell where they need it. */
export function shellLine(args: readonly string[]): string {
  return args
    .map((arg) => (/^[A-Za-z0-9_./:=,+@%-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))
    .join(' ');
}
