/**
 * A file anchor: appends audit lines to a second file (another disk, a mounted share). Useful in tests and as the
 * `verify-log --anchor FILE` format: one audit line per line, exactly as the recorder wrote it.
 */
import { appendFile } from "node:fs/promises";
import type { AnchorEvents, AnchorSink } from "./anchorSink.js";

/** Longest wait between two attempts after failures. */
const MAX_BACKOFF_MS = 30_000;
/** Lines kept while the anchor fails; older ones are dropped (and reported as pending) beyond this. */
const MAX_PENDING_LINES = 100_000;

class FileAnchor implements AnchorSink {
  private queue: string[] = [];
  private running: Promise<void> | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly events: AnchorEvents | undefined,
    private readonly baseBackoffMs: number,
  ) {}

  append(line: string): void {
    if (this.closed) return;
    try {
      this.queue.push(line);
      if (this.queue.length > MAX_PENDING_LINES) this.queue.splice(0, this.queue.length - MAX_PENDING_LINES);
      this.running ??= this.pump();
    } catch {
      // never throws
    }
  }

  private async pump(): Promise<void> {
    // One writer at a time, lines in order; a failed batch stays at the head of the queue.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.slice();
      try {
        await appendFile(this.path, `${batch.join("\n")}\n`, { mode: 0o600 });
        this.queue.splice(0, batch.length);
        if (this.attempt > 0) {
          const attempt = this.attempt;
          this.attempt = 0;
          this.report(() => this.events?.onRecovered({ attempt }));
        }
      } catch (e) {
        this.attempt++;
        const err = e as NodeJS.ErrnoException;
        this.report(() =>
          this.events?.onFailure({ attempt: this.attempt, code: err.code ?? "ERROR", message: "appending to the anchor file failed", pendingLines: this.queue.length }),
        );
        if (this.closed) break; // close(): failed for good, reported
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, Math.min(MAX_BACKOFF_MS, this.baseBackoffMs * 2 ** (this.attempt - 1)));
          this.timer.unref();
        });
        this.timer = undefined;
        this.wake = undefined;
      }
    }
    this.running = undefined;
  }

  private report(f: () => void): void {
    try {
      f();
    } catch {
      // a listener's error is not ours
    }
  }

  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.wake?.();
    }
    await this.flush();
  }
}

/**
 * An anchor that appends each line to the file at `path` (created with mode 0600). Failures are retried with
 * exponential backoff (from `backoffMs`, default 100 ms, up to 30 s) and reported through `events`.
 */
export function createFileAnchor(path: string, events?: AnchorEvents, options?: { backoffMs?: number }): AnchorSink {
  return new FileAnchor(path, events, options?.backoffMs ?? 100);
}
