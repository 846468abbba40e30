/** The state one verification run carries from line to line. */
import type { KeyObject } from "node:crypto";
import { basename } from "node:path";
import type { AnchorIndex, LogAnchor } from "./anchorIndex.js";
import type { AuditLogProblemKind, VerifyLogOptions, VerifyLogResult } from "./result.js";

/** Recent records kept to check checkpoints against (a remote signer seals a head some records back). */
export const RING = 1 << 17;

/** A gap between two consecutive records of one segment: the record before it, the one after it, and their file. */
export interface SegmentGap {
  fromTime: number;
  fromLine: number;
  fromSeq: number;
  toTime: number;
  toLine: number;
  toSeq: number;
  file: string | undefined;
}

/** A segment whose `log.open` no checkpoint sealed before the next `log.open`: its seq, heartbeat and largest gap. */
export interface ParkedSegment {
  seq: number;
  heartbeatMs: number;
  gap: SegmentGap;
}

/** The state of one verification run: the result so far, and what the checks remember between lines. */
export class VerifierState {
  readonly result: VerifyLogResult = {
    status: "intact",
    intact: true,
    records: 0,
    checkpoints: 0,
    closed: false,
    reasons: [],
    otherLines: 0,
    warnings: [],
  };
  /** The head of the chain: the last record accepted, its line and file (its index, and its line's byte offset). */
  prev:
    | { seq: number; hash: string; line: number; file: string | undefined; fileIndex: number; start: number }
    | undefined;
  lastAction: unknown;
  file: string | undefined;
  lineNo = 0;
  /** The index of the file being read (0 for the first). */
  fileIndex = -1;
  /** The byte offset of the current line in its file, and of the line after it. */
  lineStart = 0;
  nextLineStart = 0;
  /** The hashes of the genesis records accepted (chains that start at seq 1): a chain seen twice was replayed. */
  readonly chainStarts = new Set<string>();
  /** Non-record lines since the last record (strict mode): where they start, their bytes, whether the last was torn. */
  gap: { line: number; bytes: number; lines: number; torn: boolean; json: boolean } | undefined;
  /** A break (non-record lines) precedes the next record. */
  lastWasBreak = false;
  readonly ringSeq = new Float64Array(RING).fill(-1);
  readonly ringHash: string[] = new Array<string>(RING);
  readonly ringTime = new Float64Array(RING);
  readonly ringLine = new Float64Array(RING);
  readonly ringCheckpoint = new Uint8Array(RING);
  lastSig: string | undefined = "";
  openSinceCheckpoint = false;
  lastCheckpointTime: number | undefined;
  lastRecordTime: number | undefined;
  /** The last `log.close` of the current chain (a restart at seq 1 begins a new chain). */
  lastClose: { seq: number; line: number; file: string | undefined } | undefined;
  pendingMissing: { from: number; to: number } | undefined;
  laterSeqs: Set<number> | undefined;
  startedMidChain = false;
  incompleteReasons: string[] = [];
  unanchored: { from: number; to: number; count: number } | undefined;
  /** The time of verification (`--at`, default now). */
  readonly at: number;
  /** The log's id, from its `log.open` (or its checkpoints); undefined for a log written before log ids. */
  logId: string | undefined;
  /**
   * The heartbeat interval of the last `log.open` a checkpoint sealed (until one is sealed: the first `log.open`'s,
   * provisionally; a log without a valid checkpoint is incomplete with a key anyway). An unsealed `log.open` never
   * changes it: a forged one in the tail cannot widen the max gap.
   */
  heartbeatMs: number | undefined;
  /** The latest `log.open` no checkpoint seals yet: its seq and declared heartbeat (taken once a checkpoint seals it). */
  openPending: { seq: number; heartbeatMs: number | undefined } | undefined;
  /**
   * The largest gap between records of the current segment while its `log.open` (declaring another heartbeat than
   * {@link heartbeatMs}) is unsealed: judged when a checkpoint seals it (with its own heartbeat), else when the
   * segment ends (with the last sealed one).
   */
  segmentGap: SegmentGap | undefined;
  /**
   * Earlier segments of this chain whose `log.open` (declaring another heartbeat) nothing had sealed when the next
   * `log.open` came (a writer killed before its first checkpoint), oldest first, each with its largest gap: judged
   * with its own heartbeat once a later checkpoint seals it through the chain, else when the chain or the log ends
   * with the last sealed one.
   */
  parked: ParkedSegment[] = [];
  /**
   * The heartbeat in force in each segment whose `log.open` a checkpoint sealed while it was the latest (its seq →
   * heartbeatMs): the anchor's stretches of that segment are judged with it.
   */
  readonly segmentHeartbeats = new Map<number, number>();
  /** The last checkpoint of the current segment (its signed time with a key). */
  segmentBeat: { time: number; line: number; seq: number } | undefined;
  /** The latest record time of the current segment (`seq` -1: none yet). */
  readonly segmentLatest = { time: 0, line: 0, seq: -1 };
  /** The writer's last sign of life: the last checkpoint of the file. */
  lastBeat: { time: number; line: number; seq: number } | undefined;
  /** A checkpoint sealed the log's final `log.close`: only a new segment may follow. */
  sealedClose: { seq: number; line: number } | undefined;
  /** The current segment's log.open named an anchor ahead of the file: its first checkpoint follows the anchor's. */
  aheadOpen = false;
  /** Clock steps back seen (warned about the first few). */
  stepBacks = 0;

  constructor(
    readonly options: VerifyLogOptions,
    readonly key: KeyObject | undefined,
    readonly anchor: AnchorIndex | undefined,
    readonly multi: boolean,
  ) {
    this.at = options.at !== undefined ? new Date(options.at).getTime() : Date.now();
  }

  /** `--max-gap`, or twice the heartbeat interval the log declared. */
  get maxGap(): number | undefined {
    return this.options.maxGapMs ?? (this.heartbeatMs !== undefined ? 2 * this.heartbeatMs : undefined);
  }

  /**
   * The max gap inside the segment whose `log.open` has seq `open`: `--max-gap`, else twice its sealed heartbeat (from
   * the files, else from a `log.open` record the anchor holds under a valid checkpoint), else {@link maxGap}.
   */
  maxGapOfSegment(open: number, anchored?: ReadonlyMap<number, number>): number | undefined {
    const heartbeatMs = this.segmentHeartbeats.get(open) ?? anchored?.get(open);
    return this.options.maxGapMs ?? (heartbeatMs !== undefined ? 2 * heartbeatMs : this.maxGap);
  }

  /** What the anchor holds for this log. */
  anchorLog(): LogAnchor | undefined {
    return this.anchor?.logs.get(this.logId ?? "");
  }

  startFile(file: string): void {
    this.file = this.multi ? file : undefined;
    this.lineNo = 0;
    this.fileIndex++;
    this.lineStart = 0;
    this.nextLineStart = 0;
  }

  /** `line N`, or `file:N` when several files are verified. */
  where(line = this.lineNo): string {
    return this.whereIn(this.file, line);
  }

  /** `line N`, or `file:N` for a line of `file` (one of several files verified). */
  whereIn(file: string | undefined, line: number): string {
    return file !== undefined ? `${basename(file)}:${line}` : `line ${line}`;
  }

  /** Marks the log tampered at `line`. */
  fail(kind: AuditLogProblemKind, message: string, seq?: number, line = this.lineNo): void {
    const r = this.result;
    r.status = "tampered";
    r.intact = false;
    r.problem = {
      line,
      ...(this.file !== undefined ? { file: this.file } : {}),
      ...(seq === undefined ? {} : { seq }),
      kind,
      message,
    };
    r.firstBadLine = line;
  }

  /**
   * A stretch the writer was silent: incomplete with a key (signed times); without one the times prove nothing, so
   * it is a warning.
   */
  silence(reason: string): void {
    if (this.key !== undefined) this.incompleteReasons.push(reason);
    else this.result.warnings.push(reason);
  }

  get stopped(): boolean {
    return this.result.problem !== undefined;
  }

  /** The ring slot of `seq`, or -1 when it is not (or no longer) there. */
  ringIndex(seq: number): number {
    const i = seq % RING;
    return this.ringSeq[i] === seq ? i : -1;
  }
}
