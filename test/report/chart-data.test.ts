// The data each report chart gets from a results file.
import { describe, expect, it } from 'vitest';
import { simulateSwarm } from '../../src/bittorrent/sim/simulation.ts';
import { generateClassic } from '../../src/classic/input/generate.ts';
import { runSim } from '../../src/classic/sim/runtime.ts';
import {
  availability,
  completionCdf,
  population,
  runLabels,
  servedAndDownloaded,
  transferMatrix,
  uploadAgainstCapacity,
  uploadDownloadScatter,
} from '../../src/report/chart-data.ts';
import { toClassicResults } from '../../src/results/classic.ts';
import { summarize } from '../../src/results/classic-summary.ts';
import { toSwarmResults } from '../../src/results/swarm.ts';
import { runBound, summarizeSwarm } from '../../src/results/swarm-summary.ts';
import { flashCrowd } from '../support/swarm-scenarios.ts';

const meta = { input: 'x', source: 'x', swarmlab: '0', createdAt: new Date(0) };

function classicResults() {
  const scenario = generateClassic({ clients: 6, files: 3, maxSegments: 20, seed: 4 });
  const result = runSim(scenario, { seed: 4, strategy: 'random' });
  return toClassicResults(result, summarize(result), meta);
}

function swarmResults(overrides: Parameters<typeof flashCrowd>[0] = {}) {
  const scenario = flashCrowd({ peers: 12, ...overrides });
  const run = simulateSwarm(scenario, { seed: 2 });
  const bound = runBound(run);
  return toSwarmResults(run, summarizeSwarm(run, bound), bound, meta);
}

describe('classic charts', () => {
  it('gives one bar pair per client, matching the counts', () => {
    const results = classicResults();
    const bars = servedAndDownloaded(results);
    expect(bars.labels).toEqual(results.clients.map((c) => `client ${c.rank}`));
    expect(bars.served.reduce((a, b) => a + b, 0)).toBe(results.summary.segmentsServed);
    expect(bars.downloaded.reduce((a, b) => a + b, 0)).toBe(results.summary.segmentsDownloaded);
  });

  it('builds the who-downloaded-from-whom matrix with rows summing to each client’s downloads', () => {
    const results = classicResults();
    const matrix = transferMatrix(results);
    expect(matrix).toHaveLength(results.clients.length);
    results.clients.forEach((client, i) => {
      expect(matrix[i]?.reduce((a, b) => a + b, 0)).toBe(client.downloaded);
      expect(matrix[i]?.[i]).toBe(0);
    });
  });
});

describe('simulated-run charts', () => {
  it('draws the completion CDF from the download times, ending at the fraction completed', () => {
    const results = swarmResults();
    const cdf = completionCdf(results);
    expect(cdf.x).toHaveLength(12);
    expect([...cdf.x].sort((a, b) => a - b)).toEqual(cdf.x);
    expect(cdf.y.at(-1)).toBe(1);
    expect(cdf.x.at(-1)).toBe(results.summary.max);
  });

  it('counts leechers and seeds at every sample', () => {
    const results = swarmResults();
    const series = population(results);
    expect(series.x).toEqual(results.series.timeS);
    expect(series.leechers[0]).toBe(12);
    expect(series.seeds.at(-1)).toBe(13);
  });

  it('never shows an upload rate above the swarm’s capacity', () => {
    const series = uploadAgainstCapacity(swarmResults());
    series.rate.forEach((rate, i) => {
      expect(rate).toBeLessThanOrEqual((series.capacity[i] as number) * (1 + 1e-9));
    });
    expect(Math.max(...series.rate)).toBeGreaterThan(0);
  });

  it('keeps mean availability at or above the minimum, and at everyone once all are seeds', () => {
    const results = swarmResults();
    const series = availability(results);
    for (const [i, mean] of series.mean.entries()) {
      expect(mean).toBeGreaterThanOrEqual((series.min[i] as number) - 1e-9);
    }
    expect(series.mean.at(-1)).toBeCloseTo(13);
  });

  it('plots each leecher’s upload against its download, free riders marked', () => {
    const results = swarmResults({ freeRiders: 0.25, stopAtS: 20_000 });
    const scatter = uploadDownloadScatter(results);
    expect(scatter.up).toHaveLength(12);
    expect(scatter.freeRider.filter(Boolean)).toHaveLength(3);
    scatter.freeRider.forEach((rider, i) => {
      if (rider) expect(scatter.up[i]).toBe(0);
    });
  });
});

describe('run labels', () => {
  it('names only what differs between runs', () => {
    const a = flashCrowd({ peers: 10 });
    const b = flashCrowd({ peers: 10, pieces: 'random' });
    expect(
      runLabels([
        { scenario: a, seed: 1 },
        { scenario: b, seed: 1 },
      ]),
    ).toEqual(['strategy.pieces=rarest-first', 'strategy.pieces=random']);
    expect(
      runLabels([
        { scenario: a, seed: 1 },
        { scenario: a, seed: 2 },
      ]),
    ).toEqual(['seed=1', 'seed=2']);
    expect(
      runLabels([
        { scenario: a, seed: 1 },
        { scenario: a, seed: 1 },
      ]),
    ).toEqual(['run 1', 'run 2']);
  });
});
