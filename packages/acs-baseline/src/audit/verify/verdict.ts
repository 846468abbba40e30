/**
 * The verdict once every line is read: the first problem (tampered), or what is missing, unsealed or silent
 * (incomplete), and the warnings that limit what can be vouched for.
 */
import type { AnchorIndex, AnchorStretch, LogAnchor } from "./anchorIndex.js";
import { LOG_ID_SHAPE } from "../record/checkpointSignature.js";
import { firstUnsealed, iso, settleParked, settleSegmentGap, unsealedCloseReason } from "./checkpoints.js";
import { MAX_ANCHOR_BYTES } from "./lineReader.js";
import type { VerifyLogResult } from "./result.js";
import { fmtMs } from "./recordShape.js";
import type { VerifierState } from "./verifierState.js";

/** The result of the run whose every line `st` has seen. */
export function verdict(st: VerifierState): VerifyLogResult {
  const r = st.result;
  if (st.logId !== undefined) r.logId = st.logId;
  if (r.problem !== undefined) return tamperedVerdict(st);
  if (st.gap !== undefined) {
    const g = st.gap;
    if (g.torn && g.lines === 1) {
      r.truncatedTail = { line: g.line, bytes: g.bytes };
      r.warnings.push(
        `${st.where(g.line)} is a torn partial record (${g.bytes} bytes): the writer was killed mid-write; the ${r.records} records before it are intact`,
      );
    } else {
      st.fail(
        g.json ? "inserted" : "malformed",
        `the last line${g.lines > 1 ? "s are not records" : " is not a record"} but complete: a crash never leaves that; it was edited or appended`,
        undefined,
        g.line,
      );
      return tamperedVerdict(st);
    }
  }
  r.closed = st.lastAction === "log.close";
  settleSegmentGap(st); // the last segment's log.open was never sealed: its gaps, with the last sealed heartbeat
  settleParked(st); // and so for earlier segments that no later checkpoint sealed
  anchorReasons(st);
  if (r.problem !== undefined) return tamperedVerdict(st);
  lastSignOfLife(st);
  if (st.key !== undefined) signedReasons(st);
  else if (r.checkpoints > 0)
    r.warnings.push(`${r.checkpoints} checkpoint(s) found; their signatures were not checked (give --public-key)`);
  if (r.records === 0 && st.key === undefined && st.anchor === undefined)
    r.warnings.push("the file holds no audit records");
  else if (r.records > 0 && !r.closed && st.key === undefined) {
    r.warnings.push(
      `the log does not end with log.close: whatever the writer recorded after seq ${r.lastSeq} cannot be vouched for (the process ended without close(), crashed or was killed, or the file was truncated)`,
    );
  }
  if (st.incompleteReasons.length > 0) {
    r.status = "incomplete";
    r.intact = false;
    r.reasons.push(...st.incompleteReasons);
  }
  return r;
}

/** Tampered: the first problem, as a reason (a removal whose records appear later is a reordering). */
function tamperedVerdict(st: VerifierState): VerifyLogResult {
  const r = st.result;
  const problem = r.problem;
  if (problem === undefined) return r;
  if (st.pendingMissing !== undefined && st.laterSeqs !== undefined) {
    for (let s = st.pendingMissing.from; s <= st.pendingMissing.to; s++) {
      if (st.laterSeqs.has(s)) {
        problem.kind = "reordered";
        problem.message = `expected seq ${st.pendingMissing.from} after line ${st.prev?.line ?? 0}, found seq ${problem.seq ?? "?"}; seq ${s} appears later: records were reordered`;
        break;
      }
    }
  }
  const where = problem.file === "<anchor>" ? `anchor line ${problem.line}` : st.where(problem.line);
  r.reasons.unshift(
    `${where}${problem.seq !== undefined ? ` (seq ${problem.seq})` : ""}: ${problem.kind}: ${problem.message}`,
  );
  // every contradiction of the anchor's history is evidence of its own, whatever else was found first
  for (const w of st.anchorLog()?.rewritten.slice(0, 5) ?? []) {
    if (problem.file === "<anchor>" && w.line === problem.line) continue;
    r.reasons.push(`anchor line ${w.line} (seq ${w.seq}): anchor: ${rewriteMessage(w)}`);
  }
  return r;
}

function rewriteMessage(w: { seq: number; firstLine: number }): string {
  return `anchor seq ${w.seq} rewritten by a later append (first written at anchor line ${w.firstLine}): history was contradicted`;
}

/** True when the log ended with a close that a checkpoint sealed (nothing more was to come). */
function closedAndSealed(st: VerifierState): boolean {
  if (st.sealedClose !== undefined) return true;
  const close = st.lastClose;
  return st.result.closed && close !== undefined && (st.result.sealedSeq ?? 0) >= close.seq;
}

/** Unless the log was closed and sealed, its last sign of life must be within the max gap of the time of verification. */
function lastSignOfLife(st: VerifierState): void {
  const gap = st.maxGap;
  const beat = st.lastBeat;
  if (gap === undefined || beat === undefined || closedAndSealed(st)) return;
  if (st.at - beat.time > gap) {
    st.silence(
      `the writer's last sign of life is the checkpoint at ${st.where(beat.line)} (seq ${beat.seq}, ${iso(beat.time)}): nothing for ${fmtMs(st.at - beat.time)} before the time of verification (${iso(st.at)}), more than the max gap ${fmtMs(gap)}; the writer crashed or was killed and did not start again, or the end of the log was cut`,
    );
  }
}

/** What the anchor says: rewrites, no corroboration, a cut tail, silence, and what it could not use. */
function anchorReasons(st: VerifierState): void {
  const r = st.result;
  const anchor = st.anchor;
  if (anchor === undefined) return;
  if (anchor.invalid > 0) {
    r.warnings.push(
      `${anchor.invalid} of the anchor's ${anchor.read} lines are not valid audit lines${st.key !== undefined ? " (or are not signed checkpoints)" : ""}; they were ignored`,
    );
  }
  if (anchor.uncovered > 0)
    r.warnings.push(
      `${anchor.uncovered} record line(s) of the anchor are covered by no signed checkpoint in it; they were ignored`,
    );
  if (anchor.duplicates > 0)
    r.warnings.push(`${anchor.duplicates} anchor line(s) repeat an earlier line exactly (harmless duplicates)`);
  if (anchor.tooLarge)
    st.incompleteReasons.push(
      `the anchor is larger than ${MAX_ANCHOR_BYTES} bytes: it was read only that far, so it cannot vouch for the end`,
    );
  const log = st.anchorLog();
  const rewrite = log?.rewritten[0];
  if (rewrite !== undefined) {
    st.fail("anchor", rewriteMessage(rewrite), rewrite.seq, rewrite.line);
    if (r.problem !== undefined) r.problem.file = "<anchor>";
    return;
  }
  otherLogsReasons(st, anchor);
  if (r.records === 0) {
    st.incompleteReasons.push(
      anchor.lines > 0
        ? `the file holds no records, but the anchor holds ${anchor.lines} lines: the log was emptied or removed`
        : "the file holds no records and the anchor holds no valid line (it is empty, or none of its lines is valid): it corroborates nothing",
    );
    return;
  }
  if (log === undefined || log.checkpoints === 0) {
    st.incompleteReasons.push(
      `the anchor holds none of this log's checkpoints (log id ${st.logId ?? "none"}): it is empty, or another log's, so it corroborates nothing`,
    );
    return;
  }
  logAnchorReasons(st, log);
}

/**
 * Other logs in the anchor, each with at least one valid checkpoint (signed, with a key): their history is in the
 * anchor but not among the files verified. Deleting or emptying a log and letting the app start again gives a new log
 * id whose file verifies on its own, so an anchor that holds another log is never vouched for as this log's whole
 * story: incomplete, each named (at most three).
 */
function otherLogsReasons(st: VerifierState, anchor: AnchorIndex): void {
  const shown: string[] = [];
  let count = 0;
  for (const [id, log] of anchor.logs) {
    if (id === "" || id === st.logId || log.checkpoints === 0) continue;
    if (++count > 3) continue;
    const last = log.last?.time !== undefined ? `, the last at ${iso(log.last.time)}` : "";
    shown.push(
      `log id ${LOG_ID_SHAPE.test(id) ? id : "<not a log id>"} (${log.checkpoints} checkpoint(s) up to seq ${log.maxSeq}${last})`,
    );
  }
  if (count === 0) return;
  st.incompleteReasons.push(
    `the anchor also holds ${count} other log${count > 1 ? "s" : ""} besides this one: ${shown.join("; ")}${count > 3 ? "; …" : ""}. A log deleted or emptied, and started again under a new log id, leaves exactly this picture, so a shared anchor is never vouched for: give each log its own anchor`,
  );
}

/** This log's part of the anchor: a cut tail (by seq), silence, stretches, unanchored checkpoints. */
function logAnchorReasons(st: VerifierState, log: LogAnchor): void {
  const r = st.result;
  if (log.maxSeq > (r.lastSeq ?? 0)) {
    st.incompleteReasons.push(
      `cut tail: the anchor holds seq ${log.maxSeq}${log.maxSeqTime !== undefined ? ` (${iso(log.maxSeqTime)})` : ""}, the file ends at seq ${r.lastSeq ?? 0}: records were removed from the end`,
    );
  }
  const gap = st.maxGap;
  const last = log.last;
  if (gap !== undefined && last !== undefined && !last.close && last.time !== undefined && st.at - last.time > gap) {
    st.silence(
      `anchor silent since ${iso(last.time)} (seq ${last.seq}): no heartbeat for ${fmtMs(st.at - last.time)} before the time of verification, more than the max gap ${fmtMs(gap)}; an anchor outage, or a writer killed while the anchor was down, hides what was written since`,
    );
  }
  anchorStretchReasons(st, log);
  if (log.stepBack !== undefined) {
    r.warnings.push(
      `the clock stepped back in the anchor at seq ${log.stepBack.seq} (${iso(log.stepBack.time)}, after ${iso(log.stepBack.before)}); times are never used to find cuts`,
    );
  }
  if (st.unanchored !== undefined) {
    const u = st.unanchored;
    if (u.from <= log.maxSeq)
      r.warnings.push(
        `unanchored stretch: ${u.count} checkpoint(s) between seq ${u.from} and ${Math.min(u.to, log.maxSeq)} are not in the anchor: an anchor outage (the log's anchor.failure records name it) or, with none, an anchor that was deleted or rewritten (a locked immutability policy prevents that)`,
      );
    else
      r.warnings.push(`${u.count} checkpoint(s) after the anchor's last line (seq ${log.maxSeq}) are not anchored yet`);
  }
}

/**
 * Two consecutive checkpoints of one segment in the anchor further apart than that segment's max gap (its own sealed
 * heartbeat, not the log's last one): the longest first, at most 16 named.
 */
function anchorStretchReasons(st: VerifierState, log: LogAnchor): void {
  const silent: { s: AnchorStretch; gap: number }[] = [];
  for (const [open, s] of log.stretches) {
    const gap = st.maxGapOfSegment(open, log.heartbeats);
    if (gap !== undefined && s.toTime - s.fromTime > gap) silent.push({ s, gap });
  }
  silent.sort((a, b) => b.s.toTime - b.s.fromTime - (a.s.toTime - a.s.fromTime));
  for (const { s, gap } of silent.slice(0, 16)) {
    st.silence(
      `the anchor has no heartbeat between ${iso(s.fromTime)} (seq ${s.fromSeq}) and ${iso(s.toTime)} (seq ${s.toSeq}): ${fmtMs(s.toTime - s.fromTime)} of silence inside one writer's session, more than the max gap ${fmtMs(gap)}`,
    );
  }
}

/** With a key: at least one signed checkpoint, log.close sealed, and no unsealed records older than the max gap. */
function signedReasons(st: VerifierState): void {
  const r = st.result;
  if (r.checkpoints === 0) {
    st.incompleteReasons.push(
      "no valid checkpoint: with --public-key a log must carry at least one signed checkpoint (an empty file proves nothing)",
    );
  }
  const sealed = r.sealedSeq ?? 0;
  if (st.lastClose !== undefined && st.lastClose.seq > sealed) {
    st.incompleteReasons.push(unsealedCloseReason(st, st.lastClose));
    r.firstBadLine ??= st.lastClose.line;
  }
  if (r.lastSeq !== undefined && r.lastSeq > sealed) unsealedTail(st, sealed, r.lastSeq);
}

/**
 * Records after the last seal: a warning within the max gap of the time of verification (the writer may still be
 * running), else a reason. After a sealed close there is no grace: nothing more was to come.
 */
function unsealedTail(st: VerifierState, sealed: number, lastSeq: number): void {
  const r = st.result;
  const maxGap = st.maxGap;
  // the first record after the last seal that is not itself a checkpoint
  const first = firstUnsealed(st, sealed, lastSeq);
  if (first === undefined) return;
  const slot = first.slot;
  const t = slot >= 0 ? st.ringTime[slot] : NaN;
  const count = lastSeq - first.seq + 1;
  const afterClose = st.sealedClose !== undefined;
  const within = !afterClose && maxGap !== undefined && Number.isFinite(t) && st.at - t <= maxGap;
  const msg = `${count} record(s) from seq ${first.seq}${slot >= 0 ? ` (${st.where(st.ringLine[slot])})` : ""} on are unsealed: no valid checkpoint after them`;
  if (within)
    r.warnings.push(
      `${msg}; within the max gap ${fmtMs(maxGap)} of the time of verification, so the writer may still be running or was killed`,
    );
  else {
    st.incompleteReasons.push(
      `${msg}${afterClose ? ", after the log's sealed close" : maxGap !== undefined ? `, and older than the max gap ${fmtMs(maxGap)} before the time of verification` : ""}: the tail may have been cut or replaced`,
    );
    if (slot >= 0) r.firstBadLine ??= st.ringLine[slot];
  }
}
