/**
 * The audit recorder: turns observer events into chained `acs-baseline.audit/1` records and hands them to a sink.
 */
import { existsSync, renameSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { Logger } from "pino";
import type { AuditEventInput, AuditPrincipal } from "./events.js";
import { AUDIT_SCHEMA, GENESIS_HASH, canonicalJson } from "./canonical.js";
import { BatchBuffer } from "./batchBuffer.js";
import type { AuditLevel, RecordContext, RequestRecordInput } from "./record.js";
import { baselineMember, mergePrincipal, serializeRecord, serializeRequestRecord, setContextPrincipal } from "./record.js";
import { scrubText } from "./redaction.js";
import type { AuditSink, FileTail } from "./sink.js";
import { FileSink, openFileSink, openLoggerSink, openStdoutSink, openStreamSink, writableBy } from "./sink.js";
import type { AuditSigningOptions, CheckpointSigner } from "./signing.js";
import { CHECKPOINT_ALG, loadSigner, signingInput } from "./signing.js";
import type { AnchorEvents, AnchorSink } from "./anchor/anchorSink.js";
import { createFileAnchor } from "./anchor/fileAnchor.js";
import { checkBlobAnchorOptions, createBlobAnchor } from "./anchor/blobAnchor.js";
import { assertLoggerCompatible } from "./loggerProbe.js";
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
  /**
   * When to write a `log.checkpoint` record (default every 1000 records or 60000 ms, whichever comes first; with no
   * records a checkpoint is still written every `everyMs`, as a heartbeat). Checkpoints are written when `signing`,
   * `anchor` or `checkpoint` is set, and always on close.
   */
  checkpoint?: { everyRecords?: number; everyMs?: number };
  /** Signs every checkpoint with ECDSA P-256 (see docs/audit-log.md): a PEM private key, or a signer that keeps the key off the host. */
  signing?: AuditSigningOptions;
  /**
   * An off-host copy of the checkpoints (`mode: "checkpoints"`, default) or of every record (`"records"`): an Azure
   * Storage append blob (`blob`, through the factory's Entra credential; needs the optional peer `@azure/storage-blob`),
   * or a file on another disk (`file`).
   */
  anchor?: {
    blob?: {
      containerUrl: string;
      blobName?: string;
      mode?: "checkpoints" | "records";
      /** Hosts the container may be on. Default: the Azure Storage blob hosts of the public and sovereign clouds. */
      allowedHosts?: readonly string[];
      /** TLS settings for the storage connection, e.g. the `ca` of a local emulator (Azurite). */
      tlsOptions?: { ca?: string | string[] };
    };
    file?: { path: string; mode?: "checkpoints" | "records" };
  };
  /** File destination: rotate when the file reaches `maxBytes` (renamed to `<file>.1`, older ones shifted, `keep` kept). */
  rotate?: { maxBytes: number; keep: number };
  /** File destination: `reopen()` on SIGHUP (after a rename-based rotation by logrotate). */
  reopenOnSighup?: boolean;
  /**
   * What happens while records cannot be written (disk full, I/O error). `"block"` (default): requests are refused
   * with `AUDIT_WRITE_FAILED` until a write succeeds again. `"warn"`: one process warning, requests go on.
   */
  onWriteError?: "warn" | "block";
  /**
   * File destination: follow a symbolic link, and accept a file that has other names (hard links). Default false:
   * both are refused with `AUDIT_DESTINATION_REFUSED`.
   */
  allowSymlink?: boolean;
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

interface ChainStart {
  seq: number;
  prevHash: string;
  prevSig: string;
}

const GENESIS: ChainStart = Object.freeze({ seq: 1, prevHash: GENESIS_HASH, prevSig: "" });

function chainFromTail(tail: FileTail): ChainStart {
  const last = tail.lastRecord;
  return last === undefined ? GENESIS : { seq: last.seq + 1, prevHash: last.hash, prevSig: tail.lastSig };
}

/** The `log` member of a `log.open` record: why a segment starts, and the break it follows. */
function openMember(reason: "break" | "reopen" | "rotate" | "truncated", tail?: FileTail): Record<string, unknown> {
  const log: Record<string, unknown> = { reason };
  if (tail?.breakKind !== undefined) {
    log.break = tail.breakKind;
    // bytes of the lines between the last record and this log.open, newlines included (a torn line gets one from us)
    log.breakBytes = tail.breakBytes + (tail.breakKind === "torn" ? 1 : 0);
  }
  return log;
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
  /** A record the recorder itself writes (log.open, log.checkpoint, anchor.*): its members without the chain and time. */
  special?: Record<string, unknown>;
}

/** What the recorder needs beyond the options (the factory passes its Entra credential for the blob anchor). */
export interface RecorderContext {
  credential?: () => TokenCredential | undefined;
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

/** Loads src/audit/anchor/blobAnchor.ts (built on its own branch; connected by a dynamic import so that it and @azure/storage-blob load only when configured). */

/** An anchor that arrives later (the blob anchor is created asynchronously): lines are queued until it is there. */
class DeferredAnchor implements AnchorSink {
  private target: AnchorSink | undefined;
  private queue: string[] = [];
  private failed = false;
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
          try {
            events.onFailure({ attempt: 1, code: typeof err.code === "string" ? err.code : "ANCHOR_UNAVAILABLE", message: typeof err.message === "string" ? err.message : "the anchor could not be created", pendingLines: this.queue.length });
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
  async flush(): Promise<void> {
    await this.ready;
    await this.target?.flush();
  }
  async close(): Promise<void> {
    await this.ready;
    await this.target?.close();
  }
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

const EMPTY_CONTEXT_VALUE: RecordContext = Object.freeze({ principal: undefined, principalJson: "", endpoint: undefined });

/** Records batched before they are serialised, hashed and written (the hot path only queues). */
const BATCH_RECORDS = 256;
/** A synchronous burst that never yields to the event loop is written inline once this many records are queued. */
const MAX_QUEUED_RECORDS = 4 * BATCH_RECORDS;
/** Longest a `request` record waits in memory before it is written (exit hooks write it at once). */
const BATCH_MS = 50;

/** Checkpoint and file settings of one log. */
interface LogSettings {
  signer: CheckpointSigner | undefined;
  /** Write checkpoints at all (signing, anchor or checkpoint options). */
  checkpoints: boolean;
  everyRecords: number;
  everyMs: number;
  anchor: AnchorSink | undefined;
  anchorRecords: boolean;
  block: boolean;
  file: { path: string; allowSymlink: boolean; rotate: { maxBytes: number; keep: number } | undefined } | undefined;
}

/**
 * One log: a sink and its chain. Recorders writing to the same file, to stdout, to the same stream or through the same
 * logger share it (one chain per log, never two interleaved). Each recorder's close() writes `log.close`; the sink
 * closes with the last one.
 *
 * `request` records are queued and processed in batches (up to 256, or after 50 ms): serialising and hashing a batch
 * in one go keeps the hot path to a queue push, and a batch is one buffer and one synchronous write. Every other
 * record is written at once, together with the queue before it. Exit hooks process the queue synchronously.
 *
 * Checkpoints: a counter per record; at `everyRecords` (or every `everyMs`, also when idle) the head of the chain is
 * signed and a `log.checkpoint` record written. An in-process key signs synchronously; a remote signer's checkpoint is
 * written when its signature arrives (one in flight at a time).
 */
class SharedLog implements SyncFlushable {
  seq: number;
  firstSeq: number;
  prevHash: string;
  count = 0;
  refs = 0;
  closing: Promise<void> | undefined;
  /** The last recorder is closing: its log.close ends the file (no rotation after it). */
  ending = false;
  private pending: Pending[] = [];
  /** Records that arrived during an asynchronous file switch. */
  private deferred: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastMs = -1;
  private lastIso = "";
  private readonly bytes = new BatchBuffer();
  private sinceCheckpoint = 0;
  /** The last record written is a checkpoint: the head is sealed already. */
  private headSealed = false;
  private lastSig: string;
  private signing: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastCtx: RecordContext = EMPTY_CONTEXT_VALUE;
  /** Set while the file is being switched (rotation, reopen): records wait in the queue. */
  private switching: Promise<void> | undefined;
  private readonly onSighup: (() => void) | undefined;

  constructor(
    readonly key: unknown,
    public sink: AuditSink,
    readonly chain: boolean,
    start: ChainStart,
    readonly settings: LogSettings,
    opening?: { tail?: FileTail; notes?: { fixedMode?: number } },
    reopenOnSighup = false,
  ) {
    this.seq = start.seq;
    this.firstSeq = start.seq;
    this.prevHash = start.prevHash;
    this.lastSig = start.prevSig;
    registerExitFlush(this);
    if (settings.checkpoints && settings.everyMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), settings.everyMs);
      this.heartbeat.unref();
    }
    if (opening?.tail?.breakKind !== undefined && chain) {
      this.enqueue(this.specialItem("log.open", { log: openMember("break", opening.tail) }, "warn"), false);
    }
    if (opening?.notes?.fixedMode !== undefined) {
      const mode = opening.notes.fixedMode.toString(8).padStart(4, "0");
      this.enqueue({
        event: { action: "config.warning", outcome: "success", level: "warn", controls: ["LT-4"], reason: `the audit file was ${writableBy(opening.notes.fixedMode)} (mode ${mode}); its mode was set to 0600` },
        request: undefined, ms: Date.now(), ctx: EMPTY_CONTEXT_VALUE, level: "warn", close: false,
      }, false);
    }
    if (reopenOnSighup && settings.file !== undefined) {
      this.onSighup = () => void this.reopen("reopen").catch(() => undefined);
      process.on("SIGHUP", this.onSighup);
    }
  }

  private specialItem(action: string, members: Record<string, unknown>, level: AuditLevel = "info"): Pending {
    return { event: undefined, request: undefined, ms: Date.now(), ctx: this.lastCtx, level, close: false, special: { action, members } };
  }

  /** True while requests must be refused (`onWriteError: "block"` and the last write failed). */
  blocked(): boolean {
    return this.settings.block && this.sink.failed === true;
  }

  enqueue(item: Pending, urgent: boolean): void {
    if (this.switching !== undefined && item.special === undefined) {
      // A file switch is waiting for a remote signature: new records go to the new file.
      this.deferred.push(item);
      return;
    }
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
  drain(force = false): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    if (this.switching !== undefined && !force) return;
    const batch = this.pending;
    if (batch.length === 0 && this.bytes.length === 0) return;
    this.pending = [];
    const sink = this.sink;
    if (this.chain && sink instanceof FileSink && sink.truncated()) {
      // Someone truncated the file in place (copytruncate): say so in the file instead of leaving a chain that seems
      // to start in the middle.
      this.process(this.specialItem("log.open", { log: { reason: "truncated" } }, "warn"));
    }
    for (const item of batch) {
      try {
        this.process(item);
      } catch {
        // a record that cannot be serialised is dropped, never the batch
      }
    }
    if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    const rotate = this.settings.file?.rotate;
    if (rotate !== undefined && sink instanceof FileSink && sink.written >= rotate.maxBytes && this.switching === undefined && this.closing === undefined && !this.ending) {
      void this.reopen("rotate").catch(() => undefined);
    }
  }

  private process(item: Pending): void {
    if (item.ms !== this.lastMs) {
      this.lastMs = item.ms;
      this.lastIso = new Date(item.ms).toISOString();
    }
    const chainPos = this.chain ? { seq: this.seq, prevHash: this.prevHash } : undefined;
    let json: string;
    let counts = true;
    if (item.request !== undefined) {
      json = serializeRequestRecord(item.request, item.ctx, this.lastIso, chainPos);
    } else if (item.event !== undefined) {
      this.lastCtx = item.ctx;
      const closeMember = item.close ? { firstSeq: this.firstSeq, records: this.count } : undefined;
      json = serializeRecord(item.event, item.ctx, this.lastIso, item.level, chainPos, closeMember);
    } else if (item.special !== undefined) {
      const { action, members } = item.special as { action: string; members: Record<string, unknown> };
      if (action === "log.open") {
        this.firstSeq = this.seq;
        this.count = 0;
      }
      counts = action !== "log.checkpoint";
      json = canonicalJson({
        ...members,
        ...(item.ctx.endpoint !== undefined ? { acs: { endpoint: item.ctx.endpoint } } : {}),
        baseline: baselineMember(["LT-4"]),
        event: { action, category: "audit", outcome: action === "anchor.failure" ? "failure" : "success" },
        level: item.level,
        ...(chainPos !== undefined ? { prevHash: chainPos.prevHash, seq: chainPos.seq } : {}),
        ...(item.ctx.principal !== undefined ? { principal: item.ctx.principal } : {}),
        schema: AUDIT_SCHEMA,
        time: this.lastIso,
      });
    } else {
      return;
    }
    const hash = this.bytes.appendLine(json, this.chain);
    if (hash !== undefined) {
      this.prevHash = hash;
      this.seq++;
    }
    this.count++;
    // Sealed when this is a checkpoint of the record right before it (a remote signature may seal an older head).
    this.headSealed = !counts && chainPos !== undefined && (item.special?.members as { checkpoint?: { seq?: number } } | undefined)?.checkpoint?.seq === chainPos.seq - 1;
    const anchor = this.settings.anchor;
    if (anchor !== undefined && (this.settings.anchorRecords || !counts)) {
      anchor.append(hash === undefined ? json : `${json.slice(0, -1)},"hash":"${hash}"}`);
    }
    if (counts && this.settings.checkpoints && ++this.sinceCheckpoint >= this.settings.everyRecords) void this.checkpoint();
  }

  /**
   * Seals the head of the chain: a `log.checkpoint` record with the head's seq and hash, signed when a key is
   * configured. Synchronous for an in-process key (the record follows at once); for a remote signer the record is
   * written when the signature arrives. Returns that wait, if any.
   */
  private checkpoint(): Promise<void> | undefined {
    if (!this.chain || this.seq === 1) return undefined; // nothing to seal yet
    const signer = this.settings.signer;
    // A remote signature in flight: the counter keeps running, the next record tries again once it is back.
    if (signer !== undefined && signer.signSync === undefined && this.signing !== undefined) return this.signing;
    this.sinceCheckpoint = 0;
    const head = { seq: this.seq - 1, hash: this.prevHash };
    if (signer === undefined) {
      this.process(this.specialItem("log.checkpoint", { checkpoint: { hash: head.hash, seq: head.seq } }));
      return undefined;
    }
    const input = { ...head, keyId: signer.keyId, prevSig: this.lastSig };
    if (signer.signSync !== undefined) {
      const sig = signer.signSync(signingInput(input)).toString("base64url");
      this.lastSig = sig;
      this.process(this.specialItem("log.checkpoint", { checkpoint: { alg: CHECKPOINT_ALG, ...input, sig } }));
      return undefined;
    }
    const started = signer.sign(signingInput(input)).then(
      (raw) => {
        const sig = raw.toString("base64url");
        this.lastSig = sig;
        this.signing = undefined;
        this.pending.unshift(this.specialItem("log.checkpoint", { checkpoint: { alg: CHECKPOINT_ALG, ...input, sig } }));
        this.drain(this.switching !== undefined);
      },
      (e: unknown) => {
        this.signing = undefined;
        const err = e as { code?: unknown; message?: unknown };
        this.pending.unshift(
          this.specialItem(
            "anchor.failure",
            { error: { code: typeof err.code === "string" ? scrubText(err.code) : "SIGN_FAILED", message: scrubText(typeof err.message === "string" ? err.message : "signing the checkpoint failed") }, anchor: { attempt: 1, pendingLines: 0, stage: "sign" } },
            "error",
          ),
        );
        this.drain(this.switching !== undefined);
      },
    );
    this.signing = started;
    return started;
  }

  /** Heartbeat: a checkpoint every `everyMs`, also when nothing happened (silence is asserted, not assumed). */
  private beat(): void {
    if (this.closing !== undefined || this.switching !== undefined) return;
    try {
      this.drain();
      void this.checkpoint();
      if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    } catch {
      // never throw from a timer
    }
  }

  /** Writes the queue and seals the head (awaiting a remote signer). */
  private async seal(force: boolean): Promise<void> {
    this.drain(force);
    if (!this.settings.checkpoints) return;
    await this.signing;
    const wait = this.headSealed ? undefined : this.checkpoint();
    if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    if (wait !== undefined) await wait;
    this.drain(force);
  }

  /**
   * Ends the current file with `log.close` and a checkpoint, opens the path again (after renaming the old file to
   * `<file>.1` for a size rotation) and starts it with a `log.open` chained to the old file's last record.
   */
  reopen(reason: "reopen" | "rotate"): Promise<void> {
    const file = this.settings.file;
    if (file === undefined || !this.chain || this.closing !== undefined) return Promise.resolve();
    if (this.switching !== undefined) return this.switching;
    if (this.settings.signer !== undefined && this.settings.signer.signSync === undefined) return this.switchAsync(reason, file);
    // No key, or an in-process one: the switch is synchronous, nothing can interleave.
    this.switching = Promise.resolve();
    try {
      this.drain(true);
      this.endSegment(reason);
      if (this.settings.checkpoints && !this.headSealed) void this.checkpoint();
      if (this.bytes.length > 0) this.sink.write(this.bytes.take());
      this.startSegment(reason, file);
    } finally {
      this.switching = undefined;
    }
    this.drain();
    return Promise.resolve();
  }

  private endSegment(reason: "reopen" | "rotate"): void {
    this.process({
      event: { action: "log.close", outcome: "success", level: "info", controls: ["LT-4"], reason: reason === "rotate" ? "size rotation" : "reopened" },
      request: undefined, ms: Date.now(), ctx: this.lastCtx, level: "info", close: true,
    });
  }

  private startSegment(reason: "reopen" | "rotate", file: NonNullable<LogSettings["file"]>): void {
    const old = this.sink;
    // Records the old file could not take (disk full) go first into the new one: the chain stays in order.
    const held = old instanceof FileSink && old.failed ? old.takeHeld() : [];
    void old.close();
    if (reason === "rotate" && file.rotate !== undefined) rotateFiles(file.path, file.rotate.keep);
    const { sink, tail } = openFileSink(file.path, { allowSymlink: file.allowSymlink });
    sink.hold(held);
    this.sink = sink;
    this.process(this.specialItem("log.open", { log: { ...openMember(reason, tail.breakKind !== undefined ? tail : undefined) } }));
  }

  /** The same with a remote signer: records wait in the queue while the old file's final checkpoint is signed. */
  private async switchAsync(reason: "reopen" | "rotate", file: NonNullable<LogSettings["file"]>): Promise<void> {
    let done!: () => void;
    this.switching = new Promise<void>((r) => (done = r));
    try {
      this.drain(true);
      this.endSegment(reason);
      await this.seal(true);
      this.startSegment(reason, file);
    } finally {
      this.switching = undefined;
      this.pending.push(...this.deferred);
      this.deferred = [];
      done();
      this.drain();
    }
  }

  /** An anchor's report, as an `anchor.failure` / `anchor.recovered` record. */
  anchorEvent(action: "anchor.failure" | "anchor.recovered", info: { attempt: number; code?: string; message?: string; pendingLines?: number }): void {
    // During close() too: a failure the closing anchor reports is recorded, and close() seals it with one more
    // checkpoint after the anchor has closed (so the evidence stays in the log and the log still verifies).
    const anchor: Record<string, unknown> = { attempt: Math.floor(Number(info.attempt) || 0) };
    if (info.pendingLines !== undefined) anchor.pendingLines = Math.floor(Number(info.pendingLines) || 0);
    const members: Record<string, unknown> = { anchor };
    if (action === "anchor.failure") members.error = { code: scrubText(String(info.code ?? "ERROR")).slice(0, 64), message: scrubText(String(info.message ?? "")).slice(0, 512) };
    try {
      this.enqueue(this.specialItem(action, members, action === "anchor.failure" ? "warn" : "info"), true);
    } catch {
      // never throw into the anchor
    }
  }

  /** Exit hook: everything queued is written before the process ends (and sealed, when the key signs synchronously). */
  flushSync(): void {
    if (this.deferred.length > 0) {
      this.pending.push(...this.deferred);
      this.deferred = [];
    }
    this.drain(true);
    if (this.settings.checkpoints && this.settings.signer?.signSync !== undefined && this.sinceCheckpoint > 0) {
      void this.checkpoint();
      if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    }
    this.sink.flushSync();
  }

  async close(): Promise<void> {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.onSighup !== undefined) process.removeListener("SIGHUP", this.onSighup);
    await this.switching;
    try {
      await this.seal(false);
    } catch {
      // still close
    }
    unregisterExitFlush(this);
    const anchor = this.settings.anchor;
    if (anchor !== undefined) {
      try {
        await anchor.close();
      } catch {
        // the anchor reported its failures
      }
      // Closing the anchor may report (anchor.failure for lines it could not store, anchor.recovered): those records
      // come after the final checkpoint, so one more checkpoint seals them. The closed anchor no longer receives it;
      // verify-log then says honestly that the file's last checkpoints are not in the anchor.
      this.settings.anchor = undefined;
      try {
        await this.seal(false);
      } catch {
        // still close
      }
    }
    return this.sink.close();
  }
}

/** `<file>.keep` is dropped, `<file>.n` becomes `<file>.n+1`, `<file>` becomes `<file>.1`. */
function rotateFiles(path: string, keep: number): void {
  const n = Math.max(1, Math.floor(keep));
  try {
    if (existsSync(`${path}.${n}`)) unlinkSync(`${path}.${n}`);
  } catch {
    // best effort
  }
  for (let i = n - 1; i >= 1; i--) {
    try {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // best effort
    }
  }
  renameSync(path, `${path}.1`);
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

const DEFAULT_EVERY_RECORDS = 1000;
const DEFAULT_EVERY_MS = 60_000;

function positive(v: unknown, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new TypeError(`${what} must be a number ≥ 0.`);
  return Math.floor(v);
}

function logSettings(options: AuditOptions, chain: boolean, filePath: string | undefined, context: RecorderContext | undefined, events: () => SharedLog | undefined): LogSettings {
  const wantsCheckpoints = options.signing !== undefined || options.anchor !== undefined || options.checkpoint !== undefined;
  if (wantsCheckpoints && !chain) throw new TypeError("audit.signing, audit.anchor and audit.checkpoint need the hash chain (chain: true).");
  const everyRecords = positive(options.checkpoint?.everyRecords, DEFAULT_EVERY_RECORDS, "audit.checkpoint.everyRecords") || DEFAULT_EVERY_RECORDS;
  const everyMs = positive(options.checkpoint?.everyMs, DEFAULT_EVERY_MS, "audit.checkpoint.everyMs");
  const signer = options.signing !== undefined ? loadSigner(options.signing, filePath !== undefined ? dirname(filePath) : undefined, (p) => resolve(p)) : undefined;
  const anchorEvents: AnchorEvents = {
    onFailure: (info) => events()?.anchorEvent("anchor.failure", info),
    onRecovered: (info) => events()?.anchorEvent("anchor.recovered", info),
  };
  let anchor: AnchorSink | undefined;
  let anchorRecords = false;
  const a = options.anchor;
  if (a?.file !== undefined) {
    if (typeof a.file.path !== "string") throw new TypeError("audit.anchor.file.path must be a path.");
    anchor = createFileAnchor(resolve(a.file.path), anchorEvents);
    anchorRecords = a.file.mode === "records";
  } else if (a?.blob !== undefined) {
    const blob = a.blob;
    if (typeof blob.containerUrl !== "string") throw new TypeError("audit.anchor.blob.containerUrl must be the container's https URL.");
    anchorRecords = blob.mode === "records";
    checkBlobAnchorOptions(blob); // refuses http, SAS, keys and foreign hosts now, before any record is written
    anchor = new DeferredAnchor(async () => {
      const credential = context?.credential?.();
      if (credential === undefined) throw Object.assign(new Error("the blob anchor needs the factory's Entra credential"), { code: "ANCHOR_NO_CREDENTIAL" });
      // @azure/storage-blob (an optional peer) is loaded here, on first use, by the blob anchor itself.
      return createBlobAnchor(blob, credential, anchorEvents);
    }, anchorEvents);
  }
  const rotate = options.rotate;
  if (rotate !== undefined && (typeof rotate.maxBytes !== "number" || !(rotate.maxBytes > 0) || typeof rotate.keep !== "number" || !(rotate.keep >= 1))) {
    throw new TypeError("audit.rotate takes { maxBytes > 0, keep ≥ 1 }.");
  }
  const onWriteError = options.onWriteError ?? "block";
  if (onWriteError !== "block" && onWriteError !== "warn") throw new TypeError('audit.onWriteError is "block" or "warn".');
  return {
    signer,
    checkpoints: wantsCheckpoints,
    everyRecords,
    everyMs,
    anchor,
    anchorRecords,
    block: onWriteError === "block",
    file: filePath !== undefined ? { path: filePath, allowSymlink: options.allowSymlink === true, rotate } : undefined,
  };
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
export function openAuditRecorder(options: AuditOptions | undefined, context: RecorderContext | undefined): AuditRecorder {
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
    return new ChainedRecorder(acquireLog(logger, () => make(logger, () => openLoggerSink(logger))), level);
  }
  const dest = options.destination ?? "stdout";
  if (dest === "stdout") {
    return new ChainedRecorder(acquireLog("stdout", () => make("stdout", openStdoutSink)), level);
  }
  if (typeof dest === "string") {
    const path = resolve(dest);
    const key = `file:${path}`;
    const log = acquireLog(key, () => {
      const settings = logSettings(options, chain, path, context, events);
      const { sink, tail, notes } = openFileSink(dest, { allowSymlink: options.allowSymlink === true });
      try {
        created = new SharedLog(key, sink, chain, chain ? chainFromTail(tail) : GENESIS, settings, { tail, notes }, options.reopenOnSighup === true);
      } catch (e) {
        void sink.close();
        throw e;
      }
      return created;
    });
    return new ChainedRecorder(log, level);
  }
  return new ChainedRecorder(acquireLog(dest, () => make(dest, () => openStreamSink(dest))), level);
}
