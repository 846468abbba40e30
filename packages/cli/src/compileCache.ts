/**
 * Turns on Node.js's module compile cache (Node.js 22.1 and later) for the `acs-baseline` command: the compiled code
 * of the CLI's modules is kept on disk, in `acs-baseline-compile-cache` in the system's temporary folder (its own, not
 * the `node-compile-cache` other tools share), so later runs start sooner. It is an optimisation only, so it is used
 * only where it is safe:
 *
 * - the folder must be a real directory owned by the current user that no one else can even enter (created here with
 *   mode 0700 when missing): a folder another user planted, or one they can reach into (Node.js makes the cache's
 *   own subfolders with the process's umask), in a shared temporary folder could feed this process compiled code;
 * - it must be on a file system where a plain `mkdir` works: Node.js's own recursive `mkdir` loops forever when
 *   `mkdir` answers ENOENT under an existing parent (as under `/proc`), which would hang the command.
 *
 * `NODE_COMPILE_CACHE` (a folder the user chose, which Node.js honours by itself) and `NODE_DISABLE_COMPILE_CACHE=1`
 * keep their meaning. Nothing here ever throws.
 */
import { lstatSync, mkdirSync } from "node:fs";
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when `dir` exists (or was just made) as a directory of this user's that no one else can write into, not a link. */
function ownDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 }); // not recursive: see the module comment
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return false;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory()) return false;
  // POSIX only: Windows has neither owners by uid nor these mode bits.
  return process.getuid === undefined || (st.uid === process.getuid() && (st.mode & 0o077) === 0);
}

/** Turns the compile cache on when that is safe (see the module comment); never throws. */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  try {
    const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
    if (enable === undefined || env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined)
      return;
    const dir = join(tmpdir(), "acs-baseline-compile-cache");
    if (ownDirectory(dir)) enable(dir);
  } catch {
    // Never a reason to fail the command.
  }
}
