/**
 * Where audit lines go. Files and stdout use pino's destination (SonicBoom) in synchronous mode: the recorder commits
 * batches of records, each one `writeSync`, so there is never an asynchronous write in flight to lose or reorder.
 * The destination runs in buffer mode: a batch is encoded to UTF-8 once (in string mode SonicBoom measures and
 * re-encodes every string it writes).
 */
import type { Stats } from "node:fs";
import { closeSync, constants, fchmodSync, ftruncateSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import pino from "pino";
import type { Logger } from "pino";
import type { AuditLevel } from "./record.js";
import { BaselineViolationError } from "../errors.js";

/**
 * A line sink. The recorder hands it batches (`write`: complete JSON lines, each ending in `\n`, UTF-8). The bytes
 * are only valid during the call (the recorder reuses the memory): a sink writes them out or copies them before it
 * returns. `flushSync` makes sure everything written is out (process end).
 */
export interface AuditSink {
  write(batch: Buffer): void;
  /** True while records cannot be written (the last write failed). */
  readonly failed?: boolean;
  flushSync(): void;
  close(): Promise<void>;
}

const LEVELS: ReadonlySet<string> = new Set<AuditLevel>(["info", "warn", "error"]);

type SonicBoom = ReturnType<typeof pino.destination>;

/** pino's destination (SonicBoom), synchronous, buffer mode: a committed batch is one `writeSync`, never in flight. */
class SonicSink implements AuditSink {
  private readonly dest: SonicBoom;
  private readonly ownsFd: boolean;
  private closed = false;
  failed = false;
  /** Set when the file ends in a torn line: the first write starts with a newline that terminates it. */
  terminateTornLine = false;

  constructor(fd: number, ownsFd: boolean) {
    this.dest = pino.destination({ dest: fd, sync: true, minLength: 0, maxWrite: 1 << 20, contentMode: "buffer" });
    this.ownsFd = ownsFd;
    this.dest.on("error", (error: NodeJS.ErrnoException) => {
      if (this.failed) return;
      this.failed = true;
      // write() must never throw into the caller; say once, loudly, that the audit log stopped.
      process.emitWarning(
        `acs-baseline audit: writing the audit log failed (${error.code ?? "error"}); later records are dropped`,
        { code: "ACS_BASELINE_AUDIT_WRITE_FAILED" },
      );
    });
  }

  write(batch: Buffer): void {
    if (batch.length === 0 || this.closed || this.failed) return;
    // SonicBoom's types only know strings; in buffer mode it takes (and must be given) Buffers. In synchronous mode
    // the write is complete when write() returns (partial writes and EAGAIN are retried inside it), so the reused
    // batch memory is free again; after a failed write the destination is destroyed unflushed (close()).
    const dest = this.dest as unknown as { write(chunk: Buffer): boolean };
    if (this.terminateTornLine) {
      this.terminateTornLine = false;
      dest.write(Buffer.from("\n"));
    }
    dest.write(batch);
  }

  flushSync(): void {
    if (!this.closed && !this.failed) this.dest.flushSync();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flushSync();
    this.closed = true;
    if (!this.ownsFd) return Promise.resolve();
    return new Promise((resolve) => {
      this.dest.once("close", () => resolve());
      this.dest.once("error", () => resolve());
      // After a failed write SonicBoom may still hold that batch's (since reused) memory: close without writing it.
      if (this.failed) this.dest.destroy();
      else this.dest.end();
    });
  }
}

/** A caller-owned stream: one `write` (a string) per batch; never ended by us. */
class StreamSink implements AuditSink {
  private closed = false;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  write(batch: Buffer): void {
    if (batch.length > 0 && !this.closed) this.stream.write(batch.toString("utf8"));
  }
  flushSync(): void {
    try {
      (this.stream as unknown as { flushSync?: () => void }).flushSync?.();
    } catch {
      // not flushable synchronously
    }
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const s = this.stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (s.writableNeedDrain !== true) return Promise.resolve();
    return new Promise((resolve) => {
      s.once("drain", resolve);
      s.once("error", resolve);
      s.once("close", resolve);
    });
  }
}

/** Through a child of the application's pino logger, one log call per record at the record's level. */
class LoggerSink implements AuditSink {
  private readonly child: Logger;
  private closed = false;
  constructor(logger: Logger) {
    this.child = logger.child({}, { level: "info" });
  }
  write(batch: Buffer): void {
    if (this.closed) return;
    for (const line of batch.toString("utf8").split("\n")) {
      if (line.length === 0) continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      const level = typeof record.level === "string" && LEVELS.has(record.level) ? (record.level as AuditLevel) : "info";
      this.child[level](record);
    }
  }
  flushSync(): void {
    const stream = (this.child as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as Partial<SonicBoom> | undefined;
    try {
      stream?.flushSync?.();
    } catch {
      // Asynchronous destination not ready yet: nothing we can do synchronously.
    }
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      try {
        this.child.flush(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** The tail of an existing audit file: where its chain ends, and what (if anything) follows the last record. */
export interface FileTail {
  /** The last complete line that is an audit record (seq and hash), if any within the part read. */
  lastRecord: { seq: number; hash: string } | undefined;
  /** `sig` of the last checkpoint found in the part read ("" when none). */
  lastSig: string;
  /** What follows the last record: nothing, a torn line (no newline at the end), or complete lines that are not records. */
  breakKind: "torn" | "foreign" | undefined;
  /** Bytes after the last record (the torn or foreign part). */
  breakBytes: number;
  size: number;
}

/** How much of an existing file's end is read to find its last record. */
const TAIL_BYTES = 1 << 20;

/** Parses a line as an audit record's chain position (and a checkpoint's signature). */
function chainOf(line: string): { seq: number; hash: string; sig?: string } | undefined {
  try {
    const rec = JSON.parse(line) as { seq?: unknown; hash?: unknown; schema?: unknown; checkpoint?: { sig?: unknown } };
    if (typeof rec !== "object" || rec === null || typeof rec.seq !== "number" || typeof rec.hash !== "string") return undefined;
    if (typeof rec.schema !== "string" || !rec.schema.startsWith("acs-baseline.audit")) return undefined;
    const sig = typeof rec.checkpoint?.sig === "string" ? rec.checkpoint.sig : undefined;
    return { seq: rec.seq, hash: rec.hash, ...(sig !== undefined ? { sig } : {}) };
  } catch {
    return undefined;
  }
}

/** Reads the end of an open file: the last record, the last checkpoint signature, and any torn or foreign tail. */
export function readTail(fd: number): FileTail {
  const size = fstatSync(fd).size;
  const tail: FileTail = { lastRecord: undefined, lastSig: "", breakKind: undefined, breakBytes: 0, size };
  if (size === 0) return tail;
  const len = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const torn = buf[len - 1] !== 0x0a;
  const lastNl = buf.lastIndexOf(0x0a);
  let afterRecord = torn ? len - (lastNl + 1) : 0;
  let foreign = false;
  // Walk the complete lines backwards: [nl + 1, end) is a line, its newline at `end`.
  let end = lastNl;
  while (end >= 0) {
    const nl = end === 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
    if (nl < 0 && len < size) break; // the first line of the window may be cut: not usable
    const rec = chainOf(buf.toString("utf8", nl + 1, end));
    if (rec !== undefined) {
      if (tail.lastRecord === undefined) {
        tail.lastRecord = { seq: rec.seq, hash: rec.hash };
        tail.breakBytes = afterRecord;
      }
      if (rec.sig !== undefined) {
        tail.lastSig = rec.sig;
        break;
      }
    } else if (tail.lastRecord === undefined) {
      afterRecord += end - nl;
      foreign = true;
    }
    end = nl;
  }
  if (tail.lastRecord === undefined) tail.breakBytes = size;
  tail.breakKind = torn ? "torn" : foreign ? "foreign" : undefined;
  if (tail.breakKind === undefined) tail.breakBytes = 0;
  return tail;
}

/** How a file destination is opened. */
export interface FileSinkOptions {
  /** Follow a symlinked destination, and accept a file with more than one name (hard links). Default false: refused. */
  allowSymlink?: boolean;
  /** Called (synchronously, once) when a write fails, with the error code. */
  onFailure?: (code: string) => void;
  /** Called when a write succeeds again after failures. */
  onRecovered?: () => void;
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
    private readonly lock: FileLock | undefined,
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
    if (this.closed) return;
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
      if (!this.failed) {
        this.failed = true;
        const code = (e as NodeJS.ErrnoException).code ?? "EIO";
        process.emitWarning(`acs-baseline audit: writing the audit log failed (${code}); records are held in memory and retried`, {
          code: "ACS_BASELINE_AUDIT_WRITE_FAILED",
        });
        this.options.onFailure?.(code);
      }
    }
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

/**
 * One writer per file: `<file>.lock` holds the writer's pid, created exclusively. A lock whose process is gone (killed)
 * is taken over.
 */
const heldLocks = new Set<FileLock>();
function releaseAllLocks(): void {
  for (const lock of [...heldLocks]) lock.release();
}

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
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
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
    throw new BaselineViolationError("AUDIT_DESTINATION_REFUSED", `Could not take the writer lock ${path}: one writer per file.`);
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

function refused(message: string): BaselineViolationError {
  return new BaselineViolationError("AUDIT_DESTINATION_REFUSED", message);
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
export function openFileSink(path: string, options: FileSinkOptions = {}): { sink: FileSink; tail: FileTail; notes: FileOpenNotes } {
  mkdirSync(dirname(path), { recursive: true });
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
  const flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (allowLinks ? 0 : (constants.O_NOFOLLOW ?? 0));
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") {
      throw refused("The audit destination is a symbolic link: records would go wherever it points. Give the real path, or set audit.allowSymlink: true.");
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
    throw e;
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
      lock = FileLock.acquire(path);
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
    lock?.release();
    closeSync(fd);
    throw e;
  }
}

/** stdout through pino's destination (synchronous). */
export function openStdoutSink(): AuditSink {
  return new SonicSink(1, false);
}

/** A caller-owned writable stream. */
export function openStreamSink(stream: NodeJS.WritableStream): AuditSink {
  return new StreamSink(stream);
}

/** Through a child of the application's pino logger. */
export function openLoggerSink(logger: Logger): AuditSink {
  return new LoggerSink(logger);
}
