// Debian's aria2c for interop tests, on loopback only, with every way of finding peers but the tracker
// turned off (DHT, local peer discovery, peer exchange), so that a test knows where its peers come from.
import { type ChildProcess, spawn } from 'node:child_process';
import { ARIA2_OFFLINE } from './aria2-offline.mjs';
import { hostLoopback, type NetNamespace } from './net-namespace.ts';

export interface Aria2 {
  readonly child: ChildProcess;
  /** Everything it printed, both streams. */
  output(): string;
  /** Its exit code (null if killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Ends it (SIGTERM, then SIGKILL after 5 s) if it still runs. */
  stop(): Promise<void>;
}

/** Runs `aria2c ...ARIA2_OFFLINE ...args` inside `namespace` (the host's loopback when not given). */
export function runAria2c(args: readonly string[], namespace: NetNamespace = hostLoopback()): Aria2 {
  const { command, args: wrapped } = namespace.wrap('aria2c', [...ARIA2_OFFLINE, ...args]);
  const child = spawn(command, wrapped, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    },
  };
}
