/**
 * Reads the anchor's lines, in order, into an index per log and seq. The anchor is append-only history: the first
 * valid line for a log and seq is authoritative, a later line that disagrees is evidence of its own, a later one that
 * agrees is a harmless duplicate. Lines that are not valid are skipped, counted and reported, never used. With a
 * public key only signed checkpoints count, and record lines (mode `records`) only when a signed checkpoint in the
 * anchor covers them through the hash chain. See docs/audit-log.md.
 */
import type { KeyObject } from "node:crypto";
import { computeRecordHash } from "../record/canonical.js";
import { checkpointSignatureValid } from "./checkpointSignatureValid.js";
import { ANCHOR_OVERLONG, ANCHOR_TOO_LARGE, MAX_LINE_BYTES } from "./lineReader.js";
import type { Rec } from "./recordShape.js";
import { looksLikeRecord, parseTime } from "./recordShape.js";

/** A stretch between two consecutive checkpoints of one segment in the anchor (the largest are kept). */
export interface AnchorStretch {
  fromTime: number;
  toTime: number;
  fromSeq: number;
  toSeq: number;
}

/** What the anchor holds for one log id. */
export interface LogAnchor {
  /** seq → hash, first-written wins. */
  bySeq: Map<number, string>;
  /** Valid checkpoints of this log. */
  checkpoints: number;
  maxSeq: number;
  maxSeqTime: number | undefined;
  /** The checkpoint with the highest seq: its (signed) time, and whether it seals the log's close. */
  last: { seq: number; time: number | undefined; close: boolean } | undefined;
  /**
   * The longest stretch between consecutive checkpoints of each segment (by the seq of its `log.open`, the
   * checkpoints' signed `open`), judged with that segment's heartbeat; segments past {@link MAX_SEGMENTS} share the
   * key -1 (judged with the last sealed heartbeat).
   */
  stretches: Map<number, AnchorStretch>;
  /**
   * The heartbeat each `log.open` record of this log declares (its seq → heartbeatMs), for an anchor in `records`
   * mode: only lines that count (with a key, covered by a signed checkpoint: sealed), first-written wins.
   */
  heartbeats: Map<number, number>;
  /** A checkpoint whose time is before the one before it (clock stepped back), the first one. */
  stepBack: { seq: number; time: number; before: number } | undefined;
  /** Lines that contradict an earlier line for the same seq. */
  rewritten: { seq: number; line: number; firstLine: number }[];
  /** The previous checkpoint in anchor order, for the stretches. */
  prevCp: { seq: number; time: number | undefined; open: unknown } | undefined;
  /** anchor line of each seq's first-written line, for the rewrite report */
  lineOf: Map<number, number>;
}

/** What the anchor holds. */
export interface AnchorIndex {
  logs: Map<string, LogAnchor>;
  /** Valid lines used. */
  lines: number;
  /** Lines read (non-empty). */
  read: number;
  /** Lines that are not valid (not records, wrong hash, unsigned or badly signed with a key, overlong). */
  invalid: number;
  /** Agreeing later copies. */
  duplicates: number;
  /** Record lines no signed checkpoint in the anchor covers (with a key: ignored). */
  uncovered: number;
  /** The anchor was larger than the limit: reading stopped there. */
  tooLarge: boolean;
}

/** Record lines waiting for a signed checkpoint that covers them (with a key), at most this many. */
const MAX_PENDING = 1 << 18;
/** Most segments remembered by their `log.open`'s seq (in the anchor, and their heartbeats in the files): bounded memory. */
export const MAX_SEGMENTS = 1 << 16;

interface AnchorRec extends Rec {
  seq: number;
  hash: string;
}

function newLog(): LogAnchor {
  return {
    bySeq: new Map(),
    checkpoints: 0,
    maxSeq: 0,
    maxSeqTime: undefined,
    last: undefined,
    stretches: new Map(),
    heartbeats: new Map(),
    stepBack: undefined,
    rewritten: [],
    prevCp: undefined,
    lineOf: new Map(),
  };
}

/** Indexes the anchor's lines (see the file comment for what counts). */
export async function indexAnchor(
  lines: Iterable<string> | AsyncIterable<string>,
  key: KeyObject | undefined,
): Promise<AnchorIndex> {
  const index: AnchorIndex = {
    logs: new Map(),
    lines: 0,
    read: 0,
    invalid: 0,
    duplicates: 0,
    uncovered: 0,
    tooLarge: false,
  };
  const pending = new Map<string, { rec: AnchorRec; line: number }>();
  let currentLog = "";
  let n = 0;
  for await (const raw of lines as AsyncIterable<string>) {
    n++;
    if (raw === ANCHOR_TOO_LARGE) {
      index.tooLarge = true;
      break;
    }
    const line = raw.trim();
    if (line === "") continue;
    index.read++;
    const rec = raw === ANCHOR_OVERLONG || raw.length > MAX_LINE_BYTES ? undefined : validLine(line);
    if (rec === undefined) {
      index.invalid++;
      continue;
    }
    const action = rec.event?.action;
    if (action === "log.checkpoint") {
      if (!checkpointLine(index, rec, n, key, pending)) index.invalid++;
      continue;
    }
    if (action === "log.open" && typeof rec.log?.id === "string") currentLog = rec.log.id;
    if (key === undefined) {
      record(index, logOf(index, currentLog), rec, n);
    } else {
      pending.set(rec.hash, { rec, line: n });
      if (pending.size > MAX_PENDING) {
        index.uncovered += pending.size;
        pending.clear();
      }
    }
  }
  index.uncovered += pending.size;
  return index;
}

/** A line that is a record whose own members hash to its `hash`; undefined otherwise (also for a too-deep line). */
function validLine(line: string): AnchorRec | undefined {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (
    !looksLikeRecord(rec) ||
    typeof rec.seq !== "number" ||
    !Number.isInteger(rec.seq) ||
    typeof rec.hash !== "string"
  ) {
    return undefined;
  }
  try {
    return computeRecordHash(rec as Record<string, unknown>) === rec.hash ? (rec as AnchorRec) : undefined;
  } catch {
    return undefined; // nested too deep: not a record
  }
}

function logOf(index: AnchorIndex, id: string): LogAnchor {
  let log = index.logs.get(id);
  if (log === undefined) {
    log = newLog();
    index.logs.set(id, log);
  }
  return log;
}

/** A checkpoint line: signed (with a key), then recorded under its log id; the records it covers count too. */
function checkpointLine(
  index: AnchorIndex,
  rec: AnchorRec,
  n: number,
  key: KeyObject | undefined,
  pending: Map<string, { rec: AnchorRec; line: number }>,
): boolean {
  const cp = rec.checkpoint;
  if (cp === undefined || typeof cp.seq !== "number" || typeof cp.hash !== "string") return false;
  if (key !== undefined && !checkpointSignatureValid(cp, key)) return false;
  const log = logOf(index, typeof cp.logId === "string" ? cp.logId : "");
  if (!record(index, log, rec, n)) return true;
  // With a key: the record lines this checkpoint's head reaches through prevHash are covered.
  for (let h: unknown = cp.hash; typeof h === "string" && pending.has(h); ) {
    const p = pending.get(h);
    pending.delete(h);
    if (p === undefined) break;
    record(index, log, p.rec, p.line);
    h = p.rec.prevHash;
  }
  const time = key !== undefined ? parseTime(cp.time) : (parseTime(cp.time) ?? parseTime(rec.time));
  log.checkpoints++;
  if (log.last === undefined || rec.seq > log.last.seq) log.last = { seq: rec.seq, time, close: cp.close === true };
  noteStretch(log, rec.seq, time, cp.open);
  return true;
}

/** First-written wins: a new seq is recorded; a disagreeing later line is kept as a rewrite; false for those. */
function record(index: AnchorIndex, log: LogAnchor, rec: AnchorRec, n: number): boolean {
  const first = log.bySeq.get(rec.seq);
  if (first !== undefined) {
    if (first === rec.hash) index.duplicates++;
    else log.rewritten.push({ seq: rec.seq, line: n, firstLine: log.lineOf.get(rec.seq) ?? 0 });
    return false;
  }
  log.bySeq.set(rec.seq, rec.hash);
  log.lineOf.set(rec.seq, n);
  const heartbeatMs = rec.log?.heartbeatMs;
  if (
    rec.event?.action === "log.open" &&
    typeof heartbeatMs === "number" &&
    heartbeatMs > 0 &&
    log.heartbeats.size < MAX_SEGMENTS
  )
    log.heartbeats.set(rec.seq, heartbeatMs);
  index.lines++;
  if (rec.seq > log.maxSeq) {
    log.maxSeq = rec.seq;
    log.maxSeqTime = parseTime(rec.checkpoint?.time) ?? parseTime(rec.time);
  }
  return true;
}

/** Consecutive checkpoints of one segment (same `open`): keep each segment's longest stretch and the first step back. */
function noteStretch(log: LogAnchor, seq: number, time: number | undefined, open: unknown): void {
  const prev = log.prevCp;
  log.prevCp = { seq, time, open };
  if (prev === undefined || time === undefined || prev.time === undefined || typeof open !== "number") return;
  if (prev.open !== open) return;
  if (time < prev.time) {
    log.stepBack ??= { seq, time, before: prev.time };
    return;
  }
  const key = log.stretches.has(open) || log.stretches.size < MAX_SEGMENTS ? open : -1;
  const longest = log.stretches.get(key);
  if (longest === undefined || time - prev.time > longest.toTime - longest.fromTime)
    log.stretches.set(key, { fromTime: prev.time, toTime: time, fromSeq: prev.seq, toSeq: seq });
}
