// What `swarmlab seed` does (declared with its flags in seed.ts, which loads this file when it runs).
import { performance } from 'node:perf_hooks';
import { interrupted } from '../signals.ts';
import { openFromFlags, startPeer, writeLiveResults } from './net-command.ts';
import type { SeedFlags } from './seed.ts';

export async function seed(torrentPath: string, flags: SeedFlags): Promise<void> {
  const startedMs = performance.now();
  const session = await openFromFlags(torrentPath, flags.data, 'seed', flags);
  const { peer, store, metainfo } = session;
  let failure: Error | undefined;
  let stopOnFailure = () => {};
  const failed = new Promise<void>((resolve) => {
    stopOnFailure = resolve;
  });
  await startPeer(session, flags, {
    failed: (error) => {
      failure = error;
      stopOnFailure();
    },
  });
  if (!flags.quiet) {
    process.stdout.write(
      `seeding ${metainfo.name} (${metainfo.pieceCount} pieces) on ${flags.host}:${peer.port}; Ctrl-C to stop\n`,
    );
  }
  await Promise.race([interrupted(), failed]);
  await peer.stop();
  await store.close();
  if (!flags.quiet) {
    const sent = peer.core.bytesSent;
    const peers = peer.stats.connections.length;
    process.stdout.write(
      `stopped seeding: sent ${(sent / 2 ** 20).toFixed(1)} MiB to ${peers} connection${peers === 1 ? '' : 's'}\n`,
    );
  }
  await writeLiveResults(flags, torrentPath, session, { role: 'seed', endedS: peer.now(), startedMs });
  if (failure !== undefined) throw failure;
}
