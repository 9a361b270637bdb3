// The one way a command says what it wrote: a line per file, so that a user (or a script) knows them all.

export function printWritten(paths: readonly string[]): void {
  for (const path of paths) process.stdout.write(`wrote ${path}\n`);
}
