// What ran: the scenario, its overrides, and the command that makes the same runs again (one simulate
// for a single run, one sweep for a grid of configurations times seeds, else one simulate per run).
import type { SwarmResults } from '../results/swarm.ts';
import type { RunGroup } from '../results/sweep.ts';
import { shellLine } from '../util/shell.ts';

export function reproduceCommands(groups: readonly RunGroup[]): string[] {
  const runs = groups.flatMap((group) => group.runs);
  const [first] = runs;
  if (first === undefined) return [];
  const sameSource = runs.every((run) => run.source === first.source && run.overrides !== undefined);
  if (runs.length === 1 || !sameSource) return runs.map(simulateCommand);
  const seeds = seedsOf(groups[0] as RunGroup);
  if (groups.some((group) => seedsOf(group) !== seeds)) return runs.map(simulateCommand);
  const grid = asGrid(groups.map((group) => (group.runs[0] as SwarmResults).overrides ?? []));
  if (grid === null) return runs.map(simulateCommand);
  return [
    shellLine([
      'swarmlab',
      'sweep',
      first.source,
      ...grid.common.flatMap((o) => ['--set', o]),
      ...grid.varied.flatMap(([field, values]) => ['--vary', `${field}=${values.join(',')}`]),
      '--seeds',
      seeds,
    ]),
  ];
}

export function simulateCommand(run: SwarmResults): string {
  const sets = (run.overrides ?? []).flatMap((o) => ['--set', o]);
  return shellLine(['swarmlab', 'simulate', run.source, ...sets, '--seed', String(run.seed)]);
}

/** `A..B` for consecutive seeds, else a list. */
function seedsOf(group: RunGroup): string {
  const seeds = group.runs.map((run) => run.seed);
  const [lo, hi] = [seeds[0] as number, seeds.at(-1) as number];
  const consecutive = seeds.every((seed, i) => seed === lo + i);
  return consecutive && seeds.length > 1 ? `${lo}..${hi}` : seeds.join(',');
}

/**
 * The overrides every configuration shares, and the fields that vary with their values, when the
 * configurations are exactly every combination of those values (a sweep's grid); else null.
 */
function asGrid(overrides: readonly (readonly string[])[]): {
  common: string[];
  varied: [string, string[]][];
} | null {
  const maps = overrides.map(
    (list) => new Map(list.map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)])),
  );
  const fields = [...new Set(maps.flatMap((map) => [...map.keys()]))];
  const common: string[] = [];
  const varied: [string, string[]][] = [];
  for (const field of fields) {
    const values = maps.map((map) => map.get(field));
    if (values.some((v) => v === undefined)) return null;
    const unique = [...new Set(values as string[])];
    if (unique.length === 1) common.push(`${field}=${unique[0]}`);
    else varied.push([field, unique]);
  }
  const combinations = varied.reduce((n, [, values]) => n * values.length, 1);
  const distinct = new Set(maps.map((map) => varied.map(([field]) => map.get(field)).join('\u0000'))).size;
  return combinations === maps.length && distinct === maps.length ? { common, varied } : null;
}
