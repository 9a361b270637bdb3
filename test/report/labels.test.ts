// Configuration labels: only what differs, short.
import { describe, expect, it } from 'vitest';
import { configurationLabels } from '../../src/report/labels.ts';

describe('configuration labels', () => {
  it('names a single differing field by its values, and says which field it is', () => {
    expect(
      configurationLabels([{ 'strategy.pieces': 'rarest-first' }, { 'strategy.pieces': 'random' }]),
    ).toEqual({
      labels: ['rarest-first', 'random'],
      field: 'strategy.pieces',
    });
  });

  it('names fields by the shortest tail of their path that tells them apart', () => {
    const { labels } = configurationLabels([
      { 'peers[0].afterDone.forS': '60', 'seeds.count': '1', 'peers[0].count': '20' },
      { 'peers[0].afterDone.forS': '-', 'seeds.count': '2', 'peers[0].count': '40' },
    ]);
    expect(labels).toEqual([
      'forS=60, seeds.count=1, peers[0].count=20',
      'forS=-, seeds.count=2, peers[0].count=40',
    ]);
  });

  it('stays short however many fields differ and however long their values', () => {
    const many = (n: number) =>
      Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [`peers[0].field${i}`, `value-${n}-${'x'.repeat(60)}`]),
      );
    const { labels } = configurationLabels([many(1), many(2)]);
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(110);
    expect(labels[0]).toContain('+27 more');
    expect(
      configurationLabels([
        { scenario: 'scenarios/flash-crowd.yaml', x: '1' },
        { scenario: 'a/poisson.yaml', x: '2' },
      ]).labels,
    ).toEqual(['scenario=flash-crowd, x=1', 'scenario=poisson, x=2']);
  });
});
