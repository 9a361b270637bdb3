// Where `gen` writes, checked first: a folder that already holds files would end up holding a mix of
// two scenarios (run reads every in<R>.txt), or lose a bundled example, so it is refused unless --force.
import { readdir, stat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';

export async function checkGenFolder(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new UsageError(`${dir}: a file is there, not a folder`);
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UsageError(`${dir}: a part of the path is a file, not a folder`);
    throw new UsageError(`${dir}: cannot be read (${code})`);
  }
  if (entries.length > 0 && !force) {
    throw new UsageError(
      `${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}): gen writes a ` +
        'scenario into a new or empty folder; --force replaces the in<R>.txt files there',
    );
  }
}
