// Runs the CLI in this process through main(), capturing what it prints: much faster than a child
// process, for every test that needs no real process (signals, pipes, limits).
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[]): Promise<InProcessResult> {
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
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
