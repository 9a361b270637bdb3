// Reads results files (`--json` of run or simulate) back, for reports.
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/input-error.ts';
import { CLASSIC_RESULTS_FORMAT, CLASSIC_RESULTS_VERSION, type ClassicResults } from './classic.ts';
import { classicResultsSchema, firstProblem, swarmResultsSchema } from './schema.ts';
import { SWARM_RESULTS_FORMAT, SWARM_RESULTS_VERSION, type SwarmResults } from './swarm.ts';

type AnyResults = ClassicResults | SwarmResults;

/** Results of one kind: what a report draws. */
export type ResultsSet =
  | { readonly kind: 'classic'; readonly runs: readonly ClassicResults[] }
  | { readonly kind: 'swarm'; readonly runs: readonly SwarmResults[] };

export async function readResults(path: string): Promise<AnyResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(path, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(path, undefined, 'is not JSON: expected a results file written by --json');
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== CLASSIC_RESULTS_FORMAT && format !== SWARM_RESULTS_FORMAT) {
    throw new InputError(
      path,
      undefined,
      `is not a swarmlab results file: expected "format": "${CLASSIC_RESULTS_FORMAT}" or "${SWARM_RESULTS_FORMAT}"`,
    );
  }
  const version = (value as { version?: unknown }).version;
  const readable = format === CLASSIC_RESULTS_FORMAT ? CLASSIC_RESULTS_VERSION : SWARM_RESULTS_VERSION;
  if (version !== readable) {
    const newer = typeof version === 'number' && version > readable ? ' (written by a newer swarmlab)' : '';
    throw new InputError(
      path,
      undefined,
      `has "version": ${JSON.stringify(version) ?? 'none'}; this swarmlab reads version ${readable}${newer}`,
    );
  }
  const schema = format === CLASSIC_RESULTS_FORMAT ? classicResultsSchema : swarmResultsSchema;
  const checked = schema.safeParse(value);
  if (!checked.success) throw new InputError(path, undefined, firstProblem(checked.error));
  return value as AnyResults;
}

/** Results of one kind, ready for a report; mixing classic and simulated runs is an error. */
export async function readResultsSet(paths: readonly string[]): Promise<ResultsSet> {
  const all = await Promise.all(paths.map(readResults));
  const classic = all.filter((r): r is ClassicResults => r.format === CLASSIC_RESULTS_FORMAT);
  const swarm = all.filter((r): r is SwarmResults => r.format === SWARM_RESULTS_FORMAT);
  if (classic.length > 0 && swarm.length > 0) {
    const odd = paths[all.findIndex((r) => r.format !== all[0]?.format)] as string;
    throw new InputError(
      odd,
      undefined,
      'a report compares runs of one kind: classic runs or simulations, not both',
    );
  }
  return classic.length > 0 ? { kind: 'classic', runs: classic } : { kind: 'swarm', runs: swarm };
}
