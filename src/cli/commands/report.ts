// `swarmlab report RESULTS... -o FILE`: one self-contained HTML report of one or several runs.
import type { Command } from 'commander';
import { type ReportInput, renderReport } from '../../report/html.ts';
import { readResultsSet } from '../../results/read.ts';
import { checkDestinations } from '../../util/destinations.ts';
import { writeAll } from '../../util/output-set.ts';
import { UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';

/** The HTML of a report, stamped with this version and the time. */
export function reportHtml(input: ReportInput): string {
  return renderReport(input, { swarmlab: VERSION, createdAt: new Date() });
}

export async function writeReport(path: string, input: ReportInput): Promise<void> {
  await writeAll((outputs) => outputs.write(path, reportHtml(input)));
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report of results files (--json of run or simulate)')
    .argument('<results...>', 'results files; several are overlaid, one colour per run')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .action(async (paths: string[], flags: { output: string }) => {
      if (paths.length === 0) throw new UsageError('report needs at least one results file');
      await checkDestinations([{ kind: 'file', path: flags.output, flag: '--output' }], paths);
      const input = await readResultsSet(paths);
      await writeReport(flags.output, input);
      process.stdout.write(
        `wrote ${flags.output}: ${input.runs.length} run${input.runs.length === 1 ? '' : 's'}\n`,
      );
    });
}
