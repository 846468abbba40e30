/**
 * The line-by-line checks: every line must be a record in its canonical form, linked to the one before it (or a
 * break its writer named), and consistent with the anchor's copy.
 */
import { isUtf8 } from "node:buffer";
import { GENESIS_HASH, MAX_RECORD_DEPTH, RECORD_MEMBERS, canonicalJson, sha256Hex } from "../record/canonical.js";
import { checkCheckpoint, endChain, noteRecordTime, parkSegmentGap } from "./checkpoints.js";
import type { Line } from "./lineReader.js";
import { MAX_LINE_BYTES } from "./lineReader.js";
import type { Rec } from "./recordShape.js";
import { HEX64, looksLikeRecord, parseTime } from "./recordShape.js";
import type { VerifierState } from "./verifierState.js";
import { RING } from "./verifierState.js";
import { genesisBreakProblem, replayProblem } from "./restart.js";

const MEMBER_SET = new Set(RECORD_MEMBERS);

/** A line that parsed as a record, with its text. */
interface Parsed {
  rec: Rec & { hash: string; prevHash: string };
  seq: number;
  text: string;
}

/** Checks one line; returns false to stop reading. */
export function feedLine(st: VerifierState, l: Line): boolean {
  st.lineNo++;
  st.lineStart = st.nextLineStart;
  st.nextLineStart += (l.bytes?.length ?? 0) + (l.terminated ? 1 : 0);
  if (l.overlong === true || l.bytes === undefined) {
    if (!st.stopped)
      st.fail(
        "overlong",
        `a line longer than ${st.options.maxLineBytes ?? MAX_LINE_BYTES} bytes: no audit record is that long; rejected without reading further`,
      );
    return false;
  }
  const parsed = parseLine(st, l, l.bytes);
  if (parsed === undefined) return true;
  if (!checkBytes(st, parsed) || !checkGap(st, parsed) || !checkLink(st, parsed)) return true;
  accept(st, parsed);
  return true;
}

/** The record on a line; undefined when the line is not one (counted as a gap or another line) or the log failed. */
function parseLine(st: VerifierState, l: Line, raw: Buffer): Parsed | undefined {
  let bytes = raw;
  if (st.lineNo === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    if (!st.options.loggerMode && !st.stopped) {
      st.fail("noncanonical", "the file starts with a byte order mark: it was re-saved by an editor");
      return undefined;
    }
    bytes = bytes.subarray(3);
  }
  const utf8 = isUtf8(bytes);
  const text = bytes.toString("utf8");
  let rec: Rec | undefined;
  let json = true;
  try {
    rec = JSON.parse(text) as Rec;
  } catch {
    json = false;
  }
  if (rec === undefined || !looksLikeRecord(rec)) {
    noteOtherLine(st, l, bytes.length, json);
    return undefined;
  }
  const seq = typeof rec.seq === "number" && Number.isInteger(rec.seq) ? rec.seq : undefined;
  if (st.stopped) {
    if (
      seq !== undefined &&
      st.pendingMissing !== undefined &&
      seq >= st.pendingMissing.from &&
      seq <= st.pendingMissing.to
    )
      st.laterSeqs?.add(seq);
    return undefined;
  }
  if (!utf8) {
    st.fail("noncanonical", "the line is not valid UTF-8: its bytes were re-encoded", seq);
    return undefined;
  }
  if (seq === undefined || typeof rec.prevHash !== "string" || typeof rec.hash !== "string" || !HEX64.test(rec.hash)) {
    // a line too deep is named for what it is, before its missing members (checked only on this failure path)
    if (tooDeep(rec))
      st.fail("malformed", `the line is nested deeper than ${MAX_RECORD_DEPTH} levels: it is not an audit record`, seq);
    else if (typeof rec.hash !== "string")
      st.fail("unchained", "the record has no hash (written with chain: false?): the log cannot be verified", seq);
    else st.fail("malformed", "the record has no valid seq, prevHash or hash", seq);
    return undefined;
  }
  return { rec: rec as Parsed["rec"], seq, text };
}

/** True when `rec` is nested deeper than {@link MAX_RECORD_DEPTH} levels (canonicalisation stops at the limit: never a deep recursion). */
function tooDeep(rec: Rec): boolean {
  try {
    canonicalJson(rec);
    return false;
  } catch {
    return true;
  }
}

/** A line that is not a record: another line in logger mode, else part of a gap the next record must explain. */
function noteOtherLine(st: VerifierState, l: Line, length: number, json: boolean): void {
  if (st.stopped) return;
  if (st.options.loggerMode === true) {
    st.result.otherLines++;
    return;
  }
  const g = (st.gap ??= { line: st.lineNo, bytes: 0, lines: 0, torn: false, json: false });
  g.bytes += length + (l.terminated ? 1 : 0);
  g.lines++;
  g.torn = !l.terminated;
  g.json ||= json;
}

/** The record's own members must hash to its `hash`, and (strict mode) the line must be their canonical form. */
function checkBytes(st: VerifierState, { rec, seq, text }: Parsed): boolean {
  const recObj = rec as unknown as Record<string, unknown>;
  const own: Record<string, unknown> = {};
  let extra: string | undefined;
  for (const k of Object.keys(recObj)) {
    if (k === "hash") continue;
    if (MEMBER_SET.has(k)) own[k] = recObj[k];
    else extra ??= k;
  }
  let canon: string;
  try {
    canon = canonicalJson(own);
  } catch {
    st.fail("malformed", `the line is nested deeper than ${MAX_RECORD_DEPTH} levels: it is not an audit record`, seq);
    return false;
  }
  if (sha256Hex(canon) !== rec.hash) {
    st.fail("edited", "the record's content does not match its hash: it was edited (or forged)", seq);
    return false;
  }
  if (st.options.loggerMode === true) return true;
  if (extra !== undefined) {
    st.fail(
      "noncanonical",
      `the record has a member that is not part of a record (${JSON.stringify(extra.slice(0, 40))}): it was added after the record was written`,
      seq,
    );
    return false;
  }
  if (text !== `${canon.slice(0, -1)},"hash":"${rec.hash}"}`) {
    st.fail(
      "noncanonical",
      "the line is not the record's canonical form (re-encoded bytes, white space, escapes or duplicate members): it was rewritten",
      seq,
    );
    return false;
  }
  return true;
}

/** Lines between the previous record and this one (strict mode) must be a break the writer named. */
function checkGap(st: VerifierState, { rec }: Parsed): boolean {
  if (st.gap === undefined) return true;
  const g = st.gap;
  st.gap = undefined;
  const log = rec.log;
  const breakOpen =
    rec.event?.action === "log.open" && log?.reason === "break" && (log.break === "torn" || log.break === "foreign");
  if (breakOpen && rec.seq === 1 && rec.prevHash === GENESIS_HASH) {
    // a new chain: its writer named every byte before it in its file (see restart.ts)
    const problem = genesisBreakProblem(st, log.breakBytes, g.bytes);
    if (problem !== undefined) {
      st.fail("inserted", problem, 1);
      return false;
    }
  } else if (!breakOpen || log.breakBytes !== g.bytes) {
    st.fail(
      g.json ? "inserted" : "malformed",
      `${g.lines > 1 ? `this line and the ${g.lines - 1} after it are` : "this line is"} not an audit record and no writer named it: it was inserted or edited`,
      undefined,
      g.line,
    );
    return false;
  }
  st.result.warnings.push(
    `${st.where(g.line)}: ${g.lines} ${log.break === "torn" ? "torn line (a writer was killed mid-write)" : "line(s) that are not records"} (${g.bytes} bytes); the next writer named the break in log.open at ${st.where()} and the chain continues`,
  );
  return true;
}

/** The record must follow the previous one (seq + 1, prevHash), or start the log (seq 1, or a log.open). */
function checkLink(st: VerifierState, { rec, seq }: Parsed): boolean {
  const action = rec.event?.action;
  if (st.prev === undefined) return checkFirst(st, rec, seq);
  const expected = st.prev.seq + 1;
  if (action === "log.open" && seq === 1 && rec.prevHash === GENESIS_HASH && st.lastWasBreak) {
    st.result.warnings.push(
      `a new chain starts at ${st.where()} (log.open after lines the writer could not link to a record)`,
    );
    endChain(st, st.prev);
    return true;
  }
  if (seq === expected && rec.prevHash === st.prev.hash) return true;
  if (seq > expected && action === "log.open" && namesAnchorAhead(rec, st.prev, seq)) {
    const anchored = st.anchorLog()?.bySeq.get(seq - 1);
    if (anchored !== undefined && anchored !== rec.prevHash) {
      st.fail("anchor", `the log.open names the anchor's seq ${seq - 1} with a hash the anchor does not have`, seq);
      return false;
    }
    st.incompleteReasons.push(
      `records ${expected}–${seq - 1} are missing from the file: when the writer started again (log.open at ${st.where()}), the anchor held seq ${seq - 1} and the file ended at seq ${st.prev.seq} (${st.where(st.prev.line)}); the file was cut, and the writer continued after the anchor's head`,
    );
    return true;
  }
  const ring = seq >= 1 && seq <= st.prev.seq ? st.ringIndex(seq) : -1;
  if (ring >= 0) {
    st.fail(
      "inserted",
      `seq ${seq} already appeared at line ${st.ringLine[ring]}: a record was inserted or replayed`,
      seq,
    );
  } else if (seq < expected) {
    st.fail(
      "reordered",
      `seq ${seq} comes after seq ${st.prev.seq} (line ${st.prev.line}): records were reordered`,
      seq,
    );
  } else if (seq > expected) {
    const truncated = action === "log.open" && rec.log?.reason === "truncated";
    st.fail(
      "removed",
      truncated
        ? `expected seq ${expected} after line ${st.prev.line}, found seq ${seq} in a log.open saying the file was truncated in place: records ${expected}–${seq - 1} were lost by copytruncate (not supported: rotate by renaming and call reopen())`
        : `expected seq ${expected} after line ${st.prev.line}, found seq ${seq}: records ${expected}${seq - 1 > expected ? `–${seq - 1}` : ""} were removed`,
      seq,
    );
    st.pendingMissing = { from: expected, to: seq - 1 };
    st.laterSeqs = new Set();
  } else {
    st.fail(
      "inserted",
      `prevHash does not match the hash of seq ${st.prev.seq} (line ${st.prev.line}): a record was inserted or replaced before this one`,
      seq,
    );
  }
  return false;
}

/** A `log.open` that names the break between the file's end (the previous record) and the anchor's head. */
function namesAnchorAhead(rec: Parsed["rec"], prev: { seq: number; hash: string }, seq: number): boolean {
  const a = rec.log?.anchor;
  const f = rec.log?.fileEnd;
  return a?.seq === seq - 1 && a.hash === rec.prevHash && f?.seq === prev.seq && f.hash === prev.hash;
}

/** The `log.open` reasons that begin a file of their own: a rotation or a reopen (the earlier file is another file). */
const NEW_FILE_REASONS = new Set<unknown>(["rotate", "reopen"]);

/** Why a file that starts with this `log.open` lost its head, or undefined when such a log.open begins a file. */
function lostHead(rec: Parsed["rec"], seq: number, loggerMode: boolean): string | undefined {
  const reason = rec.log?.reason;
  if (NEW_FILE_REASONS.has(reason) || loggerMode) return undefined;
  const before = `records 1${seq > 2 ? `–${seq - 1}` : ""}`;
  if (reason === "truncated")
    return `the log starts at seq ${seq} with a log.open saying the file was truncated in place: ${before} were emptied out of this file (or copied by copytruncate, which is not supported: give the copy first; rotate by renaming and call reopen())`;
  // restart, anchor-ahead and break are written after records of the same file (the tail the writer continued).
  return `the log starts at seq ${seq} with a log.open (${typeof reason === "string" ? reason.slice(0, 20) : "?"}) that a writer only writes after records already in the file: ${before} were removed from its head`;
}

/** The first record: seq 1 after the genesis hash, or a log.open continuing a file that was not given. */
function checkFirst(st: VerifierState, rec: Parsed["rec"], seq: number): boolean {
  if (seq === 1 && rec.prevHash === GENESIS_HASH) return true;
  if (rec.event?.action !== "log.open") {
    st.fail(
      "removed",
      `the log starts at seq ${seq}, not at seq 1: the records before it were removed, or the file was truncated in place (copytruncate is not supported: rotate by renaming and call reopen())`,
      seq,
    );
    return false;
  }
  const lost = lostHead(rec, seq, st.options.loggerMode === true);
  if (lost !== undefined) {
    st.fail("removed", lost, seq);
    return false;
  }
  st.startedMidChain = true;
  st.result.warnings.push(
    `the log starts at seq ${seq} with a log.open (${typeof rec.log?.reason === "string" ? rec.log.reason.slice(0, 20) : "?"}): it continues an earlier file that was not given, so the records before it are not verified`,
  );
  return true;
}

/** What the closing anchor may still report after the final checkpoint (sealed by one more checkpoint). */
const AFTER_CLOSE = new Set<unknown>(["log.checkpoint", "anchor.failure", "anchor.recovered"]);

/**
 * A `log.open` starts a segment: its log id (carried, never changed mid-chain) and its heartbeat interval (used once a
 * checkpoint seals it).
 */
function openSegment(st: VerifierState, rec: Parsed["rec"], seq: number): boolean {
  const log = rec.log;
  const id = log?.id;
  if (typeof id === "string") {
    if (st.logId !== undefined && id !== st.logId && !(seq === 1 && rec.prevHash === GENESIS_HASH)) {
      st.fail(
        "forged",
        `the log.open names another log id than the log's (${st.logId.slice(0, 12)}…): it does not belong to this log`,
        seq,
      );
      return false;
    }
    st.logId = id;
  }
  const heartbeatMs = typeof log?.heartbeatMs === "number" && log.heartbeatMs > 0 ? log.heartbeatMs : undefined;
  // Taken once a checkpoint seals this log.open (checkpoints.ts): an unsealed one cannot relax the max gap. The segment
  // before it ends: a gap its unsealed log.open left waiting is parked until a later checkpoint seals that log.open.
  parkSegmentGap(st);
  st.openPending = { seq, heartbeatMs };
  if (st.heartbeatMs === undefined && st.result.checkpoints === 0) st.heartbeatMs = heartbeatMs; // provisional
  st.openSinceCheckpoint = true;
  st.segmentBeat = undefined;
  st.aheadOpen = log?.anchor !== undefined;
  return true;
}

/** A linked record: its own rules (log.close counts, the anchor's copy, checkpoints), then it becomes the head. */
function accept(st: VerifierState, { rec, seq }: Parsed): void {
  const r = st.result;
  st.lastWasBreak = false;
  const action = rec.event?.action;
  const log = rec.log;
  if (action === "log.close" && log !== undefined) {
    if (typeof log.firstSeq !== "number" || typeof log.records !== "number" || seq - log.firstSeq !== log.records) {
      st.fail("malformed", "log.close does not count the records its writer wrote", seq);
      return;
    }
  }
  if (action === "log.open" && st.logId === undefined && typeof log?.id === "string") st.logId = log.id;
  if (st.anchor !== undefined) {
    const anchored = st.anchorLog()?.bySeq.get(seq);
    if (anchored !== undefined && anchored !== rec.hash) {
      st.fail(
        "anchor",
        `seq ${seq} differs from the anchor's copy: the record was edited (and the chain recomputed)`,
        seq,
      );
      return;
    }
  }
  if (st.sealedClose !== undefined && action !== "log.open" && !AFTER_CLOSE.has(action)) {
    st.fail(
      "inserted",
      `seq ${seq} follows the log's sealed log.close (${st.where(st.sealedClose.line)}): nothing may follow a log that was closed and sealed but a new segment's log.open`,
      seq,
    );
    return;
  }
  const replayed = replayProblem(st, seq, rec.hash, rec.prevHash);
  if (replayed !== undefined) {
    st.fail("inserted", replayed, seq);
    return;
  }
  const time = parseTime(rec.time);
  // A new segment: the time since the last one is downtime, not silence; its log.open's own time starts its gaps
  // (and a sealed close before it no longer stops the clock).
  if (action === "log.open") {
    st.segmentLatest.seq = -1;
    st.sealedClose = undefined;
  }
  if (time !== undefined) noteRecordTime(st, time, seq);
  if (action === "log.checkpoint") {
    if (!checkCheckpoint(st, rec, seq, time)) return;
  } else if (action === "log.open") {
    if (!openSegment(st, rec, seq)) return;
  }
  if (action === "log.close") st.lastClose = { seq, line: st.lineNo, file: st.file };
  const idx = seq % RING;
  st.ringSeq[idx] = seq;
  st.ringHash[idx] = rec.hash;
  st.ringTime[idx] = time ?? NaN;
  st.ringLine[idx] = st.lineNo;
  st.ringCheckpoint[idx] = action === "log.checkpoint" ? 1 : 0;
  st.prev = { seq, hash: rec.hash, line: st.lineNo, file: st.file, fileIndex: st.fileIndex, start: st.lineStart };
  r.records++;
  r.firstSeq ??= seq;
  r.lastSeq = seq;
  r.lastHash = rec.hash;
  if (time !== undefined) st.lastRecordTime = time;
  st.options.onRecord?.(rec as unknown as Readonly<Record<string, unknown>>);
  // What the closing anchor reports after log.close (sealed by one more checkpoint) does not reopen the log.
  const anchorReportAfterClose =
    st.lastAction === "log.close" && (action === "anchor.failure" || action === "anchor.recovered");
  if (action !== "log.checkpoint" && !anchorReportAfterClose) st.lastAction = action;
}
