// Whether a program that an interop test runs is installed (`.ci/run` installs them; a developer may
// not have them, and then the test is skipped, except in CI, where it fails and says what is missing).
import { execFileSync } from 'node:child_process';

export function isInstalled(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skip a suite when `command` is missing, unless in CI. */
export function skipWithout(command: string): boolean {
  return !isInstalled(command) && process.env.CI !== 'true';
}
