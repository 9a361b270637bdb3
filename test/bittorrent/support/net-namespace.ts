// A network namespace of its own for an interop test, with only `lo` up, so that no client it starts
// (aria2c, qBittorrent, opentracker, swarmlab's own processes) can reach or be reached by anything but
// the others: a sleeper made by `unshare -n` holds the namespace open, and each client enters it with
// `nsenter`. Where namespaces are not permitted (an unprivileged CI without user namespaces, no `ip`),
// the clients run on the host's loopback instead, and `reason` says why.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

/** The sleeper ends by itself after this long, should the test that made it die without closing it. */
const SLEEPER_S = 900;
/** How long `unshare` and `ip link set lo up` may take before the namespace is given up. */
const READY_MS = 5_000;

export interface NetNamespace {
  /** Whether the clients run in a namespace of their own; false: on the host's loopback. */
  readonly isolated: boolean;
  /** Where the clients run and, on the host's loopback, why. */
  readonly reason: string;
  /** The command line that runs `command args` inside (unchanged on the host's loopback). */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Whether something listens on TCP `host:port` inside. */
  isListening(host: string, port: number): Promise<boolean>;
  /** Ends the sleeper; a client still inside keeps the namespace until it exits. */
  close(): Promise<void>;
}

/**
 * A fresh namespace with only `lo` up: `unshare -n` as root, else `unshare -rn` (a user namespace of its
 * own) where user namespaces are permitted, else the host's loopback.
 */
export async function openNetNamespace(): Promise<NetNamespace> {
  // To run a test as it runs where namespaces are not permitted.
  if (process.env.SWARMLAB_TEST_NETNS === '0')
    return hostLoopback("SWARMLAB_TEST_NETNS=0: clients run on the host's loopback");
  const failures: string[] = [];
  for (const userNamespace of [false, true]) {
    const opened = await openSleeper(userNamespace);
    if (typeof opened !== 'string') return inside(opened, userNamespace);
    failures.push(`unshare ${userNamespace ? '-rn' : '-n'}: ${opened}`);
  }
  return hostLoopback(`no network namespace (${failures.join('; ')}): clients run on the host's loopback`);
}

/** Starts the sleeper; resolves with it once `lo` is up inside, or with why it could not. */
function openSleeper(userNamespace: boolean): Promise<ChildProcess | string> {
  const flags = userNamespace ? ['--user', '--map-root-user', '--net'] : ['--net'];
  const script = `ip link set lo up && echo up && exec sleep ${SLEEPER_S}`;
  const sleeper = spawn('unshare', [...flags, '--', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve) => {
    let output = '';
    const give = (result: ChildProcess | string) => {
      clearTimeout(timer);
      if (typeof result === 'string') sleeper.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(() => give(`not ready in ${READY_MS} ms`), READY_MS);
    sleeper.on('error', (error) => give(error.message));
    sleeper.on('exit', () => give(output.trim() || 'exited'));
    sleeper.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    sleeper.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('up')) give(sleeper);
    });
  });
}

function inside(sleeper: ChildProcess, userNamespace: boolean): NetNamespace {
  const pid = String(sleeper.pid);
  const enter = userNamespace ? ['--user', '--net', '--preserve-credentials'] : ['--net'];
  return {
    isolated: true,
    reason: `clients run in a network namespace of their own (unshare ${userNamespace ? '-rn' : '-n'}), only lo up`,
    wrap: (command, args) => ({
      command: 'nsenter',
      args: ['--target', pid, ...enter, '--', command, ...args],
    }),
    // The test's own process stays outside, so it reads the namespace's sockets rather than connecting.
    isListening: async (host, port) =>
      listensIn(await readFile(`/proc/${pid}/net/tcp`, 'utf8').catch(() => ''), host, port),
    close: async () => {
      if (sleeper.exitCode !== null || sleeper.signalCode !== null) return;
      const exited = new Promise((resolve) => sleeper.once('exit', resolve));
      sleeper.kill('SIGKILL');
      await exited;
    },
  };
}

/** The host's loopback, for a test that does not ask for a namespace or cannot have one. */
export function hostLoopback(reason = "clients run on the host's loopback"): NetNamespace {
  return {
    isolated: false,
    reason,
    wrap: (command, args) => ({ command, args: [...args] }),
    isListening: (host, port) =>
      new Promise((resolve) => {
        const socket = connect({ host, port }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    close: async () => {},
  };
}

/** Whether /proc's `net/tcp` table lists a socket listening on `host:port` (addresses little-endian hex). */
function listensIn(table: string, host: string, port: number): boolean {
  const address = host
    .split('.')
    .map((octet) => Number(octet).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
  const wanted = `${address}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
  const LISTEN = '0A';
  return table
    .split('\n')
    .slice(1)
    .some((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local === wanted && state === LISTEN;
    });
}

/** Polls `isListening` every 50 ms, 100 times at most. */
export async function waitForListening(namespace: NetNamespace, host: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await namespace.isListening(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on ${host}:${port} within 5 s (${namespace.reason})`);
}
