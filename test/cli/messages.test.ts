// Messages a user can act on, for the Low items of issue 11: refused --set fields, YAML with two
// documents, a NUL in a name, in02.txt, a folder that cannot be listed, and escape sequences in input.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './in-process.ts';
import { makeTempDir, ROOT, removeTempDirs } from './spawn.ts';

afterEach(removeTempDirs);

/** Client 1 wants f from client 2. */
async function twoClients(dir: string, wantedName = 'f'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'in1.txt'), `0\n1\n${wantedName}\n`);
  await writeFile(join(dir, 'in2.txt'), `1\n${wantedName} 1\naa\n0\n`);
}

describe('messages', () => {
  it.each(['__proto__.x=1', 'constructor.prototype.x=1', 'peers.__proto__=3'])(
    'refuses --set %s',
    async (set) => {
      const result = await runCli(['bound', 'scenarios/classic.yaml', '--set', set]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/is not a scenario field/);
    },
  );

  it('says a scenario is one YAML document, without advice meant for programmers', async () => {
    const dir = await makeTempDir('yaml');
    const path = join(dir, 's.yaml');
    await writeFile(path, 'name: a\n---\nname: b\n');
    const result = await runCli(['bound', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `swarmlab: ${path}:2: a scenario is one YAML document; another one starts here, after '---'\n`,
    );
  });

  it('blames a NUL in a file name on the NUL, not on / or \\', async () => {
    const dir = await makeTempDir('nul');
    await twoClients(dir, 'a\u0000b');
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `swarmlab: ${join(dir, 'in1.txt')}:3: a file name cannot contain a NUL character\n`,
    );
  });

  it('reports the lowest-numbered bad in-file, whichever read ends first (it depended on timing)', async () => {
    const dir = await makeTempDir('nul-order');
    await twoClients(dir, 'a\u0000b');
    // in1.txt is long, so that its read ends last: the message must still name it, not in2.txt.
    await writeFile(join(dir, 'in1.txt'), `0\n1\na\u0000b\n${'\n'.repeat(20_000_000)}`);
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `swarmlab: ${join(dir, 'in1.txt')}:3: a file name cannot contain a NUL character\n`,
    );
  });

  it('warns that in02.txt is not read, instead of ignoring it silently', async () => {
    const dir = await makeTempDir('in02');
    await twoClients(dir);
    await writeFile(join(dir, 'in02.txt'), '0\n0\n');
    const result = await runCli(['run', dir, '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      `warning: ${join(dir, 'in02.txt')}: not read: in-files are named in1.txt, in2.txt, ... without leading zeros\n`,
    );
  });

  it('shows escape sequences from input as text, never sends them to the terminal', async () => {
    const dir = join(await makeTempDir('escape'), 'x\u001b[2J\u0007');
    const result = await runCli(['run', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('x\\x1b[2J\\x07: no such folder');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw control characters.
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    const option = await runCli(['run', 'examples/basic', '--\u001b[31m']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--\\x1b[31m'");
  });

  it.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv'))(
    'says a folder that cannot be listed cannot be read, not that there is no such folder',
    async () => {
      const dir = await makeTempDir('unlistable');
      await chmod(dir, 0o711);
      const closed = join(dir, 'closed');
      await twoClients(closed);
      await chmod(closed, 0o300);
      const run = promisify(execFile);
      const cli = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'run', closed];
      const result = await run(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...cli],
        {
          cwd: ROOT,
        },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(result.stderr).toBe(`swarmlab: ${closed}: cannot be read (EACCES)\n`);
    },
  );
});
