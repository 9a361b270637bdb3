// `swarmlab run DIR`: read in1.txt..inN.txt, run the swarm, write client<R>_<file>, print the summary.
import type { Command } from 'commander';
import { readClassicScenario, writeOutputs } from '../../classic/input/in-dir.ts';
import { segmentsToDownload } from '../../classic/input/scenario.ts';
import { PEER_STRATEGIES, type PeerStrategyName } from '../../classic/protocol/strategies/index.ts';
import { runClassic } from '../../classic/runner/run.ts';
import { RUNTIMES, type RuntimeName } from '../../classic/runtime/types.ts';
import { toClassicResults, writeClassicCsv, writeJson } from '../../results/classic.ts';
import { summarize } from '../../results/classic-summary.ts';
import { expectFileOrNothing, expectFolderOrNothing, oneOf, wholeNumber } from '../options.ts';
import { progressBar } from '../progress.ts';
import { formatRunSummary } from '../tables/table.ts';
import { VERSION } from '../version.ts';
import { writeReport } from './report.ts';

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
    .option('-s, --seed <n>', 'seed for peer choices (and message timing on sim)', wholeNumber('--seed'), 1)
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
      wholeNumber('--timeout', 1),
      600,
    )
    .option('-q, --quiet', 'no progress bar')
    .action(async (dir: string, flags: RunFlags) => {
      const { scenario, warnings } = await readClassicScenario(dir);
      // Check where results go before running, so that a long run is not lost to a typo.
      await expectFolderOrNothing(flags.out ?? dir, '--out');
      if (flags.json !== undefined) await expectFileOrNothing(flags.json, '--json');
      if (flags.report !== undefined) await expectFileOrNothing(flags.report, '--report');
      if (flags.csv !== undefined) await expectFolderOrNothing(flags.csv, '--csv');
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
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
      const outDir = flags.out ?? dir;
      const written = await writeOutputs(outDir, result.outputs);
      const summary = summarize(result);
      const results = toClassicResults(result, summary, {
        input: dir,
        swarmlab: VERSION,
        createdAt: new Date(),
      });
      if (flags.json !== undefined) await writeJson(flags.json, results);
      if (flags.report !== undefined) await writeReport(flags.report, { kind: 'classic', runs: [results] });
      if (flags.csv !== undefined) await writeClassicCsv(flags.csv, results);
      process.stdout.write(`${formatRunSummary(result, summary)}\n`);
      process.stdout.write(
        `wrote ${written.length} output file${written.length === 1 ? '' : 's'} to ${outDir}\n`,
      );
    });
}
