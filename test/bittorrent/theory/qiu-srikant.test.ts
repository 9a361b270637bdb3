import { describe, expect, it } from 'vitest';
import { readSwarmScenario } from '../../../src/bittorrent/scenario/scenario-file.ts';
import { qiuSrikantEstimate } from '../../../src/bittorrent/theory/qiu-srikant.ts';
import { flashCrowd } from '../../support/swarm-scenarios.ts';

describe('Qiu-Srikant estimate', () => {
  it('gives F/u less the stay for the bundled Poisson scenario (upload-limited)', async () => {
    // 50 MB at 1 Mbit/s is 400 s of upload; peers stay 60 s after completing.
    const estimate = qiuSrikantEstimate(await readSwarmScenario('scenarios/poisson.yaml'));
    expect(estimate?.limit).toBe('upload');
    expect(estimate?.meanDownloadS).toBeCloseTo(340, 6);
  });

  it('is download-limited when peers stay for ever, and absent for a flash crowd', async () => {
    const forever = await readSwarmScenario('scenarios/poisson.yaml', ['peers.after=forever']);
    expect(qiuSrikantEstimate(forever)).toMatchObject({ limit: 'download', meanDownloadS: 50 });
    expect(qiuSrikantEstimate(flashCrowd({}))).toBeNull();
  });
});
