// A reader that goes away (`swarmlab run ... | head -1`, `| true`) closes our standard output, and the
// next write fails with EPIPE. That is no error of the run: its files are written all the same. Without a
// listener, Node throws the EPIPE from the stream with a stack trace; with one, later writes are dropped.

export function quietOnClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    // Any other failure of a standard stream: nothing can be printed on it; fail the command.
    process.exitCode = 1;
  });
}
