// The layer rules of lint/layers.mjs (run by `npm run lint`): the real tree keeps them, and each rule
// fails on a tree made to break it, so the check is not vacuous.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the lint folder, without types
import { checkLayers } from '../../lint/layers.mjs';

const check = checkLayers as (srcDir: string) => string[];
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** A src/ tree of the given files (path -> text), in a fresh folder. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'swarmlab-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const CLEAN = {
  'util/rng.ts': 'export const x = 1;\n',
  'bittorrent/core/peer.ts': "import { x } from '../../util/rng.ts';\nexport const y = x;\n",
  'bittorrent/sim/simulation.ts': "import { y } from '../core/peer.ts';\nexport const z = y;\n",
  'results/swarm.ts': "import { z } from '../bittorrent/sim/simulation.ts';\nexport const r = z;\n",
  'report/html.ts': "import { r } from '../results/swarm.ts';\nexport const h = r;\n",
  'cli/main.ts': "import { h } from '../report/html.ts';\nimport { readFileSync } from 'node:fs';\n",
};

describe('lint/layers.mjs', () => {
  it('finds nothing wrong in src/', () => {
    expect(check(SRC)).toEqual([]);
  });

  it('finds nothing wrong in a tree that keeps the rules', () => {
    expect(check(tree(CLEAN))).toEqual([]);
  });

  it('names both folders and the importing lines of a cycle', () => {
    const problems = check(
      tree({ ...CLEAN, 'results/swarm.ts': "import { h } from '../report/html.ts';\nexport const r = h;\n" }),
    );
    expect(problems).toContainEqual(expect.stringMatching(/import cycle between folders: report -> results/));
    expect(problems.join('\n')).toContain('src/results/swarm.ts:1');
  });

  it('finds a cycle of three folders', () => {
    const problems = check(
      tree({ ...CLEAN, 'util/rng.ts': "import { r } from '../results/swarm.ts';\nexport const x = r;\n" }),
    );
    expect(problems).toContainEqual(expect.stringMatching(/import cycle between folders/));
  });

  it.each([
    ["import { readFileSync } from 'node:fs';", "imports 'node:fs'"],
    ["import * as fs from 'fs';", "imports 'fs'"],
    ["const os = await import('node:os');", "imports 'node:os'"],
    ["export { inspect } from 'node:util';", "imports 'node:util'"],
    ["import { z } from '../sim/simulation.ts';", 'imports bittorrent/sim/'],
    ['const x = Math.random();', 'uses Math.random'],
    ['const now = Date.now();', 'uses Date'],
    ['const t = performance.now();', 'uses performance'],
    ['setTimeout(f, 1);', 'uses setTimeout'],
    ['setInterval(f, 1);', 'uses setInterval'],
    ['setImmediate(f);', 'uses setImmediate'],
    ['process.exit(1);', 'uses process'],
  ])('an impure core: %s', (line, what) => {
    const problems = check(tree({ ...CLEAN, 'bittorrent/core/bad.ts': `${line}\n` }));
    expect(problems).toContainEqual(
      expect.stringContaining(`src/bittorrent/core/bad.ts:1: the core bittorrent/core ${what}`),
    );
  });

  it('lets a comment in a core mention what the core must not use', () => {
    const problems = check(
      tree({ ...CLEAN, 'classic/protocol/ok.ts': '// no Date.now() or Math.random() here\n' }),
    );
    expect(problems).toEqual([]);
  });

  it('keeps the two products apart, the shared folders in their place, and cli/ unimported', () => {
    const problems = check(
      tree({
        ...CLEAN,
        'classic/sim/runtime.ts': "import { z } from '../../bittorrent/sim/simulation.ts';\n",
        'util/heap.ts': "import { r } from '../results/swarm.ts';\n",
        'report/chart.ts': "import { z } from '../bittorrent/sim/simulation.ts';\n",
        'results/classic.ts': "import { h } from '../cli/main.ts';\n",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('src/classic/sim/runtime.ts:1: classic/ imports bittorrent/'),
        expect.stringContaining('src/util/heap.ts:1: util/ imports results/'),
        expect.stringContaining('src/report/chart.ts:1: report/ imports bittorrent/sim/'),
        expect.stringContaining('src/results/classic.ts:1: results/ imports cli/'),
      ]),
    );
  });

  it('lets the live runtime use its core, util/ and node: modules, and keeps the simulator off it', () => {
    const live = {
      ...CLEAN,
      'bittorrent/net/storage.ts':
        "import { open } from 'node:fs/promises';\nimport { y } from '../core/peer.ts';\nimport { x } from '../../util/rng.ts';\nexport const s = 1;\n",
    };
    expect(check(tree(live))).toEqual([]);
    const problems = check(
      tree({
        ...live,
        'bittorrent/sim/flows.ts': "import { s } from '../net/storage.ts';\nexport const f = s;\n",
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'src/bittorrent/sim/flows.ts:1: the simulator bittorrent/sim imports the live runtime bittorrent/net/',
      ),
    ]);
  });
});
