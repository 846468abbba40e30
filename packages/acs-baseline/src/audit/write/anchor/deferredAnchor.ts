/** An anchor that arrives later (the blob anchor is created asynchronously). */
import type { AnchorEvents, AnchorSink } from "./anchorSink.js";

/** An anchor that arrives later (the blob anchor is created asynchronously): lines are queued until it is there. */
export class DeferredAnchor implements AnchorSink {
  private target: AnchorSink | undefined;
  private queue: string[] = [];
  private failed = false;
  /** Why the anchor could not be created (its code, for the writer's check at start). */
  private failure: { code: string; message: string } | undefined;
  private readonly ready: Promise<void>;
  constructor(create: () => Promise<AnchorSink>, events: AnchorEvents) {
    this.ready = Promise.resolve()
      .then(create)
      .then(
        (a) => {
          this.target = a;
          for (const line of this.queue) a.append(line);
          this.queue = [];
        },
        (e: unknown) => {
          this.failed = true;
          const err = e as { code?: unknown; message?: unknown };
          this.failure = {
            code: typeof err.code === "string" ? err.code : "ANCHOR_UNAVAILABLE",
            message: typeof err.message === "string" ? err.message : "the anchor could not be created",
          };
          try {
            events.onFailure({ attempt: 1, ...this.failure, pendingLines: this.queue.length });
          } catch {
            // reported
          }
          this.queue = [];
        },
      );
  }
  append(line: string): void {
    if (this.target !== undefined) this.target.append(line);
    else if (!this.failed && this.queue.length < 100_000) this.queue.push(line);
  }
  /** The anchor's `fetchTail`, once it is created; rejects with the creation error's code when it could not be. */
  async fetchTail(maxBytes: number, signal: AbortSignal): Promise<string> {
    await this.ready;
    const target = this.target;
    if (target?.fetchTail === undefined) {
      const failure = this.failure ?? { code: "ANCHOR_UNAVAILABLE", message: "the anchor cannot be read" };
      throw Object.assign(new Error(failure.message), { code: failure.code });
    }
    return target.fetchTail(maxBytes, signal);
  }

  async flush(): Promise<void> {
    await this.ready;
    await this.target?.flush();
  }
  async close(): Promise<void> {
    await this.ready;
    await this.target?.close();
  }
}
