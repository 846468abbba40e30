/**
 * The audit recorder: turns observer events into chained `acs-baseline.audit/1` records and hands them to a sink.
 */
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { AuditEventInput, AuditPrincipal } from "./events.js";
import { GENESIS_HASH } from "./canonical.js";
import { BatchBuffer } from "./batchBuffer.js";
import type { AuditLevel, RecordContext, RequestRecordInput } from "./record.js";
import { mergePrincipal, serializeRecord, serializeRequestRecord, setContextPrincipal } from "./record.js";
import { scrubText } from "./redaction.js";
import type { AuditSink } from "./sink.js";
import { openFileSink, openLoggerSink, openStdoutSink, openStreamSink } from "./sink.js";
import type { SyncFlushable } from "./exitFlush.js";
import { registerExitFlush, unregisterExitFlush } from "./exitFlush.js";

/**
 * Where and how audit records are written.
 * @public
 */
export interface AuditOptions {
  /**
   * `"stdout"` (default), a file path (appended to, created with mode 0600; the chain continues from the last
   * record already in the file), or a writable stream you own.
   */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- "stdout" documents the default
  destination?: "stdout" | string | NodeJS.WritableStream;
  /** Your application's pino logger: records are written through a child of it (`destination` is then ignored). */
  logger?: Logger;
  /** Lowest level written (default `info`: everything). */
  level?: "info" | "warn" | "error";
  /** Hash-chain the records (`seq`, `prevHash`, `hash`). Default true. */
  chain?: boolean;
}

/**
 * Writes audit records. All methods are safe to call in any state; `write` never throws.
 * @public
 */
export interface AuditRecorder {
  /** Merged into every following record's `principal`. */
  setPrincipal(p: AuditPrincipal): void;
  /** `acs.endpoint` (host) on every following record. */
  setEndpoint(host: string): void;
  /** Records one event (synchronous; never throws into the caller). */
  write(event: AuditEventInput): void;
  /** Writes `log.close` with the record count and flushes; later calls return the same promise. */
  close(): Promise<void>;
}

const LEVEL_RANK: Readonly<Record<AuditLevel, number>> = { info: 30, warn: 40, error: 50 };

class NoopRecorder implements AuditRecorder {
  setPrincipal(): void {}
  setEndpoint(): void {}
  write(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface ChainStart {
  seq: number;
  prevHash: string;
}

function chainFromLastLine(line: string | undefined): ChainStart {
  if (line === undefined) return { seq: 1, prevHash: GENESIS_HASH };
  try {
    const last = JSON.parse(line) as { seq?: unknown; hash?: unknown };
    if (typeof last.seq === "number" && typeof last.hash === "string") return { seq: last.seq + 1, prevHash: last.hash };
  } catch {
    // Not a record: start a new chain.
  }
  return { seq: 1, prevHash: GENESIS_HASH };
}

const HOST_SHAPE = /^[a-z0-9.:[\]-]{1,253}$/;
/** The host of an endpoint URL (or a bare host); `invalid-host` when there is none or it looks like a secret. */
function hostOf(value: string): string {
  const v = value.trim();
  // Anything secret-shaped before the query (which is dropped anyway) disqualifies the value: a key can parse as a host.
  const beforeQuery = v.split(/[?#]/, 1)[0] ?? "";
  if (scrubText(beforeQuery) !== beforeQuery) return "invalid-host";
  try {
    const host = new URL(v.includes("://") ? v : `https://${v}`).host;
    return HOST_SHAPE.test(host) ? host : "invalid-host";
  } catch {
    return "invalid-host";
  }
}

/**
 * A record waiting to be serialised: the event (or, for a successful `request`, its primitive fields), when it
 * happened, and the recorder context at that moment.
 */
interface Pending {
  event: AuditEventInput | undefined;
  request: RequestRecordInput | undefined;
  ms: number;
  ctx: RecordContext;
  level: AuditLevel;
  close: boolean;
}

/**
 * The audit policy's fast path for successful `request` records (internal: not part of the public surface). The
 * input is owned by the recorder from then on.
 */
export const WRITE_REQUEST: unique symbol = Symbol("acs-baseline.audit.writeRequest");

/** A recorder with the fast path. */
export interface RequestRecorder {
  [WRITE_REQUEST](request: RequestRecordInput): void;
}

/** Records batched before they are serialised, hashed and written (the hot path only queues). */
const BATCH_RECORDS = 256;
/** A synchronous burst that never yields to the event loop is written inline once this many records are queued. */
const MAX_QUEUED_RECORDS = 4 * BATCH_RECORDS;
/** Longest a `request` record waits in memory before it is written (exit hooks write it at once). */
const BATCH_MS = 50;

/**
 * One log: a sink and its chain. Recorders writing to the same file, to stdout, to the same stream or through the same
 * logger share it (one chain per log, never two interleaved). Each recorder's close() writes `log.close`; the sink
 * closes with the last one.
 *
 * `request` records are queued and processed in batches (up to 256, or after 50 ms): serialising and hashing a batch
 * in one go keeps the hot path to a queue push, and a batch is one buffer and one synchronous write. Every other
 * record is written at once, together with the queue before it. Exit hooks process the queue synchronously.
 */
class SharedLog implements SyncFlushable {
  seq: number;
  readonly firstSeq: number;
  prevHash: string;
  count = 0;
  refs = 0;
  closing: Promise<void> | undefined;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastMs = -1;
  private lastIso = "";
  private readonly bytes = new BatchBuffer();

  constructor(
    readonly key: unknown,
    readonly sink: AuditSink,
    readonly chain: boolean,
    start: ChainStart,
  ) {
    this.seq = start.seq;
    this.firstSeq = start.seq;
    this.prevHash = start.prevHash;
    registerExitFlush(this);
  }

  enqueue(item: Pending, urgent: boolean): void {
    this.pending.push(item);
    const queued = this.pending.length;
    if (urgent || queued >= MAX_QUEUED_RECORDS) {
      this.drain();
    } else if (queued >= BATCH_RECORDS) {
      // Written right after the current I/O callback, not inside it: the response that filled the batch goes on to
      // the caller (and its next request to the wire) first, so the service is not left idle while a batch is hashed.
      if (this.immediate === undefined) {
        this.immediate = setImmediate(() => this.drain());
        this.immediate.unref();
      }
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.drain(), BATCH_MS);
      this.timer.unref();
    }
  }

  /** Serialises, chains and writes everything queued. */
  drain(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    for (const item of batch) {
      try {
        this.process(item);
      } catch {
        // a record that cannot be serialised is dropped, never the batch
      }
    }
    if (this.bytes.length > 0) this.sink.write(this.bytes.take());
  }

  private process(item: Pending): void {
    if (item.ms !== this.lastMs) {
      this.lastMs = item.ms;
      this.lastIso = new Date(item.ms).toISOString();
    }
    const chainPos = this.chain ? { seq: this.seq, prevHash: this.prevHash } : undefined;
    let json: string;
    if (item.request !== undefined) {
      json = serializeRequestRecord(item.request, item.ctx, this.lastIso, chainPos);
    } else if (item.event !== undefined) {
      const closeMember = item.close ? { firstSeq: this.firstSeq, records: this.count } : undefined;
      json = serializeRecord(item.event, item.ctx, this.lastIso, item.level, chainPos, closeMember);
    } else {
      return;
    }
    const hash = this.bytes.appendLine(json, this.chain);
    if (hash !== undefined) {
      this.prevHash = hash;
      this.seq++;
    }
    this.count++;
  }

  /** Exit hook: everything queued is written before the process ends. */
  flushSync(): void {
    this.drain();
    this.sink.flushSync();
  }

  close(): Promise<void> {
    this.drain();
    unregisterExitFlush(this);
    return this.sink.close();
  }
}

const openLogs = new Map<unknown, SharedLog>();

function acquireLog(key: unknown, open: () => SharedLog): SharedLog {
  let log = openLogs.get(key);
  if (log === undefined || log.closing !== undefined) {
    log = open();
    openLogs.set(key, log);
  }
  log.refs++;
  return log;
}

const EMPTY_CONTEXT: RecordContext = Object.freeze({ principal: undefined, principalJson: "", endpoint: undefined });

class ChainedRecorder implements AuditRecorder, RequestRecorder {
  /** Replaced (never mutated) on change, so queued records keep the context they were written with. */
  private ctx: RecordContext = EMPTY_CONTEXT;
  private principal: AuditPrincipal = {};
  private closing: Promise<void> | undefined;
  private readonly minRank: number;

  constructor(
    private readonly log: SharedLog,
    level: AuditLevel,
  ) {
    this.minRank = LEVEL_RANK[level] ?? 30;
  }

  setPrincipal(p: AuditPrincipal): void {
    try {
      this.principal = mergePrincipal(this.principal, p);
      const ctx = { ...this.ctx };
      setContextPrincipal(ctx, this.principal);
      this.ctx = ctx;
    } catch {
      // never throw into the caller
    }
  }

  setEndpoint(host: string): void {
    try {
      this.ctx = { ...this.ctx, endpoint: typeof host === "string" ? hostOf(host) : undefined };
    } catch {
      // never throw into the caller
    }
  }

  write(event: AuditEventInput): void {
    if (this.closing !== undefined || this.log.closing !== undefined) return;
    try {
      this.append(event, false);
    } catch {
      // A broken event or destination must never break the caller's operation.
    }
  }

  [WRITE_REQUEST](request: RequestRecordInput): void {
    if (this.closing !== undefined || this.log.closing !== undefined || this.minRank > 30) return;
    try {
      this.log.enqueue({ event: undefined, request, ms: Date.now(), ctx: this.ctx, level: "info", close: false }, false);
    } catch {
      // never throw into the caller
    }
  }

  private append(event: AuditEventInput, isClose: boolean): void {
    const level: AuditLevel = event.level ?? (event.outcome === "success" ? "info" : "error");
    if ((LEVEL_RANK[level] ?? 30) < this.minRank && !isClose) return;
    // A snapshot, one level deep: the record must show the event as it was when write() was called, even if the
    // caller reuses and changes its objects before the queue is written.
    const input: AuditEventInput = { ...event };
    if (event.http !== undefined && event.http !== null) input.http = { ...event.http };
    if (event.token !== undefined && event.token !== null) input.token = { ...event.token };
    if (event.error !== undefined && event.error !== null) input.error = { ...event.error };
    if (event.certificate !== undefined && event.certificate !== null) input.certificate = { ...event.certificate };
    if (Array.isArray(event.controls) && !Object.isFrozen(event.controls)) input.controls = event.controls.slice();
    if (event.variables !== undefined && Array.isArray(event.variables)) input.variables = event.variables.slice();
    if (event.principal !== undefined) input.principal = mergePrincipal(this.principal, event.principal);
    this.log.enqueue({ event: input, request: undefined, ms: Date.now(), ctx: this.ctx, level, close: isClose }, event.action !== "request");
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      const log = this.log;
      if (log.closing !== undefined) {
        this.closing = log.closing;
        return this.closing;
      }
      // Every close() writes log.close (a recorder that is never closed, e.g. a factory whose constructor threw,
      // must not stop the others from closing the log); the sink closes with the last recorder.
      try {
        this.append({ action: "log.close", outcome: "success", level: "info", controls: ["LT-4"] }, true);
      } catch {
        // still close
      }
      log.refs--;
      if (log.refs > 0) {
        this.closing = Promise.resolve();
      } else {
        if (openLogs.get(log.key) === log) openLogs.delete(log.key);
        log.closing = log.close().catch(() => undefined);
        this.closing = log.closing;
      }
    }
    return this.closing;
  }
}

/**
 * Creates the audit recorder for `options`; `undefined` gives a recorder that writes nothing.
 *
 * @remarks
 * File and stdout destinations survive `process.exit()`, uncaught exceptions and SIGTERM/SIGINT/SIGHUP: records
 * are buffered synchronously and flushed by exit hooks. Recorders created for the same file, stdout, stream or logger
 * in one process share one chain; each `close()` writes `log.close`, the file is closed with the last one. See docs/audit-log.md for the record
 * schema.
 * @throws the file system error when a file destination cannot be opened
 * @public
 */
export function createAuditRecorder(options: AuditOptions | undefined): AuditRecorder {
  if (options === undefined || options === null) return new NoopRecorder();
  const chain = options.chain !== false;
  const level: AuditLevel = options.level ?? "info";
  const genesis: ChainStart = { seq: 1, prevHash: GENESIS_HASH };
  if (options.logger !== undefined) {
    const logger = options.logger;
    const log = acquireLog(logger, () => new SharedLog(logger, openLoggerSink(logger), chain, genesis));
    return new ChainedRecorder(log, level);
  }
  const dest = options.destination ?? "stdout";
  if (dest === "stdout") {
    return new ChainedRecorder(acquireLog("stdout", () => new SharedLog("stdout", openStdoutSink(), chain, genesis)), level);
  }
  if (typeof dest === "string") {
    const key = `file:${resolve(dest)}`;
    const log = acquireLog(key, () => {
      const { sink, tail } = openFileSink(dest);
      return new SharedLog(key, sink, chain, chain ? chainFromLastLine(tail.lastLine) : genesis);
    });
    return new ChainedRecorder(log, level);
  }
  return new ChainedRecorder(acquireLog(dest, () => new SharedLog(dest, openStreamSink(dest), chain, genesis)), level);
}
