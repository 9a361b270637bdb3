// The closer views' data: availability heat map, peer timelines, CDFs per kind, share ratios, file completions.
import { describe, expect, it } from 'vitest';
import {
  availabilityHeat,
  cdfByKind,
  fileCompletions,
  peerTimelines,
  shareRatioHistogram,
} from '../../src/report/views.ts';
import { classicRun, swarmRun } from '../support/report-pages.ts';

describe('availability heat map', () => {
  it('keeps the fewest copies of each bucket of pieces and samples', () => {
    const run = swarmRun({ peers: 8 });
    const full = availabilityHeat(run, 1000, 1000);
    expect(full.cells).toHaveLength(run.pieces);
    expect(full.cells[0]).toHaveLength(run.series.pieceCopies.length);
    expect(full.cells[3]?.[0]).toBe(run.series.pieceCopies[0]?.[3]);
    const small = availabilityHeat(run, 2, 3);
    expect(small.cells).toHaveLength(2);
    expect(small.cells[0]).toHaveLength(3);
    const everyCell = full.cells.flat();
    expect(Math.min(...small.cells.flat())).toBe(Math.min(...everyCell));
    expect(small.pieceRanges).toEqual([
      [0, Math.ceil(run.pieces / 2) - 1],
      [Math.ceil(run.pieces / 2), run.pieces - 1],
    ]);
    expect(small.maxCopies).toBeLessThanOrEqual(full.maxCopies);
  });
});

describe('peer views', () => {
  it('lays each leecher out from arrival to departure, by arrival, at most as many as asked', () => {
    const run = swarmRun({ peers: 12, afterDone: { kind: 'leave' } });
    const lines = peerTimelines(run);
    expect(lines).toHaveLength(12);
    for (const line of lines) {
      expect(line.doneS).not.toBeNull();
      expect(line.goneS).toBeGreaterThanOrEqual(line.doneS as number);
      expect(line.left).toBe(true);
    }
    expect(peerTimelines(run, 5)).toHaveLength(5);
  });

  it('splits completion CDFs into contributors and free riders', () => {
    const run = swarmRun({ peers: 12, freeRiders: 0.25, stopAtS: 20_000 });
    const kinds = cdfByKind([run]);
    expect(kinds.map((k) => k.kind)).toEqual(['leechers', 'leechers (free riders)']);
    expect(kinds[1]?.x.length).toBeLessThanOrEqual(3);
    expect(kinds[0]?.y.at(-1)).toBeLessThanOrEqual(1);
  });

  it('counts every contributing leecher once in the share-ratio histogram', () => {
    const run = swarmRun({ peers: 12, freeRiders: 0.25, stopAtS: 20_000 });
    const histogram = shareRatioHistogram([run, run]);
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(2 * 9);
    expect(histogram.edges).toHaveLength(histogram.counts.length);
    expect(histogram.counts.at(-1)).toBeGreaterThan(0);
  });
});

describe('classic file completions', () => {
  it('gives one point per output file, on the run’s clock', () => {
    const run = classicRun(5);
    const files = fileCompletions(run);
    expect(files.unit).toBe('s');
    expect(files.points).toHaveLength(run.outputs.length);
    expect(files.points[0]).toEqual({
      rank: run.outputs[0]?.rank,
      file: run.outputs[0]?.file,
      at: run.outputs[0]?.completedAt,
    });
  });
});
