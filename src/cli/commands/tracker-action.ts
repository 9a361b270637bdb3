// What `swarmlab tracker` does (declared with its flags in tracker.ts, which loads this file when it runs).
import { networkInterfaces } from 'node:os';
import { startTracker } from '../../bittorrent/net/tracker-server.ts';
import { DEFAULT_LIMITS, type TrackerLimits } from '../../bittorrent/net/tracker-swarms.ts';
import { listenError } from '../errors.ts';
import { interrupted } from '../signals.ts';
import type { TrackerFlags } from './tracker.ts';

/** How often a line says how many torrents and peers the tracker knows, when that has changed. */
const STATUS_EVERY_MS = 30_000;

export async function tracker(flags: TrackerFlags): Promise<void> {
  // Listening for the signals before anything else: a signal that comes early still stops it cleanly.
  const stopped = interrupted();
  const limits = timingFor(flags.interval);
  const tracker = await startTracker({ host: flags.host, port: flags.port, limits }).catch(
    (error: unknown) => {
      throw listenError(flags.host, flags.port, error);
    },
  );
  process.stdout.write(
    `tracker listening on ${tracker.host}:${tracker.port}; ${announceUrls(tracker.host, tracker.port)}\n`,
  );
  let last = '';
  const status = setInterval(() => {
    const line = `${tracker.swarms.torrentCount} torrents, ${tracker.swarms.peerCount} peers`;
    if (line !== last && !flags.quiet) process.stdout.write(`${line}\n`);
    last = line;
  }, STATUS_EVERY_MS);
  const signal = await stopped;
  clearInterval(status);
  await tracker.close();
  if (!flags.quiet) process.stdout.write(`tracker stopped (${signal})\n`);
}

/** An announce interval's timing: peers may announce again no sooner than 30 s, or the interval if shorter. */
function timingFor(intervalS: number): Partial<TrackerLimits> {
  return {
    intervalS,
    minIntervalS: Math.min(DEFAULT_LIMITS.minIntervalS, intervalS),
    peerTimeoutS: 2 * intervalS + 60,
  };
}

/** The announce URL, or the URLs, when the tracker listens on every address, by which others reach it. */
function announceUrls(host: string, port: number): string {
  if (host !== '0.0.0.0' && host !== '::')
    return `announce URL http://${host.includes(':') ? `[${host}]` : host}:${port}/announce`;
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((face) => face !== undefined && face.family === 'IPv4' && !face.internal)
    .map((face) => face?.address);
  const hosts = addresses.length > 0 ? addresses.join(', ') : "this machine's address";
  return `announce URL http://HOST:${port}/announce, HOST one of ${hosts}`;
}
