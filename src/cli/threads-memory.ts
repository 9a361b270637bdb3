// Before a threads run starts: its memory is known (a V8 isolate per rank), so a run the machine
// cannot hold is refused with the figure, and one that takes much of it is warned of.
import { BYTES_PER_THREAD, threadsMemoryBytes } from '../classic/threads/memory.ts';

/** Above this share of the machine's memory a threads run is refused; above a quarter, warned of. */
const REFUSE_SHARE = 0.75;
const WARN_SHARE = 0.25;

export type ThreadsMemoryCheck =
  | { readonly kind: 'ok' }
  | { readonly kind: 'warn' | 'refuse'; readonly message: string };

export function threadsMemoryCheck(clients: number, usableBytes: number): ThreadsMemoryCheck {
  const needed = threadsMemoryBytes(clients);
  const figure =
    `${clients + 1} threads take about ${gib(needed)} of memory ` +
    `(${BYTES_PER_THREAD / 2 ** 20} MiB each), of the ${gib(usableBytes)} this machine has`;
  if (needed > usableBytes * REFUSE_SHARE) return { kind: 'refuse', message: `${figure}: use --runtime sim` };
  if (needed > usableBytes * WARN_SHARE) return { kind: 'warn', message: figure };
  return { kind: 'ok' };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
