// `swarmlab seed X.torrent --data DIR`: serve a torrent's pieces from a folder that holds them all,
// until interrupted (Ctrl-C or SIGTERM), then leave the swarm and write the results.
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { interrupted } from '../signals.ts';
import { addNetFlags, type NetFlags, openFromFlags, startPeer, writeLiveResults } from './net-command.ts';

interface SeedFlags extends NetFlags {
  data: string;
}

export function registerSeed(program: Command): void {
  const command = program
    .command('seed')
    .description('seed a torrent (BitTorrent over TCP) from a folder holding all of it, until interrupted')
    .argument('<torrent>', 'the .torrent file')
    .requiredOption('--data <dir>', "the folder that holds the torrent's file or folder");
  addNetFlags(command, 6881).action(async (torrentPath: string, flags: SeedFlags) => {
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
  });
}
