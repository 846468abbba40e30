/**
 * Where audit lines go. Files and stdout use pino's destination (SonicBoom) in synchronous mode: the recorder commits
 * batches of records, each one `writeSync`, so there is never an asynchronous write in flight to lose or reorder.
 * The destination runs in buffer mode: a batch is encoded to UTF-8 once (in string mode SonicBoom measures and
 * re-encodes every string it writes). The file destination is in fileSink.ts.
 */
import pino from "pino";
import type { Logger } from "pino";
import type { AuditLevel } from "../record/serializeRecord.js";

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
      const level =
        typeof record.level === "string" && LEVELS.has(record.level) ? (record.level as AuditLevel) : "info";
      this.child[level](record);
    }
  }
  flushSync(): void {
    const stream = (this.child as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
      | Partial<SonicBoom>
      | undefined;
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
