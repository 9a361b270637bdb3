import { describe, expect, it } from 'vitest';
import { readSwarmScenario } from '../../../src/bittorrent/scenario/scenario-file.ts';
import { qiuSrikantEstimate } from '../../../src/bittorrent/theory/qiu-srikant.ts';
import { flashCrowd } from '../../support/swarm-scenarios.ts';

describe('Qiu-Srikant estimate', () => {
  it("gives F/u less the stay and the seed's share for the bundled Poisson scenario (upload-limited)", async () => {
    // 50 MB at 1 Mbit/s is 400 s of upload (mu = 1/400 a second); peers stay 60 s after completing;
    // 0.5 arrive a second; the 8 Mbit/s seed serves s = 1/50 of a file a second.
    // x = (0.5)(400 - 60) - (1/50)(400) = 170 - 8 = 162 leechers; T = x / lambda = 324 s.
    const estimate = qiuSrikantEstimate(await readSwarmScenario('scenarios/poisson.yaml'));
    expect(estimate?.limit).toBe('upload');
    expect(estimate?.meanLeechers).toBeCloseTo(162, 6);
    expect(estimate?.meanDownloadS).toBeCloseTo(324, 6);
  });

  it('leaves out seeds that leave, and has no steady state when only free riders arrive', async () => {
    const leaving = await readSwarmScenario('scenarios/poisson.yaml', ['seeds.leave=100s']);
    expect(qiuSrikantEstimate(leaving)?.meanDownloadS).toBeCloseTo(340, 6);
    const riders = await readSwarmScenario('scenarios/poisson.yaml', ['peers.free-riders=1']);
    expect(qiuSrikantEstimate(riders)?.meanDownloadS).toBe(Number.POSITIVE_INFINITY);
  });

  it('is download-limited when peers stay for ever, and absent for a flash crowd', async () => {
    const forever = await readSwarmScenario('scenarios/poisson.yaml', ['peers.after=forever']);
    expect(qiuSrikantEstimate(forever)).toMatchObject({ limit: 'download', meanDownloadS: 50 });
    expect(qiuSrikantEstimate(flashCrowd({}))).toBeNull();
  });
});
