// The threads runtime gives every rank a worker thread, and each thread is a V8 isolate of its own:
// about 9 MB before it does anything (measured: 300 clients took 2.7 GB, 800 took 6.6 GB). Nothing
// else in a run comes close, so the run's memory is known before it starts.

/** Memory one rank's thread takes, measured on Node 20 (issue 11: 2.7 GB for 300 clients). */
export const BYTES_PER_THREAD = 9 * 2 ** 20;

/** The memory a threads run of `clients` clients (and the tracker) takes, at least. */
export function threadsMemoryBytes(clients: number): number {
  return (clients + 1) * BYTES_PER_THREAD;
}
