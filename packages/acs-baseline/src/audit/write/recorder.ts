/**
 * The audit recorder: turns observer events into chained `acs-baseline.audit/1` records and hands them to the log
 * they share (sharedLog.ts).
 */
import { resolve } from "node:path";
import type { AuditEventInput, AuditPrincipal } from "../record/events.js";
import type { AuditLevel, RecordContext } from "../record/serializeRecord.js";
import { mergePrincipal, setContextPrincipal } from "../record/serializeRecord.js";
import type { RequestRecordInput } from "../record/requestRecord.js";
import { scrubText } from "../record/redaction.js";
import { EMPTY_CONTEXT_VALUE, GENESIS, chainFromTail } from "./chainWriter.js";
import { startAgainstAnchor, startAgainstAnchorLater } from "./anchorAtStart.js";
import { openFileSink } from "./fileSink.js";
import type { AuditOptions, RecorderContext } from "./logSettings.js";
import { logSettings } from "./logSettings.js";
import { assertLoggerCompatible } from "./loggerProbe.js";
import { SharedLog } from "./sharedLog.js";
import type { AuditSink } from "./sink.js";
import { openLoggerSink, openStdoutSink, openStreamSink } from "./sink.js";

export type { AuditOptions, RecorderContext } from "./logSettings.js";

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
  /**
   * File destination: seals the current file (`log.close` and a checkpoint) and reopens the path; the new file starts
   * with a `log.open` chained to the old file's last record. Call it after renaming the file (logrotate without
   * copytruncate); `audit.reopenOnSighup` calls it on SIGHUP.
   */
  reopen(): Promise<void>;
}

const LEVEL_RANK: Readonly<Record<AuditLevel, number>> = { info: 30, warn: 40, error: 50 };

class NoopRecorder implements AuditRecorder {
  setPrincipal(): void {}
  setEndpoint(): void {}
  write(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
  reopen(): Promise<void> {
    return Promise.resolve();
  }
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
 * Whether requests must be refused because records cannot be written (the audit policy asks before each request;
 * internal).
 */
export const AUDIT_BLOCKED: unique symbol = Symbol("acs-baseline.audit.blocked");
/** A recorder that can say so. */
export interface BlockingRecorder {
  [AUDIT_BLOCKED](): boolean;
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

class ChainedRecorder implements AuditRecorder, RequestRecorder, BlockingRecorder {
  /** Replaced (never mutated) on change, so queued records keep the context they were written with. */
  private ctx: RecordContext = EMPTY_CONTEXT_VALUE;
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

  [AUDIT_BLOCKED](): boolean {
    return this.log.blocked();
  }

  reopen(): Promise<void> {
    if (this.closing !== undefined) return Promise.resolve();
    return this.log.reopen("reopen");
  }

  [WRITE_REQUEST](request: RequestRecordInput): void {
    if (this.closing !== undefined || this.log.closing !== undefined || this.minRank > 30) return;
    try {
      this.log.enqueue(
        { event: undefined, request, ms: Date.now(), ctx: this.ctx, level: "info", close: false },
        false,
      );
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
    this.log.enqueue(
      { event: input, request: undefined, ms: Date.now(), ctx: this.ctx, level, close: isClose },
      event.action !== "request",
    );
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
      if (log.refs === 1) log.ending = true;
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
 * @throws the file system error when a file destination cannot be opened; BaselineViolationError
 * `AUDIT_DESTINATION_REFUSED` for a symlinked or hard-linked destination, a FIFO or socket, or one another process
 * writes, `AUDIT_LOGGER_INCOMPATIBLE`
 * for a host logger that would change audit members; TypeError for invalid checkpoint, signing, anchor or rotation options
 * @public
 */
export function createAuditRecorder(options: AuditOptions | undefined): AuditRecorder {
  return openAuditRecorder(options, undefined);
}

/** {@link createAuditRecorder} with what the factory adds (its credential for the blob anchor); internal. */
export function openAuditRecorder(
  options: AuditOptions | undefined,
  context: RecorderContext | undefined,
): AuditRecorder {
  if (options === undefined || options === null) return new NoopRecorder();
  const chain = options.chain !== false;
  const level: AuditLevel = options.level ?? "info";
  let created: SharedLog | undefined;
  const events = (): SharedLog | undefined => created;
  const make = (key: unknown, sink: () => AuditSink, filePath?: string): SharedLog => {
    const settings = logSettings(options, chain, filePath, context, events);
    created = new SharedLog(key, sink(), chain, GENESIS, settings);
    return created;
  };
  if (options.logger !== undefined) {
    const logger = options.logger;
    if (chain) assertLoggerCompatible(logger);
    return new ChainedRecorder(
      acquireLog(logger, () => make(logger, () => openLoggerSink(logger))),
      level,
    );
  }
  const dest = options.destination ?? "stdout";
  if (dest === "stdout") {
    return new ChainedRecorder(
      acquireLog("stdout", () => make("stdout", openStdoutSink)),
      level,
    );
  }
  if (typeof dest === "string") {
    const path = resolve(dest);
    const key = `file:${path}`;
    const log = acquireLog(key, () => {
      const settings = logSettings(options, chain, path, context, events);
      const { sink, tail, notes } = openFileSink(dest, { allowSymlink: options.allowSymlink === true });
      try {
        const start = chain ? startAgainstAnchor(chainFromTail(tail), tail, settings) : GENESIS;
        const later = chain ? startAgainstAnchorLater(start, tail, settings) : undefined;
        created = new SharedLog(
          key,
          sink,
          chain,
          start,
          settings,
          { tail, notes, ...(later !== undefined ? { later } : {}) },
          options.reopenOnSighup === true,
        );
      } catch (e) {
        void sink.close();
        throw e;
      }
      return created;
    });
    return new ChainedRecorder(log, level);
  }
  return new ChainedRecorder(
    acquireLog(dest, () => make(dest, () => openStreamSink(dest))),
    level,
  );
}
