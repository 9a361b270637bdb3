import { describe, expect, it } from 'vitest';
import { threadsMemoryCheck } from '../../src/cli/threads-memory.ts';

const GIB = 2 ** 30;

describe('threadsMemoryCheck (issue 11, item 10: about 9 MB a client, with no cap or warning)', () => {
  it('lets a small run start without a word', () => {
    expect(threadsMemoryCheck(4, 8 * GIB)).toEqual({ kind: 'ok' });
  });

  it('warns, with the figure, of 300 clients on a machine of 8 GiB', () => {
    expect(threadsMemoryCheck(300, 8 * GIB)).toEqual({
      kind: 'warn',
      message: '301 threads take about 2.6 GiB of memory (9 MiB each), of the 8.0 GiB this machine has',
    });
  });

  it('refuses 800 clients on a machine of 8 GiB, pointing to the sim runtime', () => {
    expect(threadsMemoryCheck(800, 8 * GIB)).toEqual({
      kind: 'refuse',
      message:
        '801 threads take about 7.0 GiB of memory (9 MiB each), of the 8.0 GiB this machine has: use --runtime sim',
    });
  });
});
