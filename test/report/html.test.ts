// The HTML report's page, read as text: what its summary says and what data its charts get.
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.ts';
import type { ClassicResults } from '../../src/results/classic.ts';
import { classicRun, reportData, summaryRow, swarmRun } from '../support/report-pages.ts';

const render = (input: Parameters<typeof renderReport>[0]) =>
  renderReport(input, { swarmlab: '0', createdAt: new Date(0) });

describe('classic report', () => {
  it('draws every client of every run when runs have different client counts', () => {
    const small = classicRun(3);
    const large = classicRun(7);
    const data = reportData(render({ kind: 'classic', runs: [small, large] })) as {
      barLabels: string[];
      runs: { bars: { served: (number | null)[]; downloaded: (number | null)[] } }[];
    };
    expect(data.barLabels).toEqual([1, 2, 3, 4, 5, 6, 7].map((rank) => `client ${rank}`));
    const [first, second] = data.runs;
    expect(first?.bars.served).toEqual([...small.clients.map((c) => c.served), null, null, null, null]);
    expect(second?.bars.served).toEqual(large.clients.map((c) => c.served));
    expect(second?.bars.downloaded).toEqual(large.clients.map((c) => c.downloaded));
  });

  it('keeps simulated seconds and wall milliseconds in rows of their own', () => {
    const sim = classicRun(4);
    const threads: ClassicResults = {
      ...sim,
      runtime: 'threads',
      clock: 'wall-ms',
      summary: { ...sim.summary, virtualTimeS: null, wallTimeMs: 1234 },
    };
    const page = render({ kind: 'classic', runs: [sim, threads] });
    expect(summaryRow(page, 'simulated time (s)')).toEqual([
      (sim.summary.virtualTimeS as number).toFixed(3),
      'n/a (real time)',
    ]);
    expect(summaryRow(page, 'wall time (ms)')).toEqual([sim.summary.wallTimeMs.toFixed(0), '1234']);
    expect(summaryRow(page, 'time')).toBeUndefined();
  });
});

describe('simulation report', () => {
  it("names Jain's index for what it measures: the share ratios", () => {
    const run = swarmRun();
    const page = render({ kind: 'swarm', runs: [run] });
    expect(summaryRow(page, "Jain's index of share ratios")).toEqual([
      (run.summary.jain as number).toFixed(3),
    ]);
    expect(summaryRow(page, "Jain's index")).toBeUndefined();
  });
});
