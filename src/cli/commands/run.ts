// `swarmlab run DIR`: read in1.txt..inN.txt, run the swarm, write client<R>_<file>, print the summary.
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readClassicScenario, stageOutputs } from '../../classic/input/in-dir.ts';
import { outputFileName } from '../../classic/input/in-file.ts';
import { type ClassicScenario, segmentsToDownload } from '../../classic/input/scenario.ts';
import { PEER_STRATEGIES, type PeerStrategyName } from '../../classic/protocol/strategies/index.ts';
import { runClassic } from '../../classic/runner/run.ts';
import { RUNTIMES, type RuntimeName } from '../../classic/runtime/types.ts';
import { type ClassicResults, classicCsvFiles, jsonText, toClassicResults } from '../../results/classic.ts';
import { summarize } from '../../results/classic-summary.ts';
import { checkDestinations, type Destination } from '../../util/destinations.ts';
import { InputError } from '../../util/input-error.ts';
import { type OutputSet, writeAll } from '../../util/output-set.ts';
import { UsageError } from '../errors.ts';
import { usableMemory } from '../heap.ts';
import { MAX_TIMEOUT_S, oneOf, seedNumber, wholeNumber } from '../options.ts';
import { printable } from '../printable.ts';
import { progressBar } from '../progress.ts';
import { formatRunSummary } from '../tables/table.ts';
import { threadsMemoryCheck } from '../threads-memory.ts';
import { VERSION } from '../version.ts';
import { reportHtml } from './report.ts';
import { printWritten } from './written.ts';

interface RunFlags {
  runtime: RuntimeName;
  seed: number;
  strategy: PeerStrategyName;
  out?: string;
  json?: string;
  report?: string;
  csv?: string;
  quiet?: boolean;
  timeout: number;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the classic swarm on a folder of in<R>.txt files and write client<R>_<file> outputs')
    .argument('<dir>', 'folder holding in1.txt .. inN.txt (client ranks 1..N; the tracker is rank 0)')
    .option('-r, --runtime <name>', `runtime: ${RUNTIMES.join(' or ')}`, oneOf('--runtime', RUNTIMES), 'sim')
    .option('-s, --seed <n>', 'seed for peer choices (and message timing on sim)', seedNumber, 1)
    .option(
      '--strategy <name>',
      `peer selection: ${PEER_STRATEGIES.join(' or ')}`,
      oneOf('--strategy', PEER_STRATEGIES),
      'random',
    )
    .option('-o, --out <dir>', 'where to write client<R>_<file> (default: the input folder)')
    .option('--json <file>', "also write the run's results, machine-readable, to this file")
    .option('--report <file>', 'also write a self-contained HTML report of the run')
    .option('--csv <dir>', 'also write clients.csv, transfers.csv and summary.csv into this folder')
    .option(
      '--timeout <seconds>',
      'threads runtime: fail a run still going after this long',
      wholeNumber('--timeout', 1, MAX_TIMEOUT_S),
      600,
    )
    .option('-q, --quiet', 'no progress bar')
    .action(async (dir: string, flags: RunFlags) => {
      const { scenario, warnings } = await readClassicScenario(dir);
      const outDir = flags.out ?? dir;
      // Check where results go before running, so that a long run is not lost to a typo.
      await checkRunDestinations(dir, outDir, scenario, flags);
      for (const warning of warnings) process.stderr.write(`warning: ${printable(warning)}\n`);
      if (flags.runtime === 'threads') {
        const memory = threadsMemoryCheck(
          scenario.clients.length,
          usableMemory(totalmem(), process.constrainedMemory?.()),
        );
        if (memory.kind === 'refuse') throw new UsageError(memory.message);
        if (memory.kind === 'warn') process.stderr.write(`warning: ${memory.message}\n`);
      }
      const starting =
        flags.runtime === 'threads'
          ? `threads: starting ${scenario.clients.length + 1} worker threads, one per rank (this takes a few seconds)`
          : undefined;
      const progress = progressBar(segmentsToDownload(scenario), `${flags.runtime}`, !flags.quiet, {
        ...(starting === undefined ? {} : { starting }),
      });
      const result = await runClassic(scenario, {
        runtime: flags.runtime,
        seed: flags.seed,
        strategy: flags.strategy,
        timeoutMs: flags.timeout * 1000,
        onProgress: (segments) => progress.update(segments),
      }).finally(() => progress.stop());
      const summary = summarize(result);
      const results = toClassicResults(result, summary, {
        input: dir,
        swarmlab: VERSION,
        createdAt: new Date(),
      });
      // Outputs and results are written together, or none of them: a run that fails writes nothing.
      const written = await writeAll(async (outputs) => {
        await stageOutputs(outputs, outDir, result.outputs);
        await stageResults(outputs, flags, results);
      });
      process.stdout.write(`${formatRunSummary(result, summary)}\n`);
      printWritten(written);
      const count = result.outputs.length;
      process.stdout.write(`wrote ${count} output file${count === 1 ? '' : 's'} to ${outDir}\n`);
    });
}

async function checkRunDestinations(
  dir: string,
  outDir: string,
  scenario: ClassicScenario,
  flags: RunFlags,
): Promise<void> {
  const destinations: Destination[] = [{ kind: 'folder', path: outDir, flag: '--out' }];
  if (flags.json !== undefined) destinations.push({ kind: 'file', path: flags.json, flag: '--json' });
  if (flags.report !== undefined) destinations.push({ kind: 'file', path: flags.report, flag: '--report' });
  if (flags.csv !== undefined) destinations.push({ kind: 'folder', path: flags.csv, flag: '--csv' });
  const inputs = scenario.clients.map((client) => join(dir, `in${client.rank}.txt`));
  await checkDestinations(destinations, inputs);
  // A results file named like one of the outputs would be written twice.
  const outputs = new Set(
    scenario.clients.flatMap((client) =>
      client.wanted.map((file) => resolve(outDir, outputFileName(client.rank, file))),
    ),
  );
  for (const destination of destinations) {
    if (destination.kind === 'file' && outputs.has(resolve(destination.path))) {
      throw new InputError(
        `${destination.flag} ${destination.path}`,
        undefined,
        "is also one of the run's outputs",
      );
    }
  }
}

async function stageResults(outputs: OutputSet, flags: RunFlags, results: ClassicResults): Promise<void> {
  if (flags.json !== undefined) await outputs.write(flags.json, jsonText(results));
  if (flags.report !== undefined) {
    await outputs.write(flags.report, reportHtml({ kind: 'classic', runs: [results] }));
  }
  if (flags.csv !== undefined) {
    for (const [name, text] of classicCsvFiles(results)) await outputs.write(join(flags.csv, name), text);
  }
}
