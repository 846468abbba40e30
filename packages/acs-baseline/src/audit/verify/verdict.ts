/**
 * The verdict once every line is read: the first problem (tampered), or what is missing or unsealed (incomplete),
 * and the warnings that limit what can be vouched for.
 */
import { basename } from "node:path";
import type { VerifyLogResult } from "./result.js";
import { fmtMs } from "./recordShape.js";
import type { VerifierState } from "./verifierState.js";
import { RING } from "./verifierState.js";

/** The result of the run whose every line `st` has seen. */
export function verdict(st: VerifierState): VerifyLogResult {
  const r = st.result;
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
        `${st.where(g.line)}: the last line${g.lines > 1 ? "s are" : " is"} not a record but complete: a crash never leaves that; it was edited or appended`,
        undefined,
        g.line,
      );
      return tamperedVerdict(st);
    }
  }
  r.closed = st.lastAction === "log.close";
  anchorReasons(st);
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
  r.reasons.unshift(
    `${st.where(problem.line)}${problem.seq !== undefined ? ` (seq ${problem.seq})` : ""}: ${problem.kind}: ${problem.message}`,
  );
  return r;
}

/** What the anchor says the file lacks: a cut tail, an emptied log, checkpoints missing from either side. */
function anchorReasons(st: VerifierState): void {
  const r = st.result;
  const anchor = st.anchor;
  const maxGap = st.options.maxGapMs;
  if (anchor === undefined || anchor.lines === 0) return;
  if (r.records === 0) {
    st.incompleteReasons.push(
      `the file holds no records, but the anchor holds ${anchor.lines} lines up to seq ${anchor.maxSeq}: the log was emptied or removed`,
    );
  } else if (anchor.maxSeq > (r.lastSeq ?? 0)) {
    st.incompleteReasons.push(
      `cut tail: the anchor holds seq ${anchor.maxSeq}${anchor.maxSeqTime !== undefined ? ` (${new Date(anchor.maxSeqTime).toISOString()})` : ""}, the file ends at seq ${r.lastSeq ?? 0}: records were removed from the end`,
    );
  }
  if (maxGap !== undefined && anchor.lastTime !== undefined) {
    const last = st.lastCheckpointTime ?? st.lastRecordTime;
    if (last === undefined || anchor.lastTime - last > maxGap) {
      st.incompleteReasons.push(
        `the file's last checkpoint is ${last === undefined ? "missing" : `${fmtMs(anchor.lastTime - last)} older than the anchor's last heartbeat`}, more than --max-gap ${fmtMs(maxGap)}: the tail was cut`,
      );
    }
  }
  if (st.unanchored !== undefined) {
    const u = st.unanchored;
    if (u.from <= anchor.maxSeq)
      r.warnings.push(
        `unanchored stretch: ${u.count} checkpoint(s) between seq ${u.from} and ${Math.min(u.to, anchor.maxSeq)} are not in the anchor (see the anchor.failure records)`,
      );
    else
      r.warnings.push(
        `${u.count} checkpoint(s) after the anchor's last line (seq ${anchor.maxSeq}) are not anchored yet`,
      );
  }
}

/** With a key: at least one signed checkpoint, log.close sealed, and no unsealed records older than --max-gap. */
function signedReasons(st: VerifierState): void {
  const r = st.result;
  if (r.checkpoints === 0) {
    st.incompleteReasons.push(
      "no valid checkpoint: with --public-key a log must carry at least one signed checkpoint (an empty file proves nothing)",
    );
  }
  const sealed = r.sealedSeq ?? 0;
  if (st.lastClose !== undefined && st.lastClose.seq > sealed) {
    st.incompleteReasons.push(
      `log.close at ${st.lastClose.file !== undefined ? `${basename(st.lastClose.file)}:` : "line "}${st.lastClose.line} (seq ${st.lastClose.seq}) is not sealed by a checkpoint: it was forged, or the final checkpoint was removed`,
    );
    r.firstBadLine ??= st.lastClose.line;
  }
  if (r.lastSeq !== undefined && r.lastSeq > sealed) unsealedTail(st, sealed, r.lastSeq);
}

/** Records after the last seal: a warning within --max-gap of the end, else a reason. */
function unsealedTail(st: VerifierState, sealed: number, lastSeq: number): void {
  const r = st.result;
  const maxGap = st.options.maxGapMs;
  const end = Math.max(st.lastRecordTime ?? -Infinity, st.anchor?.lastTime ?? -Infinity);
  // the first record after the last seal that is not itself a checkpoint
  let first = -1;
  for (let s = Math.max(sealed + 1, lastSeq - RING + 1); s <= lastSeq; s++) {
    const i = st.ringIndex(s);
    if (i >= 0 && st.ringCheckpoint[i] === 0) {
      first = i;
      break;
    }
  }
  if (first < 0 && lastSeq - sealed <= RING) return;
  const firstSeq = first >= 0 ? st.ringSeq[first] : sealed + 1;
  const t = first >= 0 ? st.ringTime[first] : NaN;
  const count = lastSeq - firstSeq + 1;
  const within = maxGap !== undefined && Number.isFinite(t) && end - t <= maxGap;
  const msg = `${count} record(s) from seq ${firstSeq}${first >= 0 ? ` (${st.where(st.ringLine[first])})` : ""} on are unsealed: no valid checkpoint after them`;
  if (within)
    r.warnings.push(
      `${msg}; within --max-gap ${fmtMs(maxGap)} of the end, so the writer may still be running or was killed`,
    );
  else {
    st.incompleteReasons.push(
      `${msg}${maxGap !== undefined ? `, and older than --max-gap ${fmtMs(maxGap)} before the end` : ""}: the tail may have been cut or replaced`,
    );
    if (first >= 0) r.firstBadLine ??= st.ringLine[first];
  }
}
