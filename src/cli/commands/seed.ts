// `swarmlab seed X.torrent --data DIR`: serve a torrent's pieces from a folder that holds them all,
// until interrupted (Ctrl-C or SIGTERM), then leave the swarm and write the results.
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { openSession } from '../../bittorrent/net/session.ts';
import { jsonText } from '../../results/classic.ts';
import { toLiveResults } from '../../results/live.ts';
import { checkDestinations } from '../../util/destinations.ts';
import { writeAll } from '../../util/output-set.ts';
import { VERSION } from '../version.ts';
import { addNetFlags, interrupted, type NetFlags } from './net-flags.ts';
import { printWritten } from './written.ts';

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
    if (flags.json !== undefined) {
      await checkDestinations([{ kind: 'file', path: flags.json, flag: '--json' }], [torrentPath]);
    }
    const startedMs = performance.now();
    const { peer, store, metainfo } = await openSession({
      torrentPath,
      folder: flags.data,
      mode: 'seed',
      host: flags.host,
      port: flags.port,
      dialFrom: flags.dialFrom,
      peers: flags.peer,
      noTracker: !flags.tracker,
      log: flags.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
    });
    let failure: Error | undefined;
    let stopOnFailure = () => {};
    const failed = new Promise<void>((resolve) => {
      stopOnFailure = resolve;
    });
    await peer.start({
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
    if (flags.json !== undefined) {
      const results = toLiveResults(peer.stats, {
        source: torrentPath,
        name: metainfo.name,
        totalLength: metainfo.totalLength,
        pieceLength: metainfo.pieceLength,
        role: 'seed',
        endedS: peer.now(),
        wallMs: performance.now() - startedMs,
        swarmlab: VERSION,
        createdAt: new Date(),
      });
      const json = flags.json;
      printWritten(await writeAll((outputs) => outputs.write(json, jsonText(results))));
    }
    if (failure !== undefined) throw failure;
  });
}
