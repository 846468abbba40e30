/**
 * The off-host anchor in Azure Blob Storage: audit lines appended to an append blob through `@azure/storage-blob`,
 * authenticated only with the factory's Microsoft Entra credential (scope `https://storage.azure.com/.default`).
 *
 * - `append` queues and returns; a single worker sends the queue as append blocks (each at most 4 MiB of whole lines)
 *   with `appendPosition`, so a retried block that already landed is recognised instead of written twice.
 * - Failures are retried with exponential backoff and full jitter, reported with `onFailure` each time, and
 *   `onRecovered` once a block lands again. Nothing ever throws into, or waits in, the caller.
 * - The queue is bounded (lines and bytes). Past the bound the OLDEST queued lines are dropped (in checkpoint mode
 *   the newest checkpoint covers everything before it), and the drop is reported with `onFailure`
 *   (`code: "ANCHOR_QUEUE_OVERFLOW"`), never silently.
 * - An append blob holds at most 50,000 blocks: the anchor then rolls to `<blobName>.1`, `<blobName>.2`, ….
 */
import type { TokenCredential } from "@azure/core-auth";
import type { AppendBlobClient } from "@azure/storage-blob";
import { assertTokenCredential } from "../../../guard/keyCredential.js";
import type { BlobClientFactory } from "./blobClient.js";
import { anchorPartName, blobClientFactory, describeError, positiveInt } from "./blobClient.js";
import type { AnchorEvents, AnchorSink } from "./anchorSink.js";
import type { BlobAnchorOptions } from "./blobAnchorOptions.js";
import { MAX_APPEND_BLOCK_BYTES, MAX_BLOCKS_PER_APPEND_BLOB, checkBlobAnchorOptions } from "./blobAnchorOptions.js";
import { loadStorageBlob } from "./loadStorageBlob.js";
import { readBlobTail } from "./blobTail.js";

type AppendResult = "stored" | "retry-now";

/** Thrown by a step to retry immediately (roll to the next blob, resynchronise the append position). */
class RetryNow extends Error {}

class BlobAnchor implements AnchorSink {
  readonly #clientFor: BlobClientFactory;
  readonly #blobName: string;
  readonly #events: AnchorEvents;
  readonly #maxLines: number;
  readonly #maxBytes: number;
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  readonly #flushTimeout: number;
  readonly #maxBlockBytes: number;
  readonly #maxBlocks: number;
  readonly #abort = new AbortController();

  /** Queued lines from index #head on, and their UTF-8 sizes plus the newline; compacted from time to time. */
  #queue: string[] = [];
  #sizes: number[] = [];
  #head = 0;
  #queuedBytes = 0;
  /** Lines ever accepted, and lines stored or dropped (stored + dropped ≤ accepted). */
  #accepted = 0;
  #settled = 0;
  /** Lines dropped and not yet reported; whether this outage's first drop has been reported. */
  #droppedUnreported = 0;
  #overflowReported = false;

  /** Current roll part, its client, length and committed block count; undefined until discovered. */
  #part: number | undefined;
  #blob: AppendBlobClient | undefined;
  #offset = 0;
  #blocks = 0;

  #attempt = 0;
  #running = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #scheduled: NodeJS.Immediate | undefined;
  #closing = false;
  #closed = false;
  #reportedClosed = false;
  readonly #waiters = new Set<{ target: number; resolve: () => void }>();

  constructor(clientFor: BlobClientFactory, blobName: string, events: AnchorEvents, options: BlobAnchorOptions) {
    this.#clientFor = clientFor;
    this.#blobName = blobName;
    this.#events = events;
    this.#maxLines = positiveInt(options.maxQueuedLines, 100_000, Number.MAX_SAFE_INTEGER, "maxQueuedLines");
    this.#maxBytes = positiveInt(options.maxQueuedBytes, 32 * 1024 * 1024, Number.MAX_SAFE_INTEGER, "maxQueuedBytes");
    this.#initialDelay = positiveInt(options.retry?.initialDelayMs, 500, 3_600_000, "retry.initialDelayMs");
    this.#maxDelay = Math.max(
      this.#initialDelay,
      positiveInt(options.retry?.maxDelayMs, 30_000, 3_600_000, "retry.maxDelayMs"),
    );
    this.#flushTimeout = positiveInt(options.flushTimeoutMs, 10_000, 3_600_000, "flushTimeoutMs");
    this.#maxBlockBytes = positiveInt(
      options.maxBlockBytes,
      MAX_APPEND_BLOCK_BYTES,
      MAX_APPEND_BLOCK_BYTES,
      "maxBlockBytes",
    );
    this.#maxBlocks = positiveInt(
      options.maxBlocksPerBlob,
      MAX_BLOCKS_PER_APPEND_BLOB,
      MAX_BLOCKS_PER_APPEND_BLOB,
      "maxBlocksPerBlob",
    );
  }

  get #pending(): number {
    return this.#queue.length - this.#head;
  }

  #report(kind: "failure", info: { attempt: number; code: string; message: string; pendingLines: number }): void;
  #report(kind: "recovered", info: { attempt: number }): void;
  #report(
    kind: "failure" | "recovered",
    info: { attempt: number; code?: string; message?: string; pendingLines?: number },
  ): void {
    try {
      if (kind === "failure")
        this.#events.onFailure(info as { attempt: number; code: string; message: string; pendingLines: number });
      else this.#events.onRecovered({ attempt: info.attempt });
    } catch {
      // A throwing listener must not stop the anchor.
    }
  }

  append(line: string): void {
    if (this.#closing) {
      if (!this.#reportedClosed) {
        this.#reportedClosed = true;
        this.#report("failure", {
          attempt: this.#attempt,
          code: "ANCHOR_CLOSED",
          message: "A line was appended after close(); it was not anchored.",
          pendingLines: this.#pending,
        });
      }
      return;
    }
    if (typeof line !== "string" || line.length === 0 || line.includes("\n") || line.includes("\r")) {
      this.#report("failure", {
        attempt: this.#attempt,
        code: "ANCHOR_LINE_INVALID",
        message: "A line that is empty, not a string, or contains CR/LF was not anchored.",
        pendingLines: this.#pending,
      });
      return;
    }
    const size = Buffer.byteLength(line) + 1;
    this.#queue.push(line);
    this.#sizes.push(size);
    this.#queuedBytes += size;
    this.#accepted++;
    if (this.#pending > this.#maxLines || this.#queuedBytes > this.#maxBytes) this.#dropOldest();
    this.#schedule();
  }

  /**
   * Drops the oldest lines until the queue is within its bounds again. The first drop of an outage is reported at
   * once; later ones are added up and reported with the next failed attempt, the next stored block, or close(), so a
   * listener that appends from onFailure (the recorder does) can neither recurse nor flood.
   */
  #dropOldest(): void {
    let dropped = 0;
    // Never drop the newest line: in checkpoint mode it covers everything before it.
    while (this.#pending > 1 && (this.#pending > this.#maxLines || this.#queuedBytes > this.#maxBytes)) {
      this.#queuedBytes -= this.#sizes[this.#head];
      this.#queue[this.#head] = "";
      this.#head++;
      dropped++;
    }
    this.#settled += dropped;
    this.#droppedUnreported += dropped;
    if (dropped > 0 && !this.#overflowReported) {
      this.#overflowReported = true;
      this.#reportDropped();
    }
    this.#resolveWaiters();
  }

  #reportDropped(): void {
    const n = this.#droppedUnreported;
    this.#droppedUnreported = 0;
    this.#report("failure", {
      attempt: this.#attempt,
      code: "ANCHOR_QUEUE_OVERFLOW",
      message: `The anchor queue is full (${this.#maxLines} lines / ${this.#maxBytes} bytes): the ${n} oldest queued line(s) were dropped and will not be anchored.`,
      pendingLines: this.#pending,
    });
  }

  #schedule(): void {
    if (this.#running || this.#retryTimer !== undefined || this.#scheduled !== undefined || this.#closed) return;
    // setImmediate: lines appended in the same turn of the event loop go out in one block.
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    if (this.#running || this.#closed) return;
    this.#running = true;
    try {
      while (this.#pending > 0 && !this.#closed) {
        let result: AppendResult;
        try {
          result = await this.#appendNext();
        } catch (error) {
          if (this.#closed) break;
          if (error instanceof RetryNow) continue;
          this.#attempt++;
          const { code, message } = describeError(error);
          this.#report("failure", { attempt: this.#attempt, code, message, pendingLines: this.#pending });
          if (this.#droppedUnreported > 0) this.#reportDropped();
          const cap = Math.min(this.#maxDelay, this.#initialDelay * 2 ** Math.min(this.#attempt - 1, 30));
          const delay = Math.max(1, Math.floor(Math.random() * cap));
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = undefined;
            void this.#run();
          }, delay);
          // A retry pending in the background must not keep the process alive; flush()/close() wait explicitly.
          this.#retryTimer.unref();
          return;
        }
        if (result === "stored" && this.#attempt > 0) {
          const attempt = this.#attempt;
          this.#attempt = 0;
          this.#report("recovered", { attempt });
        }
        if (result === "stored") {
          if (this.#droppedUnreported > 0) this.#reportDropped();
          this.#overflowReported = false;
        }
      }
    } finally {
      this.#running = false;
      this.#resolveWaiters();
    }
  }

  /** Finds the current roll part (the last one that exists), creating the first one when none does. */
  async #discover(): Promise<void> {
    let part = 0;
    let props: { contentLength?: number; blobCommittedBlockCount?: number } | undefined;
    for (;;) {
      const client = this.#clientFor(anchorPartName(this.#blobName, part));
      try {
        const p = await client.getProperties({ abortSignal: this.#abort.signal });
        props = p;
        part++;
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode !== 404) throw error;
        break;
      }
    }
    if (props === undefined) {
      await this.#openPart(0);
      return;
    }
    this.#part = part - 1;
    this.#blob = this.#clientFor(anchorPartName(this.#blobName, this.#part));
    this.#offset = props.contentLength ?? 0;
    this.#blocks = props.blobCommittedBlockCount ?? 0;
  }

  async #openPart(part: number): Promise<void> {
    const client = this.#clientFor(anchorPartName(this.#blobName, part));
    await client.createIfNotExists({
      abortSignal: this.#abort.signal,
      blobHTTPHeaders: { blobContentType: "application/x-ndjson" },
    });
    const props = await client.getProperties({ abortSignal: this.#abort.signal });
    this.#part = part;
    this.#blob = client;
    this.#offset = props.contentLength ?? 0;
    this.#blocks = props.blobCommittedBlockCount ?? 0;
  }

  /** Sends the next block. Throws to retry (RetryNow: at once). */
  async #appendNext(): Promise<AppendResult> {
    if (this.#blob === undefined || this.#part === undefined) await this.#discover();
    if (this.#blocks >= this.#maxBlocks) {
      await this.#openPart((this.#part ?? 0) + 1);
      throw new RetryNow();
    }
    // Take whole lines up to the block limit.
    const lines: string[] = [];
    let bytes = 0;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const size = this.#sizes[i];
      if (bytes + size > this.#maxBlockBytes) break;
      lines.push(this.#queue[i]);
      bytes += size;
    }
    if (lines.length === 0) {
      // A single line larger than a block can never be stored: drop it and say so.
      this.#take(1);
      this.#report("failure", {
        attempt: this.#attempt,
        code: "ANCHOR_LINE_TOO_LARGE",
        message: `A line longer than the ${this.#maxBlockBytes}-byte append block limit was not anchored.`,
        pendingLines: this.#pending,
      });
      return "retry-now";
    }
    const body = Buffer.from(`${lines.join("\n")}\n`, "utf8");
    const blob = this.#blob as AppendBlobClient;
    try {
      const response = await blob.appendBlock(body, body.length, {
        conditions: { appendPosition: this.#offset },
        abortSignal: this.#abort.signal,
      });
      this.#offset += body.length;
      this.#blocks = response.blobCommittedBlockCount ?? this.#blocks + 1;
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
      if (statusCode === 412 && code === "AppendPositionConditionNotMet") {
        if (await this.#landedAlready(blob, body)) {
          this.#offset += body.length;
          this.#blocks++;
        } else {
          throw new RetryNow();
        }
      } else if (statusCode === 409 && (code === "BlockCountExceedsLimit" || code === "MaxBlobSizeConditionNotMet")) {
        this.#blocks = this.#maxBlocks;
        throw new RetryNow();
      } else {
        if (statusCode === 404) this.#blob = undefined; // rediscover on the next try
        throw error;
      }
    }
    this.#take(lines.length);
    return "stored";
  }

  /**
   * After "append position not met": true when `body` is already at our offset (a retried request that had landed);
   * otherwise the position is resynchronised (another writer appended) and the block is sent again.
   */
  async #landedAlready(blob: AppendBlobClient, body: Buffer): Promise<boolean> {
    const props = await blob.getProperties({ abortSignal: this.#abort.signal });
    const length = props.contentLength ?? 0;
    if (length >= this.#offset + body.length) {
      const existing = await blob.downloadToBuffer(this.#offset, body.length, { abortSignal: this.#abort.signal });
      if (existing.equals(body)) return true;
    }
    this.#offset = length;
    this.#blocks = props.blobCommittedBlockCount ?? this.#blocks;
    return false;
  }

  #take(count: number): void {
    for (let i = 0; i < count; i++) {
      this.#queuedBytes -= this.#sizes[this.#head];
      this.#queue[this.#head] = "";
      this.#head++;
    }
    this.#settled += count;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    this.#resolveWaiters();
  }

  #resolveWaiters(): void {
    for (const waiter of this.#waiters) {
      if (this.#settled >= waiter.target || this.#closed) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** The end of the blob and its roll parts, for the writer's check at start (blobTail.ts). */
  fetchTail(maxBytes: number, signal: AbortSignal): Promise<string> {
    return readBlobTail(this.#clientFor, this.#blobName, maxBytes, signal);
  }

  flush(): Promise<void> {
    if (this.#settled >= this.#accepted || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        target: this.#accepted,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      // Storage keeps failing: give up waiting (every failed attempt has been reported); the lines stay queued.
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve();
      }, this.#flushTimeout);
      this.#waiters.add(waiter);
      this.#resolveWaiters();
    });
  }

  async close(): Promise<void> {
    if (this.#closing) {
      await this.flush();
      return;
    }
    this.#closing = true;
    await this.flush();
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#retryTimer = undefined;
    this.#scheduled = undefined;
    this.#abort.abort();
    if (this.#droppedUnreported > 0) this.#reportDropped();
    const unsent = this.#pending;
    if (unsent > 0) {
      this.#report("failure", {
        attempt: this.#attempt,
        code: "ANCHOR_CLOSED_UNSENT",
        message: `The anchor closed with ${unsent} line(s) not anchored (storage kept failing until the flush timeout).`,
        pendingLines: unsent,
      });
      this.#settled += unsent;
      this.#queue = [];
      this.#sizes = [];
      this.#head = 0;
      this.#queuedBytes = 0;
    }
    this.#resolveWaiters();
  }
}

/**
 * Creates the blob anchor. Validates everything first and loads `@azure/storage-blob`; it does not contact storage
 * (the first append does), so a storage outage never delays start-up.
 * @param credential - the factory's Microsoft Entra credential; anything else is refused
 * @throws BaselineViolationError INSECURE_ENDPOINT (http), KEY_CREDENTIAL_REFUSED (SAS in the URL, or a credential that
 * is not a TokenCredential), CONNECTION_STRING_REFUSED (a connection string or account key), ENDPOINT_NOT_ALLOWED
 * (query, user-info, host not allowed, bad container or blob name)
 * @throws Error when `@azure/storage-blob` is not installed (the message names the package)
 */
export async function createBlobAnchor(
  options: BlobAnchorOptions,
  credential: TokenCredential,
  events: AnchorEvents,
): Promise<AnchorSink> {
  const { target, blobName } = checkBlobAnchorOptions(options);
  assertTokenCredential(credential);
  const storage = await loadStorageBlob();
  return new BlobAnchor(blobClientFactory(storage, target, credential, options), blobName, events, options);
}
