// `swarmlab gen DIR`: write a random classic scenario (in1.txt..inN.txt), reproducible from its seed.
// Declared here (flags, help); the action, in gen-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { probability, seedNumber, wholeNumber } from '../options.ts';

export interface GenFlags {
  clients: number;
  files: number;
  maxSegments: number;
  minSegments: number;
  maxOwners: number;
  want: number;
  seed: number;
  force?: boolean;
}

export function registerGen(program: Command): void {
  program
    .command('gen')
    .description('write a random classic scenario: in1.txt .. inN.txt in <dir>')
    .argument('<dir>', 'folder to write (created if missing)')
    .option('-c, --clients <n>', 'number of clients', wholeNumber('--clients', 1), 10)
    .option('-f, --files <n>', 'number of distinct files', wholeNumber('--files', 1), 5)
    .option('--max-segments <n>', 'most segments in a file', wholeNumber('--max-segments', 1), 100)
    .option('--min-segments <n>', 'fewest segments in a file', wholeNumber('--min-segments', 1), 1)
    .option('--max-owners <n>', 'most clients owning a file at the start', wholeNumber('--max-owners', 1), 3)
    .option(
      '--want <p>',
      'chance that a client wants a given file it does not own',
      probability('--want'),
      0.5,
    )
    .option('-s, --seed <n>', 'seed: the same seed writes the same files', seedNumber, 1)
    .option('--force', 'write into a folder that is not empty, replacing every in<R>.txt there')
    .action(async (dir: string, flags: GenFlags) => {
      const { gen } = await import('./gen-action.ts');
      await gen(dir, flags);
    });
}
