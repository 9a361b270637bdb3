// Debian's opentracker for interop tests, on a loopback address only. Debian builds it whitelist-only:
// it answers only for the info-hashes listed (hex, one a line) in its -w file. Run as root, it chroots
// to -d and drops to `nobody`, so its folder must be readable by all and the list named relative to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';
import { hostLoopback, type NetNamespace, waitForListening } from './net-namespace.ts';

export interface Opentracker {
  readonly announceUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts opentracker on `host` (a 127.0.0.x address) for the given info-hashes, inside `namespace` (the
 * host's loopback when not given), and waits until it listens.
 */
export async function startOpentracker(
  host: string,
  infoHashes: readonly Uint8Array[],
  namespace?: NetNamespace,
): Promise<Opentracker> {
  const where = namespace ?? hostLoopback();
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-opentracker-'));
  await chmod(dir, 0o755);
  await writeFile(
    join(dir, 'whitelist'),
    infoHashes.map((hash) => `${Buffer.from(hash).toString('hex')}\n`).join(''),
    {
      mode: 0o644,
    },
  );
  const port = await freePort(host);
  const { command, args } = where.wrap('opentracker', [
    '-i',
    host,
    '-p',
    String(port),
    '-P',
    String(port),
    '-d',
    dir,
    '-w',
    'whitelist',
  ]);
  const child = spawn(command, args, { cwd: dir, stdio: 'ignore' });
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForListening(where, host, port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { announceUrl: `http://${host}:${port}/announce`, stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
