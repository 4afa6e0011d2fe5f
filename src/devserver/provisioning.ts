import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * How the Temporal CLI and the Java test server are provisioned into the user's cache:
 * whether a file found is usable, and building a copy without ever leaving half of one.
 */

/** True for a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface BuildThenRenameOptions {
  /** The folder the scratch folder is made in (created when missing); on the target's file system. */
  parent: string;
  /** The scratch folder's name prefix (`.build-`). */
  prefix: string;
  /** Where the result ends up. */
  target: string;
  /** Fills the scratch folder and returns what to move into place: the folder itself or a file in it. */
  build: (scratch: string) => Promise<string>;
  /** When another process put a folder at `target` first: keep its copy (true) or replace it. */
  keepExisting?: (target: string) => boolean;
}

/**
 * Builds in a fresh scratch folder and renames the result into place in one step, so two
 * processes building at once never leave a half-written copy: the loser discards its own
 * (or replaces the winner's when that is incomplete). The scratch folder is removed
 * whatever happens.
 */
export async function buildThenRename({ parent, prefix, target, build, keepExisting }: BuildThenRenameOptions): Promise<void> {
  mkdirSync(parent, { recursive: true });
  const scratch = mkdtempSync(path.join(parent, prefix));
  try {
    renameIntoPlace(await build(scratch), target, keepExisting);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function renameIntoPlace(built: string, target: string, keepExisting: (target: string) => boolean = () => false): void {
  try {
    renameSync(built, target);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  // Another process finished first: keep its copy when it is complete, else replace it.
  if (keepExisting(target)) return;
  const stale = `${target}.stale-${process.pid}-${Date.now()}`;
  renameSync(target, stale);
  rmSync(stale, { recursive: true, force: true });
  renameSync(built, target);
}
