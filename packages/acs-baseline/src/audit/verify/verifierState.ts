/** The state one verification run carries from line to line. */
import type { KeyObject } from "node:crypto";
import { basename } from "node:path";
import type { AnchorIndex } from "./anchorIndex.js";
import type { AuditLogProblemKind, VerifyLogOptions, VerifyLogResult } from "./result.js";

/** Recent records kept to check checkpoints against (a remote signer seals a head some records back). */
export const RING = 1 << 17;

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
  prev: { seq: number; hash: string; line: number } | undefined;
  lastAction: unknown;
  file: string | undefined;
  lineNo = 0;
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
  lastClose: { seq: number; line: number; file: string | undefined } | undefined;
  pendingMissing: { from: number; to: number } | undefined;
  laterSeqs: Set<number> | undefined;
  startedMidChain = false;
  incompleteReasons: string[] = [];
  unanchored: { from: number; to: number; count: number } | undefined;

  constructor(
    readonly options: VerifyLogOptions,
    readonly key: KeyObject | undefined,
    readonly anchor: AnchorIndex | undefined,
    readonly multi: boolean,
  ) {}

  startFile(file: string): void {
    this.file = this.multi ? file : undefined;
    this.lineNo = 0;
  }

  /** `line N`, or `file:N` when several files are verified. */
  where(line = this.lineNo): string {
    return this.file !== undefined ? `${basename(this.file)}:${line}` : `line ${line}`;
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

  get stopped(): boolean {
    return this.result.problem !== undefined;
  }

  /** The ring slot of `seq`, or -1 when it is not (or no longer) there. */
  ringIndex(seq: number): number {
    const i = seq % RING;
    return this.ringSeq[i] === seq ? i : -1;
  }
}
