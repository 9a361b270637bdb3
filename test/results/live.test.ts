// A live run's results are a swarm results file the report reads: the schema accepts them, this peer is
// peer 0, and every connection is a peer with its bytes each way.
import { describe, expect, it } from 'vitest';
import { newStats, sample } from '../../src/bittorrent/net/net-stats.ts';
import { toLiveResults } from '../../src/results/live.ts';
import { swarmResultsSchema } from '../../src/results/schema.ts';

function stats() {
  const s = newStats(4, 1);
  s.connections.push({
    address: '10.0.0.2:6881',
    outbound: true,
    client: '-SL0001-',
    openedS: 0.1,
    closedS: 2,
    closeReason: 'both-seeds',
    bytesUp: 1000,
    bytesDown: 3 * 65536,
  });
  sample(s, 0, 0, 0, 0);
  s.pieces = 4;
  s.completedS = 1.5;
  sample(s, 1, 3 * 65536, 1000, 1);
  return s;
}

describe('live results', () => {
  it('are a swarm results file: this peer first, then each connection with its bytes each way', () => {
    const results = toLiveResults(stats(), {
      source: 'x.torrent',
      name: 'x',
      totalLength: 4 * 65536,
      pieceLength: 65536,
      role: 'leecher',
      endedS: 2,
      wallMs: 2500,
      swarmlab: 'test',
      createdAt: new Date(0),
    });
    const parsed = swarmResultsSchema.safeParse(JSON.parse(JSON.stringify(results)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
    expect(results.peers.map((p) => [p.role, p.bytesUp, p.bytesDown, p.completedS])).toEqual([
      ['leecher', 1000, 3 * 65536, 1.5],
      ['seed', 3 * 65536, 1000, null],
    ]);
    expect(results.summary.completed).toBe(1);
    expect(results.series.meanPieces).toEqual([1, 4]);
    expect(results.live.connections[0]?.closeReason).toBe('both-seeds');
  });
});
