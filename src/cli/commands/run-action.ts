// What `swarmlab run` does (declared with its flags in run.ts, which loads this file when it runs).
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { readClassicScenario, stageOutputs } from '../../classic/input/in-dir.ts';
import { outputFileName } from '../../classic/input/in-file.ts';
import { type ClassicScenario, segmentsToDownload } from '../../classic/input/scenario.ts';
import { runClassic } from '../../classic/runner/run.ts';
import { type ClassicResults, classicCsvFiles, jsonText, toClassicResults } from '../../results/classic.ts';
import { summarize } from '../../results/classic-summary.ts';
import { checkDestinations, type Destination } from '../../util/destinations.ts';
import { InputError } from '../../util/input-error.ts';
import { type OutputSet, writeAll } from '../../util/output-set.ts';
import { UsageError } from '../errors.ts';
import { usableMemory } from '../heap.ts';
import { printable } from '../printable.ts';
import { progressBar } from '../progress.ts';
import { formatRunSummary } from '../tables/table.ts';
import { threadsMemoryCheck } from '../threads-memory.ts';
import { VERSION } from '../version.ts';
import { reportHtml } from './report-action.ts';
import type { RunFlags } from './run.ts';
import { printWritten } from './written.ts';

export async function runClassicCommand(dir: string, flags: RunFlags): Promise<void> {
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
