/** One writer per audit file: a `<file>.lock` holding the writer's pid. */
import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
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
      const pid = readLockPid(path);
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

/** Most bytes a lock file holds (a pid and a newline); a larger one is not a lock this library wrote. */
const MAX_LOCK_BYTES = 64;

/**
 * The pid in an existing lock file (NaN when it is gone or unreadable: taken over). Opened without following a
 * symlink and without blocking (a FIFO would wait for a writer for good); anything but a small regular file is
 * refused (`AUDIT_DESTINATION_REFUSED`), never read.
 */
function readLockPid(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw lockRefused(path, "a symbolic link");
    return NaN; // removed meanwhile, or unreadable: try again
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw lockRefused(path, st.isFIFO() ? "a named pipe (FIFO)" : "not a regular file");
    if (st.size > MAX_LOCK_BYTES) throw lockRefused(path, `${st.size} bytes long`);
    const buf = Buffer.alloc(MAX_LOCK_BYTES);
    const n = readSync(fd, buf, 0, MAX_LOCK_BYTES, 0);
    return Number.parseInt(buf.toString("utf8", 0, n), 10);
  } finally {
    closeSync(fd);
  }
}

function lockRefused(path: string, what: string): BaselineViolationError {
  return new BaselineViolationError(
    "AUDIT_DESTINATION_REFUSED",
    `The audit file's writer lock ${path} is ${what}, not a lock file this library writes (a pid): someone put it there. Remove it, and check who can write the audit directory.`,
  );
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
