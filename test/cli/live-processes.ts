// Long-running processes for the live-swarm tests (`swarmlab seed`, `swarmlab tracker`, aria2c,
// qBittorrent): started with a deadline, waited on for a line that says they are ready, and stopped
// (SIGINT, then SIGKILL) by the test that started them. Every address is on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { hostLoopback, type NetNamespace } from '../bittorrent/support/net-namespace.ts';
import { ROOT, swarmlab } from './spawn.ts';

/** A process is killed after this long whatever happens, so that a hang fails instead of stalling. */
const LIFETIME_MS = 90_000;

export interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (stdout and stderr). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGINT (then SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts `command args` inside `namespace` (the host's loopback when not given). */
export function start(
  command: string,
  args: readonly string[],
  options: { cwd?: string; namespace?: NetNamespace } = {},
): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  const wrapped = (options.namespace ?? hostLoopback()).wrap(command, args);
  const child = spawn(wrapped.command, wrapped.args, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const killer = setTimeout(() => child.kill('SIGKILL'), LIFETIME_MS);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      for (const listener of listeners) listener();
      resolve(code);
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    exited,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match !== null) {
            finish();
            resolve(match);
          } else if (done) {
            finish();
            reject(new Error(`${command} exited before printing ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${command} did not print ${pattern} in ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 5000) {
      if (!done) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `swarmlab ARGS` as a long-running process (through tsx, as the CLI tests run it), inside `namespace`. */
export function startSwarmlab(args: readonly string[], namespace?: NetNamespace): Running {
  return start(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...args], {
    ...(namespace === undefined ? {} : { namespace }),
  });
}

/** `swarmlab make-torrent SOURCE` in 64 KiB pieces, announcing to `tracker`; returns the torrent's path. */
export async function makeTorrent(source: string, tracker: string, torrent: string): Promise<string> {
  const made = await swarmlab([
    'make-torrent',
    source,
    '--tracker',
    tracker,
    '--piece-length',
    '65536',
    '-o',
    torrent,
    '-q',
  ]);
  expect(made.code, made.stderr).toBe(0);
  return torrent;
}
