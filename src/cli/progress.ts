// Progress bars on standard error when it is a terminal; nothing when output is piped or --quiet.
// The bars leave the cursor and line wrap as they are: a run stopped by Ctrl-C (the simulator's loop is
// synchronous, so no handler could run to restore them) or by an error leaves the terminal as it found it.
import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import type { SwarmProgress } from '../bittorrent/sim/run-types.ts';

// cli-progress (CommonJS, with its string-width and emoji tables) is loaded only when a bar is drawn:
// a command run with -q or with its output piped, such as each leecher of a benchmark, never pays for it.
const require = createRequire(import.meta.url);

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** Where bars are drawn: standard error, or a stream a test gives. */
export type BarStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

const silent: Progress = { update() {}, stop() {} };

function bar(format: string, stream: BarStream): SingleBar {
  const { SingleBar: Bar } = require('cli-progress') as typeof import('cli-progress');
  return new Bar({
    format,
    stream,
    // No escape codes that need undoing: the cursor stays, and lines are cut to the terminal's width.
    hideCursor: false,
    linewrap: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
}

export function progressBar(
  total: number,
  label: string,
  enabled: boolean,
  options: { readonly starting?: string; readonly stream?: BarStream } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  if (!enabled || !stream.isTTY || total === 0) return silent;
  // Worker threads take seconds to start: say so, rather than show a bar that does not move.
  if (options.starting !== undefined) stream.write(`${options.starting}\n`);
  const shown = bar(
    `${label} [{bar}] {percentage}% | {value}/{total} segments | {duration}s | ETA {eta_formatted}`,
    stream,
  );
  shown.start(total, 0);
  return {
    update: (done) => shown.update(Math.min(done, total)),
    stop: () => shown.stop(),
  };
}

export interface SwarmProgressBar {
  update(progress: SwarmProgress): void;
  stop(): void;
}

/**
 * The simulator's bar: bytes delivered of the bytes the leechers want (peers done lag far behind: in a
 * flash crowd most finish in the last tenth of the run), with an ETA at the pace so far.
 */
export function swarmProgressBar(enabled: boolean, stream: BarStream = process.stderr): SwarmProgressBar {
  if (!enabled || !stream.isTTY) return { update() {}, stop() {} };
  const shown = bar(
    'simulate [{bar}] {percentage}% of {wanted} delivered | {completed}/{peers} peers done | virtual {virtual} | ETA {eta_formatted}',
    stream,
  );
  let started = false;
  return {
    update(progress) {
      const tokens = {
        wanted: megabytes(progress.wantedBytes),
        completed: progress.completed,
        peers: progress.total,
        virtual: `${progress.timeS.toFixed(0)} s`,
      };
      const total = Math.max(progress.wantedBytes, 1);
      if (!started) {
        shown.start(total, progress.deliveredBytes, tokens);
        started = true;
      } else {
        // Peers arriving over time add to what is wanted.
        if (total !== shown.getTotal()) shown.setTotal(total);
        shown.update(progress.deliveredBytes, tokens);
      }
    },
    stop: () => {
      if (started) shown.stop();
    },
  };
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** The sweep's bar: runs finished of those to run, with the time left at the pace so far. */
export function sweepProgressBar(
  total: number,
  jobs: number,
  enabled: boolean,
  stream: BarStream = process.stderr,
): Progress {
  if (!enabled || !stream.isTTY || total === 0) return silent;
  const shown = bar(
    `sweep [{bar}] {value}/{total} runs on ${jobs} job${jobs === 1 ? '' : 's'} | {duration_formatted} | ETA {eta_formatted}`,
    stream,
  );
  shown.start(total, 0);
  return {
    update: (done) => shown.update(Math.min(done, total)),
    stop: () => shown.stop(),
  };
}

/** `get`'s bar: bytes of verified pieces on disk of the torrent's, with the rate and time left. */
export function downloadProgressBar(
  totalBytes: number,
  enabled: boolean,
  stream: BarStream = process.stderr,
): { update(doneBytes: number, peers: number): void; stop(): void } {
  if (!enabled || !stream.isTTY || totalBytes === 0) return { update() {}, stop() {} };
  const shown = bar(
    'get [{bar}] {percentage}% of {size} | {rate} | {peers} peers | {duration_formatted} | ETA {eta_formatted}',
    stream,
  );
  const startedMs = Date.now();
  shown.start(totalBytes, 0, { size: megabytes(totalBytes), rate: '0 MB/s', peers: 0 });
  return {
    update(doneBytes, peers) {
      const seconds = Math.max((Date.now() - startedMs) / 1000, 1e-3);
      shown.update(doneBytes, { rate: `${(doneBytes / seconds / 1e6).toFixed(1)} MB/s`, peers });
    },
    stop: () => shown.stop(),
  };
}
