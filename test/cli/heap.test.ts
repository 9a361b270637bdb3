import { describe, expect, it } from 'vitest';
import {
  HEAP_SHARE_OF_MEMORY,
  type HeapFacts,
  largerHeapFor,
  runsSimulate,
  usableMemory,
} from '../../src/cli/heap.ts';

const GIB = 2 ** 30;
const facts = (overrides: Partial<HeapFacts> = {}): HeapFacts => ({
  argv: ['simulate', 'scenarios/flash-crowd.yaml', '--set', 'peers.count=100000'],
  execArgv: [],
  nodeOptions: undefined,
  relaunched: false,
  totalMemoryBytes: 24 * GIB,
  heapLimitBytes: 4 * GIB,
  ...overrides,
});

describe('largerHeapFor: when the launcher reruns `simulate` with a heap sized to the machine', () => {
  it('gives simulate three quarters of the machine’s memory, in MiB', () => {
    expect(HEAP_SHARE_OF_MEMORY).toBe(0.75);
    expect(largerHeapFor(facts())).toBe(18 * 1024);
    expect(largerHeapFor(facts({ argv: ['-q', 'simulate', 'x.yaml'] }))).toBe(18 * 1024);
  });

  it('leaves every other command in this process', () => {
    for (const argv of [
      ['run', 'examples/basic'],
      ['report', 'a.json'],
      ['bound', 'simulate'],
      ['--help'],
      [],
    ]) {
      expect(largerHeapFor(facts({ argv }))).toBeUndefined();
      // The launcher asks this first, and loads nothing more for these.
      expect(runsSimulate(argv)).toBe(false);
    }
    expect(runsSimulate(['-q', 'simulate', 'x.yaml'])).toBe(true);
  });

  it('respects a heap limit the user chose, in Node’s flags or NODE_OPTIONS, in either spelling', () => {
    expect(largerHeapFor(facts({ execArgv: ['--max-old-space-size=2048'] }))).toBeUndefined();
    expect(largerHeapFor(facts({ execArgv: ['--max_old_space_size=2048'] }))).toBeUndefined();
    expect(
      largerHeapFor(facts({ nodeOptions: '--enable-source-maps --max-old-space-size=9000' })),
    ).toBeUndefined();
    // Other flags are no choice of heap.
    expect(
      largerHeapFor(facts({ execArgv: ['--import', 'tsx'], nodeOptions: '--max-semi-space-size=64' })),
    ).toBe(18 * 1024);
  });

  it('keeps a process under a debugger as one process', () => {
    expect(largerHeapFor(facts({ execArgv: ['--inspect'] }))).toBeUndefined();
    expect(largerHeapFor(facts({ nodeOptions: '--inspect-brk=9230' }))).toBeUndefined();
  });

  it('sizes the heap to a container’s memory limit when it is below the machine’s', () => {
    expect(usableMemory(24 * GIB, 16 * GIB)).toBe(16 * GIB);
    expect(largerHeapFor(facts({ totalMemoryBytes: usableMemory(24 * GIB, 16 * GIB) }))).toBe(12 * 1024);
    // No limit (Node reports 0, or a huge number) leaves the machine's memory.
    expect(usableMemory(24 * GIB, 0)).toBe(24 * GIB);
    expect(usableMemory(24 * GIB, undefined)).toBe(24 * GIB);
    expect(usableMemory(24 * GIB, 2 ** 64)).toBe(24 * GIB);
  });

  it('never relaunches a relaunched process, nor for a heap barely larger than the one it has', () => {
    expect(largerHeapFor(facts({ relaunched: true }))).toBeUndefined();
    // 75% of 6 GiB is 4.5 GiB: not worth a second process over 4 GiB.
    expect(largerHeapFor(facts({ totalMemoryBytes: 6 * GIB }))).toBeUndefined();
    expect(largerHeapFor(facts({ totalMemoryBytes: 8 * GIB }))).toBe(6 * 1024);
  });
});
