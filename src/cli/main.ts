// The swarmlab command line: parses flags, calls the library, prints progress and a summary.
// Exit codes: 0 done, 2 bad input or usage, 1 anything else (always with a message, never a stack trace).
import { Command, CommanderError } from 'commander';
import { InputError } from '../util/input-error.ts';
import { registerBound } from './commands/bound.ts';
import { registerGen } from './commands/gen.ts';
import { registerGet } from './commands/get.ts';
import { registerMakeTorrent } from './commands/make-torrent.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerSeed } from './commands/seed.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerTracker } from './commands/tracker.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';
import { printable } from './printable.ts';
import { VERSION } from './version.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('swarmlab')
    .description(
      'Run BitTorrent swarms: the classic tracker-and-clients protocol (run, gen), simulated swarms (simulate, sweep, bound), live swarms over TCP (make-torrent, tracker, seed, get), and reports of any of them (report).',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Commander quotes unknown options and bad values as given: escape them as every message is.
    .configureOutput({ writeErr: (text) => process.stderr.write(printable(text)) })
    .exitOverride();
  registerRun(program);
  registerGen(program);
  registerSimulate(program);
  registerSweep(program);
  registerBound(program);
  registerReport(program);
  registerMakeTorrent(program);
  registerTracker(program);
  registerSeed(program);
  registerGet(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help, the version, or what was wrong with the command line.
    if (error.exitCode === 0) return EXIT_OK;
    const cause = (error as CommanderError & { cause?: unknown }).cause;
    if (cause instanceof UsageError) process.stderr.write(`swarmlab: ${printable(cause.message)}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof InputError || error instanceof UsageError) {
    process.stderr.write(`swarmlab: ${printable(error.message)}\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`swarmlab: ${printable(message)}\n`);
  return EXIT_FAILURE;
}
