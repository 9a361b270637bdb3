// `swarmlab get X.torrent --out DIR`: download a torrent from its swarm over TCP, every piece checked,
// with a progress bar; `--seed-after` goes on seeding until interrupted.
// Declared here (flags, help); the action, in get-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { addNetFlags, type NetFlags } from './net-flags.ts';

export interface GetFlags extends NetFlags {
  out: string;
  seedAfter?: boolean;
}

export function registerGet(program: Command): void {
  const command = program
    .command('get')
    .description('download a torrent from its swarm (BitTorrent over TCP), every piece checked')
    .argument('<torrent>', 'the .torrent file')
    .requiredOption('--out <dir>', 'the folder to download into (what is there already is checked and kept)')
    .option('--seed-after', 'once complete, go on seeding until interrupted');
  addNetFlags(command, 0).action(async (torrentPath: string, flags: GetFlags) => {
    const { get } = await import('./get-action.ts');
    await get(torrentPath, flags);
  });
}
