// `swarmlab gen DIR`: write a random classic scenario (in1.txt..inN.txt), reproducible from its seed.
import type { Command } from 'commander';
import { generateClassic } from '../../classic/input/generate.ts';
import { writeClassicScenario } from '../../classic/input/in-dir.ts';
import { segmentsToDownload } from '../../classic/input/scenario.ts';
import { probability, seedNumber, wholeNumber } from '../options.ts';

interface GenFlags {
  clients: number;
  files: number;
  maxSegments: number;
  minSegments: number;
  maxOwners: number;
  want: number;
  seed: number;
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
    .action(async (dir: string, flags: GenFlags) => {
      const scenario = generateClassic({
        clients: flags.clients,
        files: flags.files,
        maxSegments: flags.maxSegments,
        minSegments: flags.minSegments,
        maxOwners: flags.maxOwners,
        wantProbability: flags.want,
        seed: flags.seed,
      });
      await writeClassicScenario(dir, scenario);
      process.stdout.write(
        `wrote in1.txt .. in${flags.clients}.txt to ${dir}: ${flags.files} files, ` +
          `${segmentsToDownload(scenario)} segments to download\n`,
      );
    });
}
