// Runs the CLI in this process through main(), capturing what it prints: much faster than a child
// process (no Node start, no tsx compile of the whole CLI: about a second each on this machine), for
// every test that needs no real process (signals, pipes, limits, the launcher, sweep's own children).
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one at a time: the capture replaces this process's stdout and stderr while a run lasts. */
let queue: Promise<unknown> = Promise.resolve();

export function runCli(args: readonly string[]): Promise<InProcessResult> {
  const run = queue.then(() => capturing(args));
  queue = run.catch(() => undefined);
  return run;
}

async function capturing(args: readonly string[]): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const capture =
    (append: (text: string) => void) =>
    (chunk: unknown, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(
    capture((text) => {
      stdout += text;
    }) as typeof process.stdout.write,
  );
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(
    capture((text) => {
      stderr += text;
    }) as typeof process.stderr.write,
  );
  // As in a child with piped output: no progress bars, whatever the terminal running the tests.
  const ttys = [process.stdout, process.stderr].map((stream) => {
    const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
    Object.defineProperty(stream, 'isTTY', { value: undefined, configurable: true, writable: true });
    return () => {
      if (own === undefined) delete (stream as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(stream, 'isTTY', own);
    };
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const restore of ttys) restore();
  }
}
