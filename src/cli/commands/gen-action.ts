// What `swarmlab gen` does (declared with its flags in gen.ts, which loads this file when it runs).
import { getHeapStatistics } from 'node:v8';
import { generateClassic } from '../../classic/input/generate.ts';
import { writeClassicScenario } from '../../classic/input/in-dir.ts';
import { segmentsToDownload } from '../../classic/input/scenario.ts';
import { UsageError } from '../errors.ts';
import type { GenFlags } from './gen.ts';
import { checkGenFolder } from './gen-folder.ts';

export async function gen(dir: string, flags: GenFlags): Promise<void> {
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
