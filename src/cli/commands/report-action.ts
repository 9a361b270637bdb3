// What `swarmlab report` does, and the HTML of a report that run, simulate and sweep write too (declared
// with its flags in report.ts, which loads this file when the command runs).
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

export async function report(paths: string[], flags: { output: string }): Promise<void> {
  if (paths.length === 0) throw new UsageError('report needs at least one results file');
  await checkDestinations([{ kind: 'file', path: flags.output, flag: '--output' }], paths);
  const input = await readResultsSet(paths);
  await writeReport(flags.output, input);
  process.stdout.write(
    `wrote ${flags.output}: ${input.runs.length} run${input.runs.length === 1 ? '' : 's'}\n`,
  );
}
