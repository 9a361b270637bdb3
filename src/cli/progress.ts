// A progress bar on standard error when it is a terminal; nothing when output is piped or --quiet.
import { SingleBar } from 'cli-progress';
import type { SwarmProgress } from '../bittorrent/sim/run-types.ts';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export function progressBar(total: number, label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || total === 0) return silent;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} segments | {duration}s`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return {
    update: (done) => bar.update(Math.min(done, total)),
    stop: () => bar.stop(),
  };
}

export interface SwarmProgressBar {
  update(progress: SwarmProgress): void;
  stop(): void;
}

/** The simulator's bar: peers done out of those that must finish, and the virtual time reached. */
export function swarmProgressBar(enabled: boolean): SwarmProgressBar {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: 'simulate [{bar}] {value}/{total} peers done | virtual time {virtual} | {duration}s',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(progress) {
      const virtual = `${progress.timeS.toFixed(0)} s`;
      if (!started) {
        bar.start(Math.max(progress.total, 1), progress.completed, { virtual });
        started = true;
      } else {
        bar.update(progress.completed, { virtual });
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** The sweep's bar: runs finished of those to run, with the time left at the pace so far. */
export function sweepProgressBar(total: number, jobs: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || total === 0) return silent;
  const bar = new SingleBar({
    format: `sweep [{bar}] {value}/{total} runs on ${jobs} job${jobs === 1 ? '' : 's'} | {duration_formatted} | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  });
  bar.start(total, 0);
  return {
    update: (done) => bar.update(Math.min(done, total)),
    stop: () => bar.stop(),
  };
}
