/**
 * The audit recorder: turns observer events into chained `acs-baseline.audit/1` records and hands them to a sink.
 */
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { AuditEventInput, AuditPrincipal } from "./events.js";
import { GENESIS_HASH, sha256Hex } from "./canonical.js";
import type { AuditLevel, RecordContext } from "./record.js";
import { mergePrincipal, serializeRecord, setContextPrincipal } from "./record.js";
import { scrubText } from "./redaction.js";
import type { AuditSink } from "./sink.js";
import { openFileSink, openLoggerSink, openStdoutSink, openStreamSink } from "./sink.js";

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
  if (scrubText(v) !== v) return "invalid-host";
  try {
    const host = new URL(v.includes("://") ? v : `https://${v}`).host;
    return HOST_SHAPE.test(host) ? host : "invalid-host";
  } catch {
    return "invalid-host";
  }
}

/**
 * One log: a sink and its chain. Recorders writing to the same file, to stdout, to the same stream or through the same
 * logger share it (one chain per log, never two interleaved); the last recorder to close writes `log.close`.
 */
class SharedLog {
  seq: number;
  readonly firstSeq: number;
  prevHash: string;
  count = 0;
  refs = 0;
  closing: Promise<void> | undefined;

  constructor(
    readonly key: unknown,
    readonly sink: AuditSink,
    readonly chain: boolean,
    start: ChainStart,
  ) {
    this.seq = start.seq;
    this.firstSeq = start.seq;
    this.prevHash = start.prevHash;
  }

  /** Serialises, chains and writes one record. */
  append(json: string, level: AuditLevel, urgent: boolean): void {
    let line: string;
    if (this.chain) {
      const hash = sha256Hex(json);
      line = `${json.slice(0, -1)},"hash":"${hash}"}\n`;
      this.prevHash = hash;
      this.seq++;
    } else {
      line = `${json}\n`;
    }
    this.count++;
    this.sink.write(line, level, urgent);
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

class ChainedRecorder implements AuditRecorder {
  private readonly ctx: RecordContext = { principal: undefined, principalJson: "", endpoint: undefined };
  private principal: AuditPrincipal = {};
  private closing: Promise<void> | undefined;
  private readonly minRank: number;
  private lastMs = 0;
  private lastIso = "";

  constructor(
    private readonly log: SharedLog,
    level: AuditLevel,
  ) {
    this.minRank = LEVEL_RANK[level] ?? 30;
  }

  setPrincipal(p: AuditPrincipal): void {
    try {
      this.principal = mergePrincipal(this.principal, p);
      setContextPrincipal(this.ctx, this.principal);
    } catch {
      // never throw into the caller
    }
  }

  setEndpoint(host: string): void {
    try {
      this.ctx.endpoint = typeof host === "string" ? hostOf(host) : undefined;
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

  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  private append(event: AuditEventInput, isClose: boolean): void {
    const level: AuditLevel = event.level ?? (event.outcome === "success" ? "info" : "error");
    if ((LEVEL_RANK[level] ?? 30) < this.minRank && !isClose) return;
    const principal = event.principal === undefined ? undefined : mergePrincipal(this.principal, event.principal);
    const input = principal === undefined ? event : { ...event, principal };
    const log = this.log;
    const chainPos = log.chain ? { seq: log.seq, prevHash: log.prevHash } : undefined;
    const closeMember = isClose ? { firstSeq: log.firstSeq, records: log.count } : undefined;
    const json = serializeRecord(input, this.ctx, this.now(), level, chainPos, closeMember);
    log.append(json, level, event.action !== "request");
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      const log = this.log;
      log.refs--;
      if (log.refs > 0 || log.closing !== undefined) {
        // Another recorder still writes to this log: it writes log.close when it closes.
        this.closing = Promise.resolve();
      } else {
        try {
          this.append({ action: "log.close", outcome: "success", level: "info", controls: ["LT-4"] }, true);
        } catch {
          // still close the sink
        }
        if (openLogs.get(log.key) === log) openLogs.delete(log.key);
        log.closing = log.sink.close().catch(() => undefined);
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
 * in one process share one chain; the last one to close writes `log.close`. See docs/audit-log.md for the record
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
    const log = acquireLog(logger, () => new SharedLog(logger, openLoggerSink(logger, "info"), chain, genesis));
    return new ChainedRecorder(log, level);
  }
  const dest = options.destination ?? "stdout";
  if (dest === "stdout") {
    return new ChainedRecorder(acquireLog("stdout", () => new SharedLog("stdout", openStdoutSink(), chain, genesis)), level);
  }
  if (typeof dest === "string") {
    const key = `file:${resolve(dest)}`;
    const log = acquireLog(key, () => {
      const { sink, tail, terminateTornLine } = openFileSink(dest);
      if (tail.torn) terminateTornLine();
      return new SharedLog(key, sink, chain, chain ? chainFromLastLine(tail.lastLine) : genesis);
    });
    return new ChainedRecorder(log, level);
  }
  return new ChainedRecorder(acquireLog(dest, () => new SharedLog(dest, openStreamSink(dest), chain, genesis)), level);
}
