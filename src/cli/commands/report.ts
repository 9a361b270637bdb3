// `swarmlab report RESULTS... -o FILE`: one self-contained HTML report of one or several runs.
// Declared here (flags, help); the action, in report-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report of results files (--json of run or simulate)')
    .argument('<results...>', 'results files; several are overlaid, one colour per run')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .action(async (paths: string[], flags: { output: string }) => {
      const { report } = await import('./report-action.ts');
      await report(paths, flags);
    });
}
