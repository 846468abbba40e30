/** What verify-log reports: the result, the problem it found, and the options it takes. */
import type { KeyObject } from "node:crypto";

/**
 * What is wrong with the first bad line.
 * @public
 */
export type AuditLogProblemKind =
  | "edited"
  | "removed"
  | "inserted"
  | "reordered"
  | "malformed"
  | "unchained"
  | "noncanonical"
  | "forged"
  | "overlong"
  | "anchor";

/**
 * The first line that breaks the log.
 * @public
 */
export interface AuditLogProblem {
  /** 1-based line number in its file. */
  line: number;
  /** The file, when several were verified. */
  file?: string;
  /** The record's `seq`, when it has one. */
  seq?: number;
  /** Edited, removed, inserted, reordered, malformed, unchained, noncanonical, forged, overlong or anchor. */
  kind: AuditLogProblemKind;
  /** What is wrong, in words. */
  message: string;
}

/**
 * Result of {@link verifyLog}.
 * @public
 */
export interface VerifyLogResult {
  /** `intact`: nothing wrong; `tampered`: a line was edited, inserted, removed, reordered or forged; `incomplete`: the chain holds but records are missing or not sealed. */
  status: "intact" | "tampered" | "incomplete";
  /** `status === "intact"`. */
  intact: boolean;
  /** Records whose chain was verified (up to the first problem). */
  records: number;
  /** Valid checkpoints (signature checked when a public key was given). */
  checkpoints: number;
  /** `seq` of the first verified record. */
  firstSeq?: number;
  /** `seq` of the last verified record. */
  lastSeq?: number;
  /** `hash` of the last verified record. */
  lastHash?: string;
  /** Highest `seq` sealed by a valid checkpoint (of the last chain, when the log starts again at seq 1). */
  sealedSeq?: number;
  /** True when the last record (before a final checkpoint) is `log.close`. */
  closed: boolean;
  /** The first bad line, when tampered. */
  problem?: AuditLogProblem;
  /** Line of the first problem (tampered) or of the first record that is missing its seal (incomplete). */
  firstBadLine?: number;
  /** Why the status is not `intact`, one sentence each. */
  reasons: string[];
  /** A torn last line (the writer died mid-write): its line number and length in bytes. */
  truncatedTail?: { line: number; bytes: number };
  /** Lines that are not audit records, skipped in logger mode. */
  otherLines: number;
  /** The log's id (from its `log.open`), when it has one. */
  logId?: string;
  /** Things that do not change the status but limit what can be vouched for. */
  warnings: string[];
}

/**
 * How to verify.
 * @public
 */
export interface VerifyLogOptions {
  /** SPKI PEM (text or a file path) of the checkpoint key: checkpoints must then be signed, and every record sealed. */
  publicKey?: string | KeyObject;
  /** The off-host copy's lines (checkpoints or records), e.g. from a file anchor or the blob anchor. */
  anchorLines?: Iterable<string> | AsyncIterable<string>;
  /**
   * Longest silence accepted: between two heartbeats or checkpoints of one segment (in the file and in the anchor),
   * and between the last one and `at` (unless the log was closed and sealed). Default: twice the heartbeat interval
   * declared by the last `log.open` a valid checkpoint sealed (an unsealed one never widens it); the gaps inside a
   * segment are judged with its own `log.open`'s heartbeat once a checkpoint seals it.
   */
  maxGapMs?: number;
  /** The log is a host logger's output: lines that are not records are skipped and counted, records are checked by their own members. */
  loggerMode?: boolean;
  /** Longest accepted line (default 1 MiB): a longer one is rejected as soon as it is seen. */
  maxLineBytes?: number;
  /**
   * The time of verification (default now): an unclosed log's last heartbeat, in the file and in the anchor, must be
   * within the max gap of it.
   */
  at?: Date | number;
  /**
   * Files that do not exist count as empty (used with an anchor, which then says whether records are missing). With
   * `anchorLines` that hold no valid line a missing file still throws `ENOENT`: nothing would say it had records.
   */
  missingAsEmpty?: boolean;
  /**
   * Called with each record whose chain was verified, in order, as it is counted: never a line after the first
   * problem, nor a line that is not a record. Lets a caller read evidence (e.g. `refuse` records) in the same streamed
   * pass, without a second parser. The record is the parsed line; an exception thrown here ends the verification.
   */
  onRecord?: (record: Readonly<Record<string, unknown>>) => void;
}
