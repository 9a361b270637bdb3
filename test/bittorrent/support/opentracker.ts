// Debian's opentracker for interop tests, on a loopback address only. Debian builds it whitelist-only:
// it answers only for the info-hashes listed (hex, one a line) in its -w file. Run as root, it chroots
// to -d and drops to `nobody`, so its folder must be readable by all and the list named relative to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Opentracker {
  readonly announceUrl: string;
  stop(): Promise<void>;
}

/** A free TCP port on `host` (free when asked; the caller binds it at once). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts opentracker on `host` (a 127.0.0.x address) for the given info-hashes, and waits until it listens. */
export async function startOpentracker(
  host: string,
  infoHashes: readonly Uint8Array[],
): Promise<Opentracker> {
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
  const child = spawn(
    'opentracker',
    ['-i', host, '-p', String(port), '-P', String(port), '-d', dir, '-w', 'whitelist'],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(host, port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { announceUrl: `http://${host}:${port}/announce`, stop };
}

/** Tries to connect every 50 ms, 100 times at most. */
async function waitForPort(host: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`opentracker did not listen on ${host}:${port} within 5 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
