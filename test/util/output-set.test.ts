import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputSet, WriteError, writeAll } from '../../src/util/output-set.ts';
import { makeTempDir, removeTempDirs } from '../cli/spawn.ts';

afterEach(removeTempDirs);

/** Every path under `dir`, files and folders, relative and sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

/** Writes like the disk, until the `failAt`th write, which fails as a full disk does. */
function fullAfter(failAt: number) {
  let writes = 0;
  return async (path: string, content: string | Uint8Array) => {
    writes++;
    if (writes === failAt) {
      await writeFile(path, String(content).slice(0, 3)); // a full disk leaves a truncated file
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    }
    await writeFile(path, content);
  };
}

describe('writeAll', () => {
  it('moves every file into place, creating folders, and leaves no staging behind', async () => {
    const dir = await makeTempDir('outputs');
    const written = await writeAll(async (outputs) => {
      await outputs.write(join(dir, 'a.json'), 'a');
      await outputs.write(join(dir, 'deep/er/b.csv'), 'b');
    });
    expect(written).toEqual([join(dir, 'a.json'), join(dir, 'deep/er/b.csv')]);
    expect(await tree(dir)).toEqual(['a.json', 'deep', 'deep/er', 'deep/er/b.csv']);
    expect(await readFile(join(dir, 'deep/er/b.csv'), 'utf8')).toBe('b');
  });

  it('on a full disk at the third of four files, leaves nothing, not even a made folder, and names the file', async () => {
    const dir = await makeTempDir('outputs');
    await writeFile(join(dir, 'old.txt'), 'kept');
    const names = ['one', 'sub/two', 'sub/three', 'four'];
    const failing = writeAll(
      async (outputs) => {
        for (const name of names) await outputs.write(join(dir, name), `${name} content`);
      },
      new OutputSet(fullAfter(3)),
    );
    await expect(failing).rejects.toThrow(WriteError);
    await expect(failing).rejects.toThrow(`cannot write ${join(dir, 'sub/three')}: no space left`);
    expect(await tree(dir)).toEqual(['old.txt']);
  });

  it('removes what it staged when the caller fails before committing', async () => {
    const dir = await makeTempDir('outputs');
    const failing = writeAll(async (outputs) => {
      await outputs.write(join(dir, 'a'), 'a');
      throw new Error('the report could not be drawn');
    });
    await expect(failing).rejects.toThrow('the report could not be drawn');
    expect(await tree(dir)).toEqual([]);
  });

  it('never touches a real file named like a temporary one (x and x.partial side by side)', async () => {
    const dir = await makeTempDir('outputs');
    await writeAll(async (outputs) => {
      await outputs.write(join(dir, 'x.partial'), 'the partial one');
      await outputs.write(join(dir, 'x'), 'the plain one');
    });
    expect(await readFile(join(dir, 'x.partial'), 'utf8')).toBe('the partial one');
    expect(await readFile(join(dir, 'x'), 'utf8')).toBe('the plain one');
  });

  it('writes a file whose name is 255 bytes, the most a file system takes', async () => {
    const dir = await makeTempDir('outputs');
    const name = 'n'.repeat(255);
    await writeAll((outputs) => outputs.write(join(dir, name), 'long'));
    expect(await tree(dir)).toEqual([name]);
  });

  it('refuses one path written twice', async () => {
    const dir = await makeTempDir('outputs');
    await mkdir(join(dir, 'sub'));
    const twice = writeAll(async (outputs) => {
      await outputs.write(join(dir, 'sub/a'), '1');
      await outputs.write(join(dir, 'sub/../sub/a'), '2');
    });
    await expect(twice).rejects.toThrow('would be written twice');
    expect(await tree(dir)).toEqual(['sub']);
  });
});
