/** One writer per audit file: a `<file>.lock` holding the writer's pid. */
import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { BaselineViolationError } from "../../errors.js";

/**
 * One writer per file: `<file>.lock` holds the writer's pid, created exclusively. A lock whose process is gone (killed)
 * is taken over.
 */
const heldLocks = new Set<FileLock>();
function releaseAllLocks(): void {
  for (const lock of [...heldLocks]) lock.release();
}

/** The writer lock of one file, released on close and at process exit. */
export class FileLock {
  private released = false;
  private constructor(readonly path: string) {
    if (heldLocks.size === 0) process.once("exit", releaseAllLocks);
    heldLocks.add(this);
  }

  static acquire(file: string): FileLock {
    const path = `${file}.lock`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
          0o600,
        );
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new FileLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(path, "utf8"), 10);
      } catch {
        // removed meanwhile, or unreadable: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new BaselineViolationError(
          "AUDIT_DESTINATION_REFUSED",
          `Another process (pid ${pid}) is writing this audit file (${path} exists): one writer per file. Give each process its own audit file.`,
        );
      }
      try {
        unlinkSync(path); // a stale lock (its process is gone), or our own from an earlier open
      } catch {
        // someone else removed it
      }
    }
    throw new BaselineViolationError(
      "AUDIT_DESTINATION_REFUSED",
      `Could not take the writer lock ${path}: one writer per file.`,
    );
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldLocks.delete(this);
    if (heldLocks.size === 0) process.removeListener("exit", releaseAllLocks);
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
