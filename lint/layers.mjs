// The layers of src/, checked (`npm run lint` runs this after Biome). Prints `file:line: what is wrong`
// for every import that breaks a rule, and exits 1 if any does:
// - no import cycle between folders (a folder is a product's layer, e.g. bittorrent/core, or a shared
//   folder, e.g. results; sub-folders belong to the folder above them);
// - a core (classic/protocol, bittorrent/core) imports only itself and util/: no package, no `node:`
//   module, and it reads no clock, timer or ambient randomness;
// - the two products, classic/ and bittorrent/, never import each other;
// - util/ imports nothing else of src/; report/ reads results/ (and util/), never a runtime;
//   nothing imports cli/;
// - the simulator (bittorrent/sim) never imports the live runtime (bittorrent/net): a simulated run
//   touches no socket or disk, so that it stays deterministic. The live runtime, like any runtime, may
//   import its core, util/, node: modules and packages.
// Usage: node lint/layers.mjs [SRC_DIR]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRODUCTS = ['classic', 'bittorrent'];
/** Simulator -> the live runtime it must not reach. */
const LIVE_RUNTIMES = new Map([['bittorrent/sim', 'bittorrent/net']]);
const CORES = ['classic/protocol', 'bittorrent/core'];
/** What a core must not touch, besides imports: each is ambient time, timers or randomness. */
const AMBIENT = [
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['Date', /\bDate\b/],
  ['performance', /\bperformance\s*\./],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['process', /\bprocess\s*\./],
];
const IMPORT =
  /(?:\bimport|\bexport)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder a file belongs to: two levels under a product (bittorrent/core), one elsewhere (cli). */
export function folderOf(srcDir, file) {
  const parts = relative(srcDir, dirname(file)).split(sep).filter(Boolean);
  if (parts.length === 0) return '.';
  return PRODUCTS.includes(parts[0]) ? parts.slice(0, 2).join('/') : parts[0];
}

const productOf = (folder) => folder.split('/')[0];
const lineOf = (text, index) => text.slice(0, index).split('\n').length;
/** Comments removed, line breaks kept, so that lines still count. */
const withoutComments = (text) =>
  text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');

/** Every broken rule under `srcDir`, as `file:line: what is wrong`, in file order. */
export function checkLayers(srcDir) {
  const problems = [];
  const edges = new Map(); // folder -> Map(folder -> first place that imports it)
  for (const file of sourceFiles(srcDir).sort()) {
    const rel = relative(srcDir, file).split(sep).join('/');
    const from = folderOf(srcDir, file);
    const text = withoutComments(readFileSync(file, 'utf8'));
    const isCore = CORES.includes(from);
    const at = (index) => `src/${rel}:${lineOf(text, index)}`;
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      const where = at(match.index);
      if (!spec.startsWith('.')) {
        if (isCore)
          problems.push(`${where}: the core ${from} imports '${spec}'; a core imports only itself and util/`);
        continue;
      }
      const target = resolve(dirname(file), spec);
      const to = folderOf(srcDir, target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, where);
      const broken = ruleBroken(from, to);
      if (broken !== undefined) problems.push(`${where}: ${broken}`);
    }
    if (isCore) {
      for (const [name, pattern] of AMBIENT) {
        const found = pattern.exec(text);
        if (found)
          problems.push(
            `${at(found.index)}: the core ${from} uses ${name}; time and randomness come in as arguments`,
          );
      }
    }
  }
  for (const cycle of folderCycles(edges)) {
    const steps = cycle.map(
      (folder, i) =>
        `${folder} -> ${cycle[(i + 1) % cycle.length]} (${edges.get(folder).get(cycle[(i + 1) % cycle.length])})`,
    );
    problems.push(
      `${edges.get(cycle[0]).get(cycle[1 % cycle.length])}: import cycle between folders: ${steps.join(', ')}`,
    );
  }
  return problems;
}

/** Why an import from folder `from` to folder `to` is not allowed, or undefined. */
function ruleBroken(from, to) {
  if (CORES.includes(from) && to !== 'util')
    return `the core ${from} imports ${to}/; a core imports only itself and util/`;
  const [a, b] = [productOf(from), productOf(to)];
  if (PRODUCTS.includes(a) && PRODUCTS.includes(b) && a !== b)
    return `${a}/ imports ${b}/; the two products never import each other`;
  if (from === 'util') return `util/ imports ${to}/; util/ stands on nothing else of src/`;
  if (from === 'report' && to !== 'results' && to !== 'util')
    return `report/ imports ${to}/; a report reads results, never a runtime`;
  if (to === 'cli') return `${from}/ imports cli/; nothing imports the command line`;
  if (LIVE_RUNTIMES.get(from) === to)
    return `the simulator ${from} imports the live runtime ${to}/; a simulated run touches no socket or disk`;
  return undefined;
}

/** The folder graph's cycles, one per strongly connected component of more than one folder. */
function folderCycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(cycleThrough(component, edges));
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The shortest cycle through the component's first folder (in an SCC every folder leads back to it). */
function cycleThrough(component, edges) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  for (const here of queue) {
    for (const w of [...(edges.get(here)?.keys() ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let v = here; v !== undefined; v = cameFrom.get(v)) path.unshift(v);
        return path;
      }
      if (cameFrom.has(w)) continue;
      cameFrom.set(w, here);
      queue.push(w);
    }
  }
  return component;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? 'src');
  const problems = checkLayers(srcDir);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write(
      `layers: ${problems.length} broken rule${problems.length === 1 ? '' : 's'} (see lint/layers.mjs)\n`,
    );
    process.exit(1);
  }
}
