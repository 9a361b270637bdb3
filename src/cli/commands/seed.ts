// `swarmlab seed X.torrent --data DIR`: serve a torrent's pieces from a folder that holds them all,
// until interrupted (Ctrl-C or SIGTERM), then leave the swarm and write the results.
// Declared here (flags, help); the action, in seed-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { addNetFlags, type NetFlags } from './net-flags.ts';

export interface SeedFlags extends NetFlags {
  data: string;
}

export function registerSeed(program: Command): void {
  const command = program
    .command('seed')
    .description('seed a torrent (BitTorrent over TCP) from a folder holding all of it, until interrupted')
    .argument('<torrent>', 'the .torrent file')
    .requiredOption('--data <dir>', "the folder that holds the torrent's file or folder");
  addNetFlags(command, 6881).action(async (torrentPath: string, flags: SeedFlags) => {
    const { seed } = await import('./seed-action.ts');
    await seed(torrentPath, flags);
  });
}
