// `swarmlab report RESULTS... -o FILE`: one self-contained HTML report of one or several runs.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { type ReportInput, renderReport } from '../../report/html.ts';
import { readResultsSet } from '../../results/read.ts';
import { UsageError } from '../errors.ts';
import { expectFileOrNothing } from '../options.ts';
import { VERSION } from '../version.ts';

export async function writeReport(path: string, input: ReportInput): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReport(input, { swarmlab: VERSION, createdAt: new Date() }));
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report of results files (--json of run or simulate)')
    .argument('<results...>', 'results files; several are overlaid, one colour per run')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .action(async (paths: string[], flags: { output: string }) => {
      if (paths.length === 0) throw new UsageError('report needs at least one results file');
      await expectFileOrNothing(flags.output, '--output');
      const input = await readResultsSet(paths);
      await writeReport(flags.output, input);
      process.stdout.write(
        `wrote ${flags.output}: ${input.runs.length} run${input.runs.length === 1 ? '' : 's'}\n`,
      );
    });
}
