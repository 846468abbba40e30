/**
 * Where audit lines go. Files and stdout use pino's destination (SonicBoom) in synchronous mode with a small
 * buffer: `request` records are batched (written when 16 KiB accumulate, or within 100 ms), every other record is
 * written at once, and everything buffered is written synchronously at process end (see exitFlush.ts).
 */
import { closeSync, mkdirSync, openSync, readSync, fstatSync } from "node:fs";
import { dirname } from "node:path";
import pino from "pino";
import type { Logger } from "pino";
import { registerExitFlush, unregisterExitFlush } from "./exitFlush.js";
import type { AuditLevel } from "./record.js";

/** A line sink. `write` gets a complete JSON line ending in `\n`. */
export interface AuditSink {
  /** `urgent` lines are written through at once; others may be batched. */
  write(line: string, level: AuditLevel, urgent: boolean): void;
  close(): Promise<void>;
}

const BATCH_BYTES = 16 * 1024;
const MAX_WRITE = 64 * 1024;
const BATCH_MS = 100;

type SonicBoom = ReturnType<typeof pino.destination>;

class SonicSink implements AuditSink {
  private readonly dest: SonicBoom;
  private readonly ownsFd: boolean;
  private closed = false;
  private failed = false;

  constructor(fd: number, ownsFd: boolean) {
    this.dest = pino.destination({ dest: fd, sync: true, minLength: BATCH_BYTES, maxWrite: MAX_WRITE, periodicFlush: BATCH_MS });
    this.ownsFd = ownsFd;
    this.dest.on("error", () => {
      this.failed = true;
    });
    registerExitFlush(this);
  }

  write(line: string, _level: AuditLevel, urgent: boolean): void {
    if (this.closed || this.failed) return;
    this.dest.write(line);
    if (urgent) this.dest.flush();
  }

  flushSync(): void {
    if (!this.closed && !this.failed) this.dest.flushSync();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flushSync();
    this.closed = true;
    unregisterExitFlush(this);
    if (!this.ownsFd) return Promise.resolve();
    return new Promise((resolve) => {
      this.dest.once("close", () => resolve());
      this.dest.once("error", () => resolve());
      this.dest.end();
    });
  }
}

class StreamSink implements AuditSink {
  private closed = false;
  constructor(private readonly stream: NodeJS.WritableStream) {
    if (typeof (stream as unknown as { flushSync?: unknown }).flushSync === "function") registerExitFlush(this);
  }
  write(line: string): void {
    if (!this.closed) this.stream.write(line);
  }
  flushSync(): void {
    (this.stream as unknown as { flushSync?: () => void }).flushSync?.();
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    unregisterExitFlush(this);
    const s = this.stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (s.writableNeedDrain !== true) return Promise.resolve();
    return new Promise((resolve) => {
      s.once("drain", resolve);
      s.once("error", resolve);
      s.once("close", resolve);
    });
  }
}

class LoggerSink implements AuditSink {
  private readonly child: Logger;
  private closed = false;
  constructor(logger: Logger, level: AuditLevel) {
    this.child = logger.child({}, { level });
    registerExitFlush(this);
  }
  write(line: string, level: AuditLevel, urgent: boolean): void {
    if (this.closed) return;
    this.child[level](JSON.parse(line) as Record<string, unknown>);
    if (urgent) this.flushSync();
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
    unregisterExitFlush(this);
    return new Promise((resolve) => {
      try {
        this.child.flush(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** The last complete line of a file (for continuing its chain), and whether the file ends in a torn line. */
export interface FileTail {
  lastLine: string | undefined;
  torn: boolean;
  size: number;
}

function readTail(fd: number): FileTail {
  const size = fstatSync(fd).size;
  if (size === 0) return { lastLine: undefined, torn: false, size };
  const len = Math.min(size, 1 << 16);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const text = buf.toString("utf8");
  const torn = !text.endsWith("\n");
  const body = torn ? text.slice(0, text.lastIndexOf("\n") + 1) : text;
  const lines = body.split("\n").filter((l) => l.trim() !== "");
  return { lastLine: lines.length > 0 ? lines[lines.length - 1] : undefined, torn, size };
}

/** Opens an audit file for appending (mode 0600, directories created), returns the sink and the file's tail. */
export function openFileSink(path: string): { sink: AuditSink; tail: FileTail; terminateTornLine: () => void } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "a+", 0o600);
  let tail: FileTail;
  try {
    tail = readTail(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const sink = new SonicSink(fd, true);
  return {
    sink,
    tail,
    terminateTornLine: () => sink.write("\n", "info", true),
  };
}

/** stdout through pino's destination (synchronous, batched, flushed at exit). */
export function openStdoutSink(): AuditSink {
  return new SonicSink(1, false);
}

/** A caller-owned writable stream. */
export function openStreamSink(stream: NodeJS.WritableStream): AuditSink {
  return new StreamSink(stream);
}

/** Through a child of the application's pino logger. */
export function openLoggerSink(logger: Logger, level: AuditLevel): AuditSink {
  return new LoggerSink(logger, level);
}
