// What needs a real process: a closed standard output (EPIPE), a limit on threads (EAGAIN), and the
// launcher killed under its simulate child (issue 11, items 4, 7, 11 and 15).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './in-process.ts';
import { listDir, makeTempDir, ROOT, removeTempDirs, SPAWN_TIMEOUT_MS, STACK_FRAME } from './spawn.ts';

afterEach(removeTempDirs);

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Runs `command args` with stdout a pipe that this side closes at once, as `| true` does. */
function withClosedStdout(command: string, args: readonly string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SPAWN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const TSX_CLI = ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts')];

describe('a closed standard output', () => {
  it('ends the run quietly, with its outputs written (no EPIPE stack trace)', async () => {
    const out = await makeTempDir('epipe');
    const ended = await withClosedStdout(process.execPath, [
      ...TSX_CLI,
      'run',
      'examples/basic',
      '--out',
      out,
    ]);
    expect(ended.stderr).not.toMatch(STACK_FRAME);
    expect(ended.stderr).not.toContain('EPIPE');
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
    expect((await listDir(out))?.length).toBe(5);
  });
});

const canDropPrivileges =
  process.getuid?.() === 0 && existsSync('/usr/bin/setpriv') && existsSync('/usr/bin/prlimit');

describe('the threads runtime under a limit on threads', () => {
  // A process limit binds only a user without privileges: run as nobody, with at most 40 of them.
  it.skipIf(!canDropPrivileges)(
    'fails with exit 1 and why when a thread cannot start, ends the threads it started, writes nothing',
    async () => {
      const dir = await makeTempDir('eagain');
      await chmod(dir, 0o777);
      const scenario = join(dir, 'in');
      expect((await runCli(['gen', scenario, '--clients', '60', '--max-segments', '10'])).code).toBe(0);
      await chmod(scenario, 0o777);
      const out = join(dir, 'out');
      const started = Date.now();
      const ended = await withClosedStdout('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--',
        'prlimit',
        '--nproc=40',
        process.execPath,
        ...TSX_CLI,
        'run',
        scenario,
        '--runtime',
        'threads',
        '--out',
        out,
      ]);
      expect({ code: ended.code, signal: ended.signal }, ended.stderr).toEqual({ code: 1, signal: null });
      expect(ended.stderr).toMatch(
        /swarmlab: ThreadStartError: cannot start the thread of rank \d+ \(EAGAIN\)/,
      );
      expect(ended.stderr).not.toMatch(STACK_FRAME);
      expect(Date.now() - started).toBeLessThan(SPAWN_TIMEOUT_MS);
      expect(await listDir(out)).toBeNull();
    },
  );
});

describe('--timeout', () => {
  it('refuses more than a timer can hold (2147483 s) with the range, instead of failing at once', async () => {
    const result = await runCli(['run', 'examples/basic', '--runtime', 'threads', '--timeout', '2147484']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--timeout takes a whole number from 1 to 2147483, got '2147484'");
  });

  it('runs with the longest timeout a timer holds', async () => {
    const out = await makeTempDir('timeout');
    const result = await runCli([
      'run',
      'examples/basic',
      '-q',
      '--runtime',
      'threads',
      '--timeout',
      '2147483',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });
});

/** The pids whose parent is `pid`, read from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const { readFile } = await import('node:fs/promises');
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the simulate child of a killed launcher', () => {
  it.skipIf(!existsSync('/proc/self/stat') || !existsSync(join(ROOT, 'dist/bundle/bin.js')))(
    'stops on its own and writes nothing when the launcher is killed with SIGKILL',
    async () => {
      const dir = await makeTempDir('orphan');
      const json = join(dir, 'run.json');
      const launcher = spawn(
        process.execPath,
        [
          join(ROOT, 'bin/swarmlab.js'),
          'simulate',
          'scenarios/flash-crowd.yaml',
          '--set',
          'peers.count=3000',
          '-q',
          '--json',
          json,
        ],
        { cwd: ROOT, stdio: 'ignore' },
      );
      let children: number[] = [];
      for (let i = 0; i < 100 && children.length === 0; i++) {
        await sleep(100);
        children = await childrenOf(launcher.pid as number);
      }
      // Without a child there is nothing to test (a machine too small to relaunch): say so.
      expect(children.length, 'the launcher started no child').toBe(1);
      await sleep(1000);
      launcher.kill('SIGKILL');
      const child = children[0] as number;
      for (let i = 0; i < 300 && alive(child); i++) await sleep(100);
      const orphaned = alive(child);
      if (orphaned) process.kill(child, 'SIGKILL');
      expect(orphaned, 'the child outlived its launcher by 30 s').toBe(false);
      expect(await listDir(dir)).toEqual([]);
    },
    60_000,
  );
});
