// A progress bar on standard error when it is a terminal; nothing when output is piped or --quiet.
import { SingleBar } from 'cli-progress';

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
