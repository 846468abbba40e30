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
import { hostname as osHostname } from "node:os";
import { basename } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { AppendBlobClient, StoragePipelineOptions } from "@azure/storage-blob";
import { assertTokenCredential } from "../../guard/keyCredential.js";
import { createRequestGuardPolicy, proxyConfigured } from "../../guard/requestGuard.js";
import { assertTlsVerification } from "../../guard/tlsVerification.js";
import type { AnchorEvents, AnchorSink } from "./anchorSink.js";
import { DEFAULT_STORAGE_HOSTS, validateBlobName, validateContainerUrl } from "./containerUrl.js";
import type { ValidatedContainer } from "./containerUrl.js";
import { loadStorageBlob } from "./loadStorageBlob.js";
import type { StorageBlobModule } from "./loadStorageBlob.js";

/** The only token scope the anchor asks for. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";
/** Largest append block the anchor sends (the service limit for older API versions; 100 MiB on newer ones). */
export const MAX_APPEND_BLOCK_BYTES = 4 * 1024 * 1024;
/** Most blocks an append blob can hold. */
export const MAX_BLOCKS_PER_APPEND_BLOB = 50_000;

/** Options of {@link createBlobAnchor}. */
export interface BlobAnchorOptions {
  /** `https://<account>.blob.core.windows.net/<container>`: no SAS, no key, no query. The container must exist. */
  containerUrl: string;
  /** Blob name. Default {@link defaultAnchorBlobName}: `acs-audit/<host>/<audit file name>.jsonl`. */
  blobName?: string;
  /** What the recorder sends: checkpoints only (default) or every record. The anchor stores whatever it is given. */
  mode?: "checkpoints" | "records";
  /** The audit file, for the default blob name (its base name is used). */
  auditFileName?: string;
  /** Hosts the container may be on. Default: `*.blob.core.windows.net`, `*.blob.core.usgovcloudapi.net`, `*.blob.core.chinacloudapi.cn`. */
  allowedHosts?: readonly string[];
  /** TLS settings for the storage connection (e.g. `ca` of a local emulator). */
  tlsOptions?: { ca?: string | string[] };
  /** Most lines queued in memory. Default 100,000. */
  maxQueuedLines?: number;
  /** Most bytes queued in memory (UTF-8). Default 32 MiB. */
  maxQueuedBytes?: number;
  /** Backoff: first delay (default 500 ms) and cap (default 30 s); each delay is uniformly random in [0, min(cap, first·2^n)]. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Longest `flush()` / `close()` waits while storage fails. Default 10 s. */
  flushTimeoutMs?: number;
  /** Timeout of one storage request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest append block in bytes. Default and maximum 4 MiB (smaller values are for tests). */
  maxBlockBytes?: number;
  /** Blocks per blob before rolling to the next. Default and maximum 50,000 (smaller values are for tests). */
  maxBlocksPerBlob?: number;
}

function sanitizeNamePart(value: string, fallback: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._]+/, "").slice(0, 100);
  return cleaned.length > 0 && cleaned !== "." && cleaned !== ".." ? cleaned : fallback;
}

/**
 * The default blob name: `acs-audit/<host name>/<audit file base name>.jsonl` (each part reduced to letters, digits,
 * `.`, `_`, `-`; `audit` when there is no file name), so that every host and every log gets its own append blob.
 */
export function defaultAnchorBlobName(auditFileName?: string, host: string = osHostname()): string {
  const file = auditFileName === undefined ? "audit" : sanitizeNamePart(basename(auditFileName).replace(/\.(jsonl|log|json)$/i, ""), "audit");
  return `acs-audit/${sanitizeNamePart(host, "host")}/${file}.jsonl`;
}

/** Blob name of roll part `n` (0 is the blob name itself). */
export function anchorPartName(blobName: string, part: number): string {
  return part === 0 ? blobName : `${blobName}.${part}`;
}

/** URL of a blob in a container: each path segment of the name percent-encoded. */
export function blobUrlOf(containerUrl: string, blobName: string): string {
  return `${containerUrl}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
}

/** Makes the client of one blob. */
export type BlobClientFactory = (blobName: string) => AppendBlobClient;

/**
 * A client per blob, each with its own pipeline: `@azure/storage-blob` shares one pipeline between a container client
 * and the blob clients it hands out, and adding our guard policy to it a second time fails.
 */
export function blobClientFactory(
  storage: StorageBlobModule,
  target: ValidatedContainer,
  credential: TokenCredential,
  options: { tlsOptions?: { ca?: string | string[] }; requestTimeoutMs?: number; maxTries?: number },
): BlobClientFactory {
  // The storage token is an Entra token: certificate verification stays on (as for the factory's clients).
  assertTlsVerification({ tlsOptions: options.tlsOptions }, "audit.anchor.blob");
  return (blobName) => new storage.AppendBlobClient(blobUrlOf(target.url, blobName), credential, pipelineOptions(target, options));
}

function positiveInt(value: number | undefined, fallback: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`audit anchor ${what} must be a positive number`);
  return Math.min(Math.floor(value), max);
}

// eslint-disable-next-line no-control-regex -- these are the characters to escape
const ESCAPES = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A short, secret-free, single-line description of an error. */
function describeError(error: unknown): { code: string; message: string } {
  const e = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    name?: unknown;
    message?: unknown;
    details?: { errorCode?: unknown };
    response?: { headers?: { get?: (name: string) => unknown } };
  };
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  // A HEAD answer has no body: storage's error code is then only in the x-ms-error-code header.
  const headerCode = typeof e.response?.headers?.get === "function" ? e.response.headers.get("x-ms-error-code") : undefined;
  const candidates = [e.code, e.details?.errorCode, headerCode, status !== undefined ? `HTTP_${status}` : undefined, e.name];
  const rawCode = (candidates.find((c) => typeof c === "string" && c.length > 0) as string | undefined) ?? "Error";
  const code = rawCode.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 64) || "Error";
  let message = typeof e.message === "string" ? (e.message.split("\n")[0] ?? "") : "";
  message = message
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer ***")
    .replace(/([?&;]\s*sig\s*=)[^&\s]*/gi, "$1***")
    .replace(/(accountkey\s*=)[^;\s]*/gi, "$1***")
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .slice(0, 200);
  return { code, message: status !== undefined ? `HTTP ${status}: ${message}` : message };
}

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
    this.#maxDelay = Math.max(this.#initialDelay, positiveInt(options.retry?.maxDelayMs, 30_000, 3_600_000, "retry.maxDelayMs"));
    this.#flushTimeout = positiveInt(options.flushTimeoutMs, 10_000, 3_600_000, "flushTimeoutMs");
    this.#maxBlockBytes = positiveInt(options.maxBlockBytes, MAX_APPEND_BLOCK_BYTES, MAX_APPEND_BLOCK_BYTES, "maxBlockBytes");
    this.#maxBlocks = positiveInt(options.maxBlocksPerBlob, MAX_BLOCKS_PER_APPEND_BLOB, MAX_BLOCKS_PER_APPEND_BLOB, "maxBlocksPerBlob");
  }

  get #pending(): number {
    return this.#queue.length - this.#head;
  }

  #report(kind: "failure", info: { attempt: number; code: string; message: string; pendingLines: number }): void;
  #report(kind: "recovered", info: { attempt: number }): void;
  #report(kind: "failure" | "recovered", info: { attempt: number; code?: string; message?: string; pendingLines?: number }): void {
    try {
      if (kind === "failure") this.#events.onFailure(info as { attempt: number; code: string; message: string; pendingLines: number });
      else this.#events.onRecovered({ attempt: info.attempt });
    } catch {
      // A throwing listener must not stop the anchor.
    }
  }

  append(line: string): void {
    if (this.#closing) {
      if (!this.#reportedClosed) {
        this.#reportedClosed = true;
        this.#report("failure", { attempt: this.#attempt, code: "ANCHOR_CLOSED", message: "A line was appended after close(); it was not anchored.", pendingLines: this.#pending });
      }
      return;
    }
    if (typeof line !== "string" || line.length === 0 || line.includes("\n") || line.includes("\r")) {
      this.#report("failure", { attempt: this.#attempt, code: "ANCHOR_LINE_INVALID", message: "A line that is empty, not a string, or contains CR/LF was not anchored.", pendingLines: this.#pending });
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
    await client.createIfNotExists({ abortSignal: this.#abort.signal, blobHTTPHeaders: { blobContentType: "application/x-ndjson" } });
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
 * Storage client options: the anchor's own retries (the SDK's are off, so backoff and reporting are one loop), the
 * Entra scope, a request timeout, optional TLS trust, and the request guard as the last policy (https to the
 * container's host with a Bearer token, nothing else). `tlsOptions` and `additionalPolicies` are passed through to
 * `@azure/core-client` (not in `StoragePipelineOptions`' type); a test pins that they take effect.
 */
function pipelineOptions(
  target: ValidatedContainer,
  options: { tlsOptions?: { ca?: string | string[] }; requestTimeoutMs?: number; maxTries?: number },
): StoragePipelineOptions {
  // With the transport checks (requestOverrides, a foreign agent, the request's TLS settings, NODE_TLS_REJECT_UNAUTHORIZED
  // set later) on every attempt: storage builds its own HttpClient, so this policy is the anchor's last check.
  const guard: PipelinePolicy = createRequestGuardPolicy({ hostname: target.hostname, port: target.port }, undefined, { proxy: proxyConfigured(undefined) });
  const extra: { tlsOptions?: { ca?: string | string[] }; additionalPolicies: { policy: PipelinePolicy; position: "perRetry" }[] } = {
    additionalPolicies: [{ policy: guard, position: "perRetry" }],
    ...(options.tlsOptions !== undefined ? { tlsOptions: options.tlsOptions } : {}),
  };
  const base: StoragePipelineOptions = {
    audience: STORAGE_SCOPE,
    retryOptions: { maxTries: options.maxTries ?? 1, tryTimeoutInMs: positiveInt(options.requestTimeoutMs, 30_000, 600_000, "requestTimeoutMs") },
  };
  return Object.assign(base, extra);
}

/**
 * Checks anchor options synchronously, without loading `@azure/storage-blob` or contacting storage, so a factory can
 * refuse a bad configuration at construction. {@link createBlobAnchor} runs the same checks.
 * @throws the same BaselineViolationErrors as {@link createBlobAnchor}; TypeError for a bad `mode`; RangeError for a
 * bad tuning number
 */
export function checkBlobAnchorOptions(options: BlobAnchorOptions): { target: ValidatedContainer; blobName: string } {
  const target = validateContainerUrl(options.containerUrl, options.allowedHosts ?? DEFAULT_STORAGE_HOSTS);
  const blobName = validateBlobName(options.blobName ?? defaultAnchorBlobName(options.auditFileName));
  if (options.mode !== undefined && options.mode !== "checkpoints" && options.mode !== "records") {
    throw new TypeError('audit anchor mode must be "checkpoints" or "records"');
  }
  positiveInt(options.requestTimeoutMs, 30_000, 600_000, "requestTimeoutMs");
  assertTlsVerification({ tlsOptions: options.tlsOptions }, "audit.anchor.blob");
  return { target, blobName };
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
