// The terminal bars, drawn on a stream that says it is a terminal: what they show, and that they
// change nothing a stopped process would have to undo (hidden cursor, line wrap off).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type BarStream, progressBar, swarmProgressBar, sweepProgressBar } from '../../src/cli/progress.ts';

function fakeTerminal(): { stream: BarStream; output: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  }) as Writable & {
    isTTY: boolean;
    columns: number;
    cursorTo: () => boolean;
    clearLine: () => boolean;
    moveCursor: () => boolean;
  };
  stream.isTTY = true;
  stream.columns = 200;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  stream.moveCursor = () => true;
  return { stream, output: () => written };
}

const HIDE_CURSOR = '\u001b[?25l';
const WRAP_OFF = '\u001b[?7l';

describe('progress bars', () => {
  it('shows a simulation by bytes delivered, with peers done, virtual time and an ETA', async () => {
    const { stream, output } = fakeTerminal();
    const bar = swarmProgressBar(true, stream);
    const wantedBytes = 100e6;
    bar.update({ timeS: 0, completed: 0, total: 100, deliveredBytes: 0, wantedBytes });
    // The bar redraws from inside a synchronous loop once its last drawing is 200 ms old.
    await new Promise((resolve) => setTimeout(resolve, 250));
    bar.update({ timeS: 400, completed: 3, total: 100, deliveredBytes: 45e6, wantedBytes });
    const text = output();
    bar.stop();
    expect(text).toContain('45% of 100 MB delivered');
    expect(text).toContain('3/100 peers done');
    expect(text).toContain('virtual 400 s');
    expect(text).toContain('ETA');
  });

  it('never hides the cursor or turns line wrap off, so Ctrl-C leaves the terminal as it was', () => {
    const { stream, output } = fakeTerminal();
    const swarm = swarmProgressBar(true, stream);
    swarm.update({ timeS: 1, completed: 0, total: 2, deliveredBytes: 1, wantedBytes: 10 });
    const classic = progressBar(10, 'sim', true, { stream });
    classic.update(5);
    const sweep = sweepProgressBar(4, 2, true, stream);
    sweep.update(1);
    expect(output()).not.toContain(HIDE_CURSOR);
    expect(output()).not.toContain(WRAP_OFF);
    for (const bar of [swarm, classic, sweep]) bar.stop();
  });

  it('says that worker threads are starting before the bar moves', () => {
    const { stream, output } = fakeTerminal();
    const bar = progressBar(10, 'threads', true, { stream, starting: 'threads: starting 5 worker threads' });
    expect(output().startsWith('threads: starting 5 worker threads\n')).toBe(true);
    bar.stop();
  });

  it('draws nothing when the stream is not a terminal', () => {
    const { stream, output } = fakeTerminal();
    (stream as { isTTY: boolean }).isTTY = false;
    swarmProgressBar(true, stream).update({
      timeS: 1,
      completed: 0,
      total: 2,
      deliveredBytes: 1,
      wantedBytes: 10,
    });
    progressBar(10, 'sim', true, { stream, starting: 'x' }).update(3);
    expect(output()).toBe('');
  });
});
