/**
 * The chain of one log: records are queued, serialised, hashed, chained and written to the sink in batches, and the
 * head is sealed by `log.checkpoint` records (signed when a key is configured).
 *
 * `request` records are queued and processed in batches (up to 256, or after 50 ms): serialising and hashing a batch
 * in one go keeps the hot path to a queue push, and a batch is one buffer and one synchronous write. Every other
 * record is written at once, together with the queue before it. Exit hooks process the queue synchronously.
 *
 * Checkpoints: a counter per record; at `everyRecords` (or every `everyMs`, also when idle) the head of the chain is
 * signed and a `log.checkpoint` record written. An in-process key signs synchronously; a remote signer's checkpoint is
 * written when its signature arrives (one in flight at a time).
 */
import { randomBytes } from "node:crypto";
import type { AuditEventInput } from "../record/events.js";
import { GENESIS_HASH } from "../record/canonical.js";
import { CHECKPOINT_ALG, signingInput } from "../record/checkpointSignature.js";
import type { LogRecordInput } from "../record/logRecord.js";
import { serializeLogRecord } from "../record/logRecord.js";
import type { AuditLevel, RecordContext } from "../record/serializeRecord.js";
import { serializeRecord } from "../record/serializeRecord.js";
import type { RequestRecordInput } from "../record/requestRecord.js";
import { serializeRequestRecord } from "../record/requestRecord.js";
import { scrubText } from "../record/redaction.js";
import { BatchBuffer } from "./batchBuffer.js";
import type { FileTail } from "./fileTail.js";
import { FileSink } from "./fileSink.js";
import type { LogSettings } from "./logSettings.js";
import type { AuditSink } from "./sink.js";

export interface ChainStart {
  seq: number;
  prevHash: string;
  prevSig: string;
  /** The log id to carry on (from the file's tail); a new one is drawn when absent. */
  logId?: string;
  /** The anchor was ahead of the file at start: its last line for this log, and the file's last record. */
  anchorAhead?: { anchor: { seq: number; hash: string }; file: { seq: number; hash: string } };
  /** The anchor could not be read at start (the error code): the chain continues from the file. */
  anchorUnread?: string;
}

export const GENESIS: ChainStart = Object.freeze({ seq: 1, prevHash: GENESIS_HASH, prevSig: "" });

export function chainFromTail(tail: FileTail): ChainStart {
  const last = tail.lastRecord;
  if (last === undefined) return tail.logId === undefined ? GENESIS : { ...GENESIS, logId: tail.logId };
  return {
    seq: last.seq + 1,
    prevHash: last.hash,
    prevSig: tail.lastSig,
    ...(tail.logId !== undefined ? { logId: tail.logId } : {}),
  };
}

/**
 * A record waiting to be serialised: the event (or, for a successful `request`, its primitive fields), when it
 * happened, and the recorder context at that moment.
 */
export interface Pending {
  event: AuditEventInput | undefined;
  request: RequestRecordInput | undefined;
  ms: number;
  ctx: RecordContext;
  level: AuditLevel;
  close: boolean;
  /** A record the recorder itself writes (log.open, log.checkpoint, anchor.*): its members without the chain and time. */
  special?: Record<string, unknown>;
}

export const EMPTY_CONTEXT_VALUE: RecordContext = Object.freeze({
  principal: undefined,
  principalJson: "",
  endpoint: undefined,
});

/** Records batched before they are serialised, hashed and written (the hot path only queues). */
const BATCH_RECORDS = 256;
/** A synchronous burst that never yields to the event loop is written inline once this many records are queued. */
const MAX_QUEUED_RECORDS = 4 * BATCH_RECORDS;
/** Longest a `request` record waits in memory before it is written (exit hooks write it at once). */
const BATCH_MS = 50;

/** The queue, the chain and the checkpoints of one log; {@link SharedLog} adds segments, rotation and close. */
export abstract class ChainWriter {
  seq: number;
  firstSeq: number;
  prevHash: string;
  count = 0;
  closing: Promise<void> | undefined;
  /** The last recorder is closing: its log.close ends the file (no rotation after it). */
  ending = false;
  protected pending: Pending[] = [];
  /** Records that arrived during an asynchronous file switch. */
  protected deferred: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastMs = -1;
  private lastIso = "";
  protected readonly bytes = new BatchBuffer();
  protected sinceCheckpoint = 0;
  /** The last record written is a checkpoint: the head is sealed already. */
  protected headSealed = false;
  private lastSig: string;
  protected signing: Promise<void> | undefined;
  protected heartbeat: NodeJS.Timeout | undefined;
  protected lastCtx: RecordContext = EMPTY_CONTEXT_VALUE;
  /** Set while the file is being switched (rotation, reopen): records wait in the queue. */
  protected switching: Promise<void> | undefined;
  /** The log's id: carried from the file, or drawn at random for a new log; in `log.open` and every checkpoint. */
  readonly logId: string;
  /** `seq` of the `log.open` that began the current segment (0 before the first). */
  private openSeq = 0;
  /** When the last checkpoint was written (record time). */
  private lastCheckpointMs = Date.now();
  /** The head of the chain is a `log.close`. */
  private headIsClose = false;

  constructor(
    public sink: AuditSink,
    readonly chain: boolean,
    start: ChainStart,
    readonly settings: LogSettings,
  ) {
    this.seq = start.seq;
    this.firstSeq = start.seq;
    this.prevHash = start.prevHash;
    this.lastSig = start.prevSig;
    this.logId = start.logId ?? randomBytes(16).toString("hex");
    if (settings.checkpoints && settings.everyMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), settings.everyMs);
      this.heartbeat.unref();
    }
  }

  /** Moves the start of the chain before anything is written (the writer's check at start read the anchor late). */
  protected continueFrom(start: ChainStart): void {
    this.seq = start.seq;
    this.firstSeq = start.seq;
    this.prevHash = start.prevHash;
    this.lastSig = start.prevSig;
  }

  /** Ends the current file and opens the next (size rotation or reopen). */
  abstract reopen(reason: "reopen" | "rotate"): Promise<void>;

  protected specialItem(
    action: string,
    members: Record<string, unknown>,
    level: AuditLevel = "info",
    ms: number = Date.now(),
  ): Pending {
    return {
      event: undefined,
      request: undefined,
      ms,
      ctx: this.lastCtx,
      level,
      close: false,
      special: { action, members },
    };
  }

  /** True while requests must be refused (`onWriteError: "block"` and the last write failed). */
  blocked(): boolean {
    return this.settings.block && this.sink.failed === true;
  }

  /** Moves the records that waited (for a file switch or the check at start) into the queue, in order. */
  protected releaseDeferred(): void {
    if (this.deferred.length === 0) return;
    this.pending.push(...this.deferred);
    this.deferred = [];
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
    if (
      rotate !== undefined &&
      sink instanceof FileSink &&
      sink.written >= rotate.maxBytes &&
      this.switching === undefined &&
      this.closing === undefined &&
      !this.ending
    ) {
      void this.reopen("rotate").catch(() => undefined);
    }
  }

  protected process(item: Pending): void {
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
      let special = item.special as unknown as LogRecordInput;
      if (special.action === "log.open") {
        this.firstSeq = this.seq;
        this.count = 0;
        this.openSeq = this.seq;
        special = this.withLogIdentity(special);
      }
      counts = special.action !== "log.checkpoint";
      json = serializeLogRecord(special, item.ctx, this.lastIso, item.level, chainPos);
    } else {
      return;
    }
    const hash = this.bytes.appendLine(json, this.chain);
    if (hash !== undefined) {
      this.prevHash = hash;
      this.seq++;
    }
    this.count++;
    this.headIsClose = item.close;
    // Sealed when this is a checkpoint of the record right before it (a remote signature may seal an older head).
    this.headSealed =
      !counts &&
      chainPos !== undefined &&
      (item.special?.members as { checkpoint?: { seq?: number } } | undefined)?.checkpoint?.seq === chainPos.seq - 1;
    const anchor = this.settings.anchor;
    if (anchor !== undefined && (this.settings.anchorRecords || !counts)) {
      anchor.append(hash === undefined ? json : `${json.slice(0, -1)},"hash":"${hash}"}`);
    }
    if (!counts) this.lastCheckpointMs = item.ms;
    else if (this.settings.checkpoints) {
      // every N records, and during a long burst (timers late) at least every everyMs: silence is never mistaken
      if (
        ++this.sinceCheckpoint >= this.settings.everyRecords ||
        (this.settings.everyMs > 0 && item.ms - this.lastCheckpointMs >= this.settings.everyMs)
      ) {
        void this.checkpoint();
      }
    }
  }

  /**
   * Seals the head of the chain: a `log.checkpoint` record with the head's seq and hash, signed when a key is
   * configured. Synchronous for an in-process key (the record follows at once); for a remote signer the record is
   * written when the signature arrives. Returns that wait, if any.
   */
  protected checkpoint(): Promise<void> | undefined {
    if (!this.chain || this.seq === 1) return undefined; // nothing to seal yet
    const signer = this.settings.signer;
    // A remote signature in flight: the counter keeps running, the next record tries again once it is back.
    if (signer !== undefined && signer.signSync === undefined && this.signing !== undefined) return this.signing;
    this.sinceCheckpoint = 0;
    const ms = Date.now();
    const head = {
      seq: this.seq - 1,
      hash: this.prevHash,
      logId: this.logId,
      time: new Date(ms).toISOString(),
      open: this.openSeq,
      ...(this.ending && this.headIsClose ? { close: true } : {}),
    };
    if (signer === undefined) {
      this.process(this.specialItem("log.checkpoint", { checkpoint: head }, "info", ms));
      return undefined;
    }
    const input = { ...head, keyId: signer.keyId, prevSig: this.lastSig };
    if (signer.signSync !== undefined) {
      const sig = signer.signSync(signingInput(input)).toString("base64url");
      this.lastSig = sig;
      this.process(
        this.specialItem("log.checkpoint", { checkpoint: { alg: CHECKPOINT_ALG, ...input, sig } }, "info", ms),
      );
      return undefined;
    }
    const started = signer.sign(signingInput(input)).then(
      (raw) => {
        const sig = raw.toString("base64url");
        this.lastSig = sig;
        this.signing = undefined;
        this.pending.unshift(
          this.specialItem("log.checkpoint", { checkpoint: { alg: CHECKPOINT_ALG, ...input, sig } }),
        );
        this.drain(this.switching !== undefined);
      },
      (e: unknown) => {
        this.signing = undefined;
        const err = e as { code?: unknown; message?: unknown };
        this.pending.unshift(
          this.specialItem(
            "anchor.failure",
            {
              error: {
                code: typeof err.code === "string" ? scrubText(err.code) : "SIGN_FAILED",
                message: scrubText(typeof err.message === "string" ? err.message : "signing the checkpoint failed"),
              },
              anchor: { attempt: 1, pendingLines: 0, stage: "sign" },
            },
            "error",
          ),
        );
        this.drain(this.switching !== undefined);
      },
    );
    this.signing = started;
    return started;
  }

  /** A `log.open` with the log's id and, when it writes checkpoints, its heartbeat interval (`everyMs`). */
  private withLogIdentity(open: LogRecordInput): LogRecordInput {
    if (!this.settings.checkpoints) return open;
    const log = (open.members.log ?? {}) as Record<string, unknown>;
    return {
      ...open,
      members: { ...open.members, log: { ...log, id: this.logId, heartbeatMs: this.settings.everyMs } },
    };
  }

  /** Heartbeat: a checkpoint every `everyMs`, also when nothing happened (silence is asserted, not assumed). */
  protected beat(): void {
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
  protected async seal(force: boolean): Promise<void> {
    this.drain(force);
    if (!this.settings.checkpoints) return;
    await this.signing;
    const wait = this.headSealed ? undefined : this.checkpoint();
    if (this.bytes.length > 0) this.sink.write(this.bytes.take());
    if (wait !== undefined) await wait;
    this.drain(force);
  }
}
