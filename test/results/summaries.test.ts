import { describe, expect, it } from 'vitest';
import { loadBalance } from '../../src/results/classic-summary.ts';

describe('summaries of huge runs', () => {
  it('balances the load of 300,000 serving clients (Math.max(...servers) overflowed the stack)', () => {
    const served = Array.from({ length: 300_000 }, (_, i) => 1 + (i % 7));
    const balance = loadBalance(served);
    expect(balance.servers).toBe(300_000);
    expect(balance.maxServed).toBe(7);
  });
});
