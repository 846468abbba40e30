/**
 * The file destination: opened for appending (mode 0600, writer lock, symlinks, hard links, FIFOs and sockets
 * refused), written with `fs.writeSync`, failures held in memory and retried.
 */
import type { Stats } from "node:fs";
import {
  closeSync,
  constants,
  fchmodSync,
  ftruncateSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { BaselineViolationError } from "../../errors.js";
import type { AuditSink } from "./sink.js";
import { FileLock } from "./fileLock.js";
import type { FileTail } from "./fileTail.js";
import { readTail } from "./fileTail.js";

/** How a file destination is opened. */
export interface FileSinkOptions {
  /** Follow a symlinked destination, and accept a file with more than one name (hard links). Default false: refused. */
  allowSymlink?: boolean;
  /** Called (synchronously, once) when a write fails, with the error code. */
  onFailure?: (code: string) => void;
  /** Called when a write succeeds again after failures. */
  onRecovered?: () => void;
  /** The writer lock of this path, already held (a reopen or rotation hands the old file's over): not taken again. */
  lock?: FileLock;
}

/** What opening a file found that the log should record. */
export interface FileOpenNotes {
  /** The file was writable by its group or by others (this was its mode); its mode was set to 0600. */
  fixedMode?: number;
}

/** Permission bits that let someone other than the owner write: group (0o020) and others (0o002). */
export const FOREIGN_WRITE_BITS = 0o022;

/** "group-writable", "world-writable" or "group- and world-writable", for a mode with {@link FOREIGN_WRITE_BITS}. */
export function writableBy(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const world = (mode & 0o002) !== 0;
  return group && world ? "group- and world-writable" : group ? "group-writable" : "world-writable";
}

/** The most bytes kept in memory while the file cannot be written; later batches are dropped (and counted). */
const MAX_HELD_BYTES = 64 << 20;

/**
 * A file written with `fs.writeSync` (complete writes; partial writes are continued). When a write fails (disk full,
 * I/O error), the batch is kept in memory and written before the next one; `failed` stays true until a write
 * succeeds again.
 */
export class FileSink implements AuditSink {
  private closed = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  droppedBytes = 0;
  failed = false;
  /** Bytes this sink expects the file to have (to detect a truncation by another process, e.g. copytruncate). */
  expectedSize: number;
  written = 0;
  /** The file ends in a torn line: the first write starts with a newline that terminates it. */
  terminateTornLine = false;
  private readonly regular: boolean;

  constructor(
    readonly fd: number,
    readonly path: string,
    size: number,
    regular: boolean,
    /** The writer lock, released on close (unless handed to the next file at this path first: set undefined). */
    public lock: FileLock | undefined,
    private readonly options: FileSinkOptions,
  ) {
    this.expectedSize = size;
    this.regular = regular;
  }

  /** True when the file is now shorter than what was written to it (truncated in place). */
  truncated(): boolean {
    if (!this.regular || this.closed) return false;
    try {
      const size = fstatSync(this.fd).size;
      if (size < this.expectedSize) {
        this.expectedSize = size;
        return true;
      }
    } catch {
      // the write will report it
    }
    return false;
  }

  /** Writes a batch whole or not at all: after a partial write (disk full mid-batch) the file is cut back. */
  private writeAll(buf: Buffer): void {
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      if (off > 0 && this.regular) {
        try {
          ftruncateSync(this.fd, this.expectedSize);
        } catch {
          // cannot cut back: the next writer finds a torn line and names it
        }
      }
      throw e;
    }
    this.expectedSize += buf.length;
    this.written += buf.length;
  }

  write(batch: Buffer): void {
    if (this.closed) {
      // nothing can take these records any more: a failure (onWriteError applies), never a silent drop
      this.droppedBytes += batch.length;
      if (batch.length > 0) this.fail("ECLOSED");
      return;
    }
    let data = batch;
    if (this.terminateTornLine && data.length > 0) {
      this.terminateTornLine = false;
      data = Buffer.concat([Buffer.from("\n"), batch]);
    }
    try {
      while (this.held.length > 0) {
        this.writeAll(this.held[0]);
        this.heldBytes -= this.held[0].length;
        this.held.shift();
      }
      if (data.length > 0) this.writeAll(data);
      if (this.failed) {
        this.failed = false;
        this.options.onRecovered?.();
      }
    } catch (e) {
      if (data.length > 0) {
        if (this.heldBytes + data.length <= MAX_HELD_BYTES) {
          this.held.push(Buffer.from(data)); // a copy: the recorder reuses the batch memory
          this.heldBytes += data.length;
        } else {
          this.droppedBytes += data.length;
        }
      }
      this.fail((e as NodeJS.ErrnoException).code ?? "EIO");
    }
  }

  /** The first failure of a stretch: `failed` (onWriteError applies), one process warning, `onFailure`. */
  private fail(code: string): void {
    if (this.failed) return;
    this.failed = true;
    process.emitWarning(
      this.closed
        ? `acs-baseline audit: writing the audit log failed (${code}): the audit file is closed, records are lost`
        : `acs-baseline audit: writing the audit log failed (${code}); records are held in memory and retried`,
      { code: "ACS_BASELINE_AUDIT_WRITE_FAILED" },
    );
    this.options.onFailure?.(code);
  }

  /** Hands over the batches that could not be written (to the next file after a reopen). */
  takeHeld(): Buffer[] {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    return held;
  }

  /** Batches to write before anything else (taken from the previous file). */
  hold(batches: Buffer[]): void {
    for (const b of batches) {
      this.held.push(b);
      this.heldBytes += b.length;
    }
  }

  flushSync(): void {
    if (this.closed) return;
    if (this.held.length > 0) this.write(Buffer.alloc(0));
    try {
      if (this.regular) fsyncSync(this.fd);
    } catch {
      // nothing more to do at exit
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flushSync();
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.lock?.release();
    return Promise.resolve();
  }
}

function refused(message: string): BaselineViolationError {
  return new BaselineViolationError("AUDIT_DESTINATION_REFUSED", message);
}

/** File-system errors that mean "not here, not by this process": the destination is refused with what to do. */
const NOT_WRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOENT", "ENOTDIR", "EISDIR", "EEXIST"]);

/**
 * The refusal for an audit file this process cannot create or open (`AUDIT_DESTINATION_REFUSED`, naming the errno
 * code and the fix), or the error itself when it is something else (a disk error).
 */
function notWritable(error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !NOT_WRITABLE.has(code))
    return error instanceof Error ? error : new Error(String(error));
  return refused(
    `The audit destination is not writable by this process: ${code === "EISDIR" ? "it is a directory, not a file" : what} (${code}). Give audit.destination a file path this process may create and write (a directory it owns, such as one under its working directory), or create the directory with the right owner first.`,
  );
}

/** True when `st` is this process's own stdout or stderr (e.g. `/dev/stdout` with `allowSymlink`, stdout a pipe). */
function isOwnStdio(st: Stats): boolean {
  for (const fd of [1, 2]) {
    try {
      const s = fstatSync(fd);
      if (s.dev === st.dev && s.ino === st.ino) return true;
    } catch {
      // not open
    }
  }
  return false;
}

/**
 * A FIFO or a socket is refused: `writeSync` to a pipe nobody reads blocks the event loop for good (and a socket
 * cannot be opened as a file). The process's own stdout or stderr is the exception: it is read, or the process
 * could not log at all (the `"stdout"` destination writes there too).
 */
function kindRefusal(st: Stats, ownStdioAllowed = true): BaselineViolationError | undefined {
  if (!(st.isFIFO() || st.isSocket()) || (ownStdioAllowed && isOwnStdio(st))) return undefined;
  const kind = st.isFIFO() ? "a named pipe (FIFO)" : "a socket";
  return refused(
    `The audit destination is ${kind}, not a file: a synchronous write to it blocks the process for good when nobody reads it. Give a regular file, or destination: "stdout" (or a stream) to hand records to another process.`,
  );
}

/**
 * Opens an audit file for appending (mode 0600, directories created), takes its writer lock, and returns the sink and
 * the file's tail. Refused (`AUDIT_DESTINATION_REFUSED`): a symlink (opened with O_NOFOLLOW) and a regular file with
 * more than one name (hard links: each name would get its own writer lock), unless `allowSymlink`; a FIFO or socket
 * (other than the process's own stdout/stderr). An existing regular file writable by its group or by others gets mode
 * 0600 (reported in `notes`). Character devices (`/dev/full`, a tty) are written as they are. When the file ends in a
 * torn line, the first batch written starts with a newline, so the torn line is always followed by a complete
 * `log.open` that names it.
 */
export function openFileSink(
  path: string,
  options: FileSinkOptions = {},
): { sink: FileSink; tail: FileTail; notes: FileOpenNotes } {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw notWritable(e, "its directory cannot be created");
  }
  const allowLinks = options.allowSymlink === true;
  // Checked before opening too: a FIFO opened for writing may wait for a reader (O_RDWR does not on Linux).
  let before: Stats | undefined;
  try {
    before = allowLinks ? statSync(path) : lstatSync(path);
  } catch {
    // does not exist yet (created below), or the open reports it
  }
  const early = before === undefined ? undefined : kindRefusal(before);
  if (early !== undefined) throw early;
  const flags =
    constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (allowLinks ? 0 : (constants.O_NOFOLLOW ?? 0));
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") {
      throw refused(
        "The audit destination is a symbolic link: records would go wherever it points. Give the real path, or set audit.allowSymlink: true.",
      );
    }
    if (code === "ENXIO") {
      // a socket cannot be opened at all (not even the process's own stdout, when that is a socket)
      let st: Stats | undefined;
      try {
        st = statSync(path);
      } catch {
        // gone
      }
      const r = st === undefined ? undefined : kindRefusal(st, false);
      if (r !== undefined) throw r;
    }
    throw notWritable(e, "it cannot be opened for writing");
  }
  let lock: FileLock | undefined;
  try {
    const st = fstatSync(fd);
    const kind = kindRefusal(st);
    if (kind !== undefined) throw kind;
    const notes: FileOpenNotes = {};
    if (st.isFile()) {
      if (st.nlink > 1 && !allowLinks) {
        throw refused(
          `The audit file has ${st.nlink} names (hard links): a writer opening it by another name would take another lock, and two writers would interleave two chains in one file. Remove the other links, or set audit.allowSymlink: true.`,
        );
      }
      lock = options.lock ?? FileLock.acquire(path);
      if ((st.mode & FOREIGN_WRITE_BITS) !== 0) {
        fchmodSync(fd, 0o600);
        notes.fixedMode = st.mode & 0o777;
      }
    }
    const tail = readTail(fd);
    const sink = new FileSink(fd, path, tail.size, st.isFile(), lock, options);
    sink.terminateTornLine = tail.breakKind === "torn";
    return { sink, tail, notes };
  } catch (e) {
    if (lock !== options.lock) lock?.release(); // a lock handed over stays with its sink
    closeSync(fd);
    throw e;
  }
}
