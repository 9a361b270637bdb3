// `swarmlab tracker` as a child process on loopback: it says where it listens, answers, and stops on a
// signal. The tracker's behaviour is tested in test/bittorrent/net/.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { announce } from '../../src/bittorrent/net/tracker-client.ts';
import { ROOT, SPAWN_TIMEOUT_MS, swarmlab } from './spawn.ts';

interface Running {
  readonly child: ChildProcess;
  /** The first line printed. */
  readonly firstLine: Promise<string>;
  output(): string;
  readonly exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

function startTrackerCli(args: readonly string[]): Running {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'tracker', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SPAWN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    },
  );
  started.push(child);
  let stdout = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string);
    });
    child.on('exit', () => reject(new Error(`tracker exited before saying where it listens: ${stdout}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, firstLine, output: () => stdout, exited };
}

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('swarmlab tracker', () => {
  it('says where it listens, answers announces, and stops cleanly on SIGTERM', async () => {
    const tracker = startTrackerCli(['--host', '127.0.0.1', '--port', '0']);
    const line = await tracker.firstLine;
    const match =
      /^tracker listening on 127\.0\.0\.1:(\d+); announce URL (http:\/\/127\.0\.0\.1:\d+\/announce)$/.exec(
        line,
      );
    expect(match, line).not.toBeNull();
    const answer = await announce(match?.[2] as string, {
      infoHash: new Uint8Array(20),
      peerId: new Uint8Array(20).fill(65),
      port: 6881,
      uploaded: 0,
      downloaded: 0,
      left: 0,
      event: 'started',
    });
    expect(answer).toMatchObject({ ok: true, peers: [], complete: 1 });
    tracker.child.kill('SIGTERM');
    expect(await tracker.exited).toBe(0);
    expect(tracker.output()).toBe(`${line}\ntracker stopped (SIGTERM)\n`);
  });

  it('tells peers to announce every --interval seconds', async () => {
    const tracker = startTrackerCli(['--port', '0', '--interval', '5', '-q']);
    const url = /announce URL (\S+)$/.exec(await tracker.firstLine)?.[1] as string;
    const answer = await announce(url, {
      infoHash: new Uint8Array(20),
      peerId: new Uint8Array(20).fill(66),
      port: 6881,
      uploaded: 0,
      downloaded: 0,
      left: 10,
    });
    expect(answer).toMatchObject({ ok: true, intervalS: 5, minIntervalS: 5 });
    tracker.child.kill('SIGTERM');
    expect(await tracker.exited).toBe(0);
  });

  it('prints only where it listens with -q', async () => {
    const tracker = startTrackerCli(['--port', '0', '-q']);
    const line = await tracker.firstLine;
    expect(line).toMatch(/^tracker listening on 127\.0\.0\.1:\d+; /);
    tracker.child.kill('SIGINT');
    expect(await tracker.exited).toBe(0);
    expect(tracker.output()).toBe(`${line}\n`);
  });

  it('refuses a port in use, and a port out of range, with exit 2', async () => {
    const first = startTrackerCli(['--port', '0', '-q']);
    const port = /:(\d+);/.exec(await first.firstLine)?.[1] as string;
    const second = await swarmlab(['tracker', '--host', '127.0.0.1', '--port', port]);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`swarmlab: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
    first.child.kill('SIGTERM');
    await first.exited;
    const range = await swarmlab(['tracker', '--port', '70000']);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--port takes a whole number from 0 to 65535');
  });
});
