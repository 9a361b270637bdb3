// The one error type for bad user input: it names the file, the line where it can, and what is wrong,
// so the CLI can print `path:line: what is wrong` and exit 2 without a stack trace.

export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    readonly path: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${path}: ${problem}` : `${path}:${line}: ${problem}`);
  }
}
