// `swarmlab gen DIR`: write a random classic scenario (in1.txt..inN.txt), reproducible from its seed.
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { generateClassic } from '../../classic/input/generate.ts';
import { writeClassicScenario } from '../../classic/input/in-dir.ts';
import { segmentsToDownload } from '../../classic/input/scenario.ts';
import { UsageError } from '../errors.ts';
import { probability, seedNumber, wholeNumber } from '../options.ts';
import { checkGenFolder } from './gen-folder.ts';

interface GenFlags {
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
      checkGenSizes(flags);
      await checkGenFolder(dir, flags.force === true);
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

/** Bytes of memory a generated segment takes at most while written: its hash string and line of text. */
const BYTES_PER_SEGMENT = 160;
/** Bytes a client takes however little it holds: its object, lists and in-file text. */
const BYTES_PER_CLIENT = 512;
/** Gen builds the whole scenario in memory: a quarter of the heap leaves room for its text. */
const MEMORY_SHARE = 0.25;

function checkGenSizes(flags: GenFlags): void {
  if (flags.minSegments > flags.maxSegments) {
    throw new UsageError(
      `--min-segments ${flags.minSegments} is more than --max-segments ${flags.maxSegments}`,
    );
  }
  // Each owner writes a copy of a file's hashes: at most files x max-segments x (1 + max-owners).
  const copies = 1 + Math.min(flags.maxOwners, flags.clients);
  const bytes =
    flags.files * flags.maxSegments * copies * BYTES_PER_SEGMENT +
    flags.clients * (BYTES_PER_CLIENT + flags.files * 16);
  const limit = getHeapStatistics().heap_size_limit * MEMORY_SHARE;
  if (bytes > limit) {
    throw new UsageError(
      `a scenario of up to ${flags.files} files of ${flags.maxSegments} segments for ${flags.clients} clients ` +
        `could take ${gib(bytes)} of memory to write, more than the ${gib(limit)} gen allows itself ` +
        `(a quarter of this process's heap): use fewer files, segments or clients`,
    );
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
