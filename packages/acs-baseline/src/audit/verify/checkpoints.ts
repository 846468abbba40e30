/** Checkpoints: the head they seal must be in the log, and with a key their signatures and their chain must hold. */
import type { KeyObject } from "node:crypto";
import type { Rec } from "./recordShape.js";
import { fmtMs, parseTime } from "./recordShape.js";
import type { SegmentGap, VerifierState } from "./verifierState.js";
import { RING } from "./verifierState.js";
import { MAX_SEGMENTS } from "./anchorIndex.js";
import { checkpointSignatureValid } from "./checkpointSignatureValid.js";

type Checkpoint = NonNullable<Rec["checkpoint"]> & { seq: number; hash: string };

/** Checks a checkpoint record against the records before it (and its signature); false when it made the log tampered. */
export function checkCheckpoint(st: VerifierState, rec: Rec, seq: number, time: number | undefined): boolean {
  const cp = rec.checkpoint;
  if (cp === undefined || typeof cp.seq !== "number" || typeof cp.hash !== "string" || cp.seq >= seq) {
    st.fail("forged", "a log.checkpoint without a valid head (seq, hash)", seq);
    return false;
  }
  if (!checkHead(st, cp as Checkpoint, seq)) return false;
  if (st.key !== undefined && !checkSigned(st, cp as Checkpoint, st.key, seq)) return false;
  if (typeof cp.logId === "string") {
    if (st.logId !== undefined && cp.logId !== st.logId) {
      st.fail(
        "forged",
        `the checkpoint belongs to another log (log id ${cp.logId.slice(0, 12)}…), not to this one`,
        seq,
      );
      return false;
    }
    st.logId ??= cp.logId;
  }
  st.lastSig = typeof cp.sig === "string" ? cp.sig : st.lastSig;
  sealParked(st, cp.seq);
  const open = st.openPending;
  if (open !== undefined && cp.seq >= open.seq) {
    // the log.open is sealed now: its heartbeat interval sets the max gap, for the gaps of its segment so far too
    if (open.heartbeatMs !== undefined) st.heartbeatMs = open.heartbeatMs;
    st.openPending = undefined;
    settleSegmentGap(st);
    noteSegmentHeartbeat(st, open.seq);
  }
  st.openSinceCheckpoint = false;
  st.aheadOpen = false;
  st.result.checkpoints++;
  st.result.sealedSeq = Math.max(st.result.sealedSeq ?? 0, cp.seq);
  if (time !== undefined) st.lastCheckpointTime = time;
  // The writer's sign of life: the signed time (with a key), else the record's.
  const beat = st.key !== undefined && cp.time !== undefined ? parseTime(cp.time) : (parseTime(cp.time) ?? time);
  if (beat !== undefined) noteBeat(st, beat, seq);
  if (cp.close === true) st.sealedClose = { seq, line: st.lineNo };
  if (st.anchor !== undefined && st.anchorLog()?.bySeq.has(seq) !== true) {
    const u = (st.unanchored ??= { from: seq, to: seq, count: 0 });
    u.to = seq;
    u.count++;
  }
  return true;
}

/** The head a checkpoint seals must be a record the log has, with that hash. */
function checkHead(st: VerifierState, cp: Checkpoint, seq: number): boolean {
  const i = st.ringIndex(cp.seq);
  if (i >= 0) {
    if (st.ringHash[i] === cp.hash) return true;
    st.fail(
      "forged",
      `the checkpoint seals seq ${cp.seq} with a hash the log does not have at that seq: the records were rewritten (and rechained) after it was signed`,
      seq,
    );
    return false;
  }
  if (st.startedMidChain && st.result.firstSeq !== undefined && cp.seq < st.result.firstSeq) return true;
  st.fail("forged", `the checkpoint seals seq ${cp.seq}, which is not among the records before it`, seq);
  return false;
}

/** With a key: signed, validly, and chained to the previous checkpoint's signature. */
function checkSigned(st: VerifierState, cp: Checkpoint, key: KeyObject, seq: number): boolean {
  if (typeof cp.sig !== "string") {
    st.fail(
      "forged",
      "an unsigned checkpoint where signed ones are required (--public-key): it was forged or the writer had no key",
      seq,
    );
    return false;
  }
  if (!checkpointSignatureValid(cp, key)) {
    st.fail(
      "forged",
      "the checkpoint's signature is invalid (forged, or signed with another key than the one given)",
      seq,
    );
    return false;
  }
  const prevOk =
    st.lastSig === undefined ||
    cp.prevSig === st.lastSig ||
    (cp.prevSig === "" && st.openSinceCheckpoint) ||
    st.aheadOpen ||
    (st.result.checkpoints === 0 && st.startedMidChain);
  if (!prevOk) {
    st.fail(
      "forged",
      "the checkpoint's prevSig is not the previous checkpoint's signature: a checkpoint was removed or replaced",
      seq,
    );
    return false;
  }
  return true;
}

/**
 * A checkpoint inside a segment: the writer's last sign of life; one dated before the checkpoint before it is a clock
 * that stepped back (a warning, never a cut: cuts are found by seq).
 */
function noteBeat(st: VerifierState, time: number, seq: number): void {
  const prev = st.segmentBeat;
  const beat = { time, line: st.lineNo, seq };
  st.segmentBeat = beat;
  st.lastBeat = beat;
  if (prev === undefined) return;
  if (time < prev.time) {
    if (++st.stepBacks <= 3) {
      st.result.warnings.push(
        `the clock stepped back at ${st.where()} (seq ${seq}): its checkpoint time ${iso(time)} is before the previous checkpoint's ${iso(prev.time)} (${st.where(prev.line)}); times are never used to find cuts`,
      );
    }
    return;
  }
}

/**
 * Every record inside a segment is a sign of life (the checkpoint after it seals its time): one further from the
 * latest before it than the max gap ends a silence, which is named. While the segment's `log.open` declares another
 * heartbeat than the max gap's and is unsealed, the largest gap waits for {@link settleSegmentGap}.
 */
export function noteRecordTime(st: VerifierState, time: number, seq: number): void {
  const prev = st.segmentLatest; // mutated in place: no allocation per record on the verifier's hot path
  if (st.sealedClose !== undefined || (prev.seq >= 0 && time <= prev.time)) return; // closing: no more beats due
  if (prev.seq >= 0) {
    const ms = time - prev.time;
    if (gapDeferred(st)) {
      const largest = st.segmentGap;
      if (largest === undefined || ms > largest.toTime - largest.fromTime) st.segmentGap = gapTo(st, time, seq);
    } else {
      const gap = st.maxGap;
      if (gap !== undefined && ms > gap) st.silence(gapReason(st, gapTo(st, time, seq), gap));
    }
  }
  prev.time = time;
  prev.line = st.lineNo;
  prev.seq = seq;
}

/**
 * True while the current segment's `log.open` declares a heartbeat other than the max gap's and no checkpoint seals it
 * yet (and no `--max-gap` fixes the max gap): its gaps are judged once that is known.
 */
function gapDeferred(st: VerifierState): boolean {
  const open = st.openPending;
  return open?.heartbeatMs !== undefined && open.heartbeatMs !== st.heartbeatMs && st.options.maxGapMs === undefined;
}

/**
 * Judges the largest gap of the current segment's unsealed part against the max gap now in force: its own heartbeat's
 * when a checkpoint has just sealed its `log.open`, else (a new segment begins, or the log ends) the last sealed one's,
 * so an unsealed `log.open` never relaxes it.
 */
export function settleSegmentGap(st: VerifierState): void {
  const g = st.segmentGap;
  st.segmentGap = undefined;
  if (g !== undefined) judgeGap(st, g, st.maxGap);
}

/** A silence when `g` is longer than the max gap `gap`. */
function judgeGap(st: VerifierState, g: SegmentGap, gap: number | undefined): void {
  if (gap !== undefined && g.toTime - g.fromTime > gap) st.silence(gapReason(st, g, gap));
}

/**
 * A new `log.open` ends the segment before it. When nothing sealed that segment's `log.open` (its writer was killed
 * before its first checkpoint), its largest gap is parked with its declared heartbeat: a later checkpoint of the same
 * chain seals it through the hash chain ({@link sealParked}). Its heartbeat then judges that segment's own gaps only
 * — never the max gap of the segments after it — so a forged `log.open` that a later honest restart seals widens
 * nothing but the gaps of the records its forger wrote (and whose times the forger chose anyway).
 */
export function parkSegmentGap(st: VerifierState): void {
  const g = st.segmentGap;
  const heartbeatMs = st.openPending?.heartbeatMs;
  st.segmentGap = undefined;
  if (g === undefined) return;
  if (st.openPending === undefined || heartbeatMs === undefined) return judgeGap(st, g, st.maxGap);
  st.parked.push({ seq: st.openPending.seq, heartbeatMs, gap: g });
  if (st.parked.length > MAX_PARKED) {
    // bounded memory: the oldest half is judged now, with the stricter of its own declared heartbeat and the last
    // sealed one (a flood of forged segments cannot make an earlier one's gaps count against a looser rule)
    for (const p of st.parked.splice(0, MAX_PARKED / 2)) {
      const own = ownMaxGap(st, p.heartbeatMs);
      judgeGap(st, p.gap, st.maxGap === undefined ? own : Math.min(st.maxGap, own));
    }
  }
}

/** A checkpoint sealing `sealed` seals the parked segments up to it: each one's gap, with its own heartbeat. */
function sealParked(st: VerifierState, sealed: number): void {
  const parked = st.parked;
  let n = 0;
  while (n < parked.length && parked[n].seq <= sealed) n++;
  if (n === 0) return;
  for (const p of parked.splice(0, n)) judgeGap(st, p.gap, ownMaxGap(st, p.heartbeatMs));
}

/** The max gap of a segment that declared `heartbeatMs` (twice it, unless `--max-gap` fixes one). */
const ownMaxGap = (st: VerifierState, heartbeatMs: number): number => st.options.maxGapMs ?? 2 * heartbeatMs;

/** The chain or the log ends: parked segments nothing sealed are judged with the last sealed heartbeat. */
export function settleParked(st: VerifierState): void {
  for (const p of st.parked) judgeGap(st, p.gap, st.maxGap);
  st.parked = [];
}

/** The latest `log.open`, `seq`, is sealed: the heartbeat in force in its segment, for the anchor's stretches. */
function noteSegmentHeartbeat(st: VerifierState, seq: number): void {
  const heartbeatMs = st.heartbeatMs;
  if (heartbeatMs === undefined) return;
  const known = st.segmentHeartbeats.get(seq);
  if (known === undefined && st.segmentHeartbeats.size >= MAX_SEGMENTS) return;
  // two chains of one run may both open a segment at one seq: the stricter heartbeat
  st.segmentHeartbeats.set(seq, known === undefined ? heartbeatMs : Math.min(known, heartbeatMs));
}

/** Parked segments kept at most (then the oldest half is judged at once: amortised, never quadratic). */
const MAX_PARKED = 4096;

/** The gap from the segment's latest record time to the record `seq` on the current line, at `time`. */
function gapTo(st: VerifierState, time: number, seq: number): SegmentGap {
  const prev = st.segmentLatest;
  return {
    fromTime: prev.time,
    fromLine: prev.line,
    fromSeq: prev.seq,
    toTime: time,
    toLine: st.lineNo,
    toSeq: seq,
    file: st.file,
  };
}

/** The reason for a silence inside one segment longer than the max gap `gap`. */
function gapReason(st: VerifierState, g: SegmentGap, gap: number): string {
  const ms = g.toTime - g.fromTime;
  return `no record or heartbeat between ${iso(g.fromTime)} (${st.whereIn(g.file, g.fromLine)}, seq ${g.fromSeq}) and ${iso(g.toTime)} (${st.whereIn(g.file, g.toLine)}, seq ${g.toSeq}): ${fmtMs(ms)} of silence inside one writer's session, more than the max gap ${fmtMs(gap)}`;
}

/**
 * The first record after `sealed`, up to `lastSeq`, that is not itself a checkpoint: its seq and ring slot (-1 when it
 * is no longer in the ring); undefined when there is none (everything after the seal is a checkpoint).
 */
export function firstUnsealed(
  st: VerifierState,
  sealed: number,
  lastSeq: number,
): { seq: number; slot: number } | undefined {
  for (let s = Math.max(sealed + 1, lastSeq - RING + 1); s <= lastSeq; s++) {
    const i = st.ringIndex(s);
    if (i >= 0 && st.ringCheckpoint[i] === 0) return { seq: s, slot: i };
  }
  return lastSeq - sealed > RING ? { seq: sealed + 1, slot: -1 } : undefined;
}

/** The reason for a `log.close` that no checkpoint of its chain seals. */
export function unsealedCloseReason(
  st: VerifierState,
  close: { seq: number; line: number; file: string | undefined },
): string {
  return `log.close at ${st.whereIn(close.file, close.line)} (seq ${close.seq}) is not sealed by a checkpoint: it was forged, or the final checkpoint was removed`;
}

/**
 * A new chain starts at seq 1 (a writer that found no record to continue after a break). Checkpoints seal the head of
 * their own chain only, so the new chain's cannot seal what the chain that ends at `end` left unsealed: with a key,
 * its unsealed `log.close` or records are judged now (no grace: its writer did not go on), and sealing starts over.
 */
export function endChain(st: VerifierState, end: { seq: number; line: number; file: string | undefined }): void {
  // the new chain's checkpoints cannot seal this chain's log.opens: their gaps, with the last sealed heartbeat
  settleSegmentGap(st);
  settleParked(st);
  const sealed = st.result.sealedSeq ?? 0;
  const close = st.lastClose;
  if (st.key !== undefined) {
    const first = firstUnsealed(st, sealed, end.seq);
    if (close !== undefined && close.seq > sealed) {
      st.incompleteReasons.push(
        `${unsealedCloseReason(st, close)} (nor can the new chain at ${st.where()}, which starts again at seq 1)`,
      );
    } else if (first !== undefined) {
      st.incompleteReasons.push(
        `records ${first.seq}–${end.seq} of the chain that ends at ${st.whereIn(end.file, end.line)} are unsealed: no checkpoint of their chain seals them, and the new chain at ${st.where()} starts again at seq 1; its writer was killed, or the tail was cut or replaced`,
      );
    }
  }
  delete st.result.sealedSeq;
  st.lastClose = undefined;
  st.startedMidChain = false;
}

/** An ISO time for a message. */
export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "?";
}
