/**
 * Strict verification of an audit log: streamed (linear time, bounded memory), every line must be the canonical
 * bytes of a record, the hash chain must hold across one or more files, checkpoints must be signed (with a public
 * key), and an off-host anchor shows a cut tail. See docs/audit-log.md for the rules.
 */
import { createReadStream, readdirSync, statSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { basename, join } from "node:path";
import { AUDIT_SCHEMA, GENESIS_HASH, RECORD_MEMBERS, canonicalJson, sha256Hex } from "./canonical.js";
import { CHECKPOINT_ALG, loadPublicKey, signingInput, verifySignature } from "./signing.js";

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
  /** Highest `seq` sealed by a valid checkpoint. */
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
  /** Records this close to the end (or the anchor's last heartbeat) may be unsealed; the file's last checkpoint may be this much older than the anchor's. */
  maxGapMs?: number;
  /** The log is a host logger's output: lines that are not records are skipped and counted, records are checked by their own members. */
  loggerMode?: boolean;
  /** Longest accepted line (default 1 MiB): a longer one is rejected as soon as it is seen. */
  maxLineBytes?: number;
  /** Files that do not exist count as empty (used with an anchor, which then says whether records are missing). */
  missingAsEmpty?: boolean;
}

/** Default longest line. Records are a few hundred bytes; redaction bounds every free-text member. */
export const MAX_LINE_BYTES = 1 << 20;
/** Recent records kept to check checkpoints against (a remote signer seals a head some records back). */
const RING = 1 << 17;
const MEMBER_SET = new Set(RECORD_MEMBERS);
const HEX64 = /^[0-9a-f]{64}$/;

interface Rec {
  seq?: unknown;
  prevHash?: unknown;
  hash?: unknown;
  schema?: unknown;
  time?: unknown;
  event?: { action?: unknown };
  log?: { firstSeq?: unknown; records?: unknown; reason?: unknown; break?: unknown; breakBytes?: unknown };
  checkpoint?: { alg?: unknown; seq?: unknown; hash?: unknown; keyId?: unknown; prevSig?: unknown; sig?: unknown };
}

/** An audit record, or a line that was one (an edited `schema` must not turn a record into a skipped line). */
function looksLikeRecord(rec: unknown): rec is Rec {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return false;
  const r = rec as Rec;
  if (r.schema === AUDIT_SCHEMA) return true;
  if (typeof r.schema === "string" && r.schema.startsWith("acs-baseline.audit")) return true;
  return typeof r.hash === "string" && typeof r.prevHash === "string";
}

/** One line of input: its bytes (without the newline), or an overlong marker. */
interface Line {
  bytes: Buffer | undefined;
  terminated: boolean;
  overlong?: boolean;
}

/** Splits a byte stream into lines without ever holding more than one line (≤ maxLineBytes) plus one chunk. */
async function* linesOf(source: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let partLen = 0;
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      if (partLen + nl - start > maxLineBytes) {
        yield { bytes: undefined, terminated: true, overlong: true };
        return;
      }
      const piece = chunk.subarray(start, nl);
      const bytes = partLen === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      partLen = 0;
      yield { bytes, terminated: true };
      start = nl + 1;
    }
    if (start < chunk.length) {
      partLen += chunk.length - start;
      if (partLen > maxLineBytes) {
        yield { bytes: undefined, terminated: false, overlong: true };
        return;
      }
      parts.push(chunk.subarray(start));
    }
  }
  if (partLen > 0) yield { bytes: Buffer.concat(parts), terminated: false };
}

async function* toAsync(buf: Buffer): AsyncGenerator<Buffer> {
  await Promise.resolve();
  yield buf;
}

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
}

function parseTime(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

interface AnchorIndex {
  bySeq: Map<number, string>;
  maxSeq: number;
  maxSeqTime: number | undefined;
  lastTime: number | undefined;
  lines: number;
}

async function indexAnchor(lines: Iterable<string> | AsyncIterable<string>, key: KeyObject | undefined, warnings: string[]): Promise<AnchorIndex> {
  const index: AnchorIndex = { bySeq: new Map(), maxSeq: 0, maxSeqTime: undefined, lastTime: undefined, lines: 0 };
  let n = 0;
  let invalid = 0;
  for await (const raw of lines as AsyncIterable<string>) {
    n++;
    const line = raw.trim();
    if (line === "") continue;
    let rec: Rec;
    try {
      rec = JSON.parse(line) as Rec;
    } catch {
      invalid++;
      continue;
    }
    if (!looksLikeRecord(rec) || typeof rec.seq !== "number" || typeof rec.hash !== "string") {
      invalid++;
      continue;
    }
    const { hash: _h, ...own } = rec as Record<string, unknown>;
    if (sha256Hex(canonicalJson(pick(own))) !== rec.hash) {
      invalid++;
      continue;
    }
    const cp = rec.checkpoint;
    if (key !== undefined && rec.event?.action === "log.checkpoint") {
      if (cp === undefined || !checkpointSignatureValid(cp, key)) {
        invalid++;
        continue;
      }
    }
    index.lines++;
    index.bySeq.set(rec.seq, rec.hash);
    const t = parseTime(rec.time);
    if (rec.seq > index.maxSeq) {
      index.maxSeq = rec.seq;
      index.maxSeqTime = t;
    }
    if (t !== undefined && (index.lastTime === undefined || t > index.lastTime)) index.lastTime = t;
  }
  if (invalid > 0) warnings.push(`${invalid} of the anchor's ${n} lines are not valid audit lines${key !== undefined ? " (or carry an invalid signature)" : ""}; they were ignored`);
  return index;
}

function pick(rec: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const k of Object.keys(rec)) if (k !== "hash" && MEMBER_SET.has(k)) own[k] = rec[k];
  return own;
}

function checkpointSignatureValid(cp: NonNullable<Rec["checkpoint"]>, key: KeyObject): boolean {
  if (cp.alg !== CHECKPOINT_ALG || typeof cp.seq !== "number" || typeof cp.hash !== "string" || typeof cp.keyId !== "string" || typeof cp.prevSig !== "string" || typeof cp.sig !== "string") {
    return false;
  }
  const data = signingInput({ seq: cp.seq, hash: cp.hash, keyId: cp.keyId, prevSig: cp.prevSig });
  return verifySignature(key, data, Buffer.from(cp.sig, "base64url"));
}

function fmtMs(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The streaming verifier: one instance per run, fed line by line. */
class Verifier {
  readonly result: VerifyLogResult = { status: "intact", intact: true, records: 0, checkpoints: 0, closed: false, reasons: [], otherLines: 0, warnings: [] };
  private prev: { seq: number; hash: string; line: number } | undefined;
  private lastAction: unknown;
  private file: string | undefined;
  private lineNo = 0;
  /** Non-record lines since the last record (strict mode): where they start, their bytes, whether the last was torn. */
  private gap: { line: number; bytes: number; lines: number; torn: boolean; json: boolean } | undefined;
  private readonly ringSeq = new Float64Array(RING).fill(-1);
  private readonly ringHash: string[] = new Array<string>(RING);
  private readonly ringTime = new Float64Array(RING);
  private readonly ringLine = new Float64Array(RING);
  private readonly ringCheckpoint = new Uint8Array(RING);
  private lastSig: string | undefined = "";
  private openSinceCheckpoint = false;
  private lastCheckpointTime: number | undefined;
  private lastRecordTime: number | undefined;
  private lastClose: { seq: number; line: number; file: string | undefined } | undefined;
  private pendingMissing: { from: number; to: number } | undefined;
  private laterSeqs: Set<number> | undefined;
  private startedMidChain = false;
  private incompleteReasons: string[] = [];
  private unanchored: { from: number; to: number; count: number } | undefined;

  constructor(
    private readonly options: VerifyLogOptions,
    private readonly key: KeyObject | undefined,
    private readonly anchor: AnchorIndex | undefined,
    private readonly multi: boolean,
  ) {}

  startFile(file: string): void {
    this.file = this.multi ? file : undefined;
    this.lineNo = 0;
  }

  private where(line = this.lineNo): string {
    return this.file !== undefined ? `${basename(this.file)}:${line}` : `line ${line}`;
  }

  private fail(kind: AuditLogProblemKind, message: string, seq?: number, line = this.lineNo): void {
    const r = this.result;
    r.status = "tampered";
    r.intact = false;
    r.problem = { line, ...(this.file !== undefined ? { file: this.file } : {}), ...(seq === undefined ? {} : { seq }), kind, message };
    r.firstBadLine = line;
  }

  get stopped(): boolean {
    return this.result.problem !== undefined;
  }

  /** Returns false to stop reading. */
  feed(l: Line): boolean {
    this.lineNo++;
    const r = this.result;
    if (l.overlong === true || l.bytes === undefined) {
      if (!this.stopped) this.fail("overlong", `a line longer than ${this.options.maxLineBytes ?? MAX_LINE_BYTES} bytes: no audit record is that long; rejected without reading further`);
      return false;
    }
    let bytes = l.bytes;
    if (this.lineNo === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      if (!this.options.loggerMode && !this.stopped) {
        this.fail("noncanonical", "the file starts with a byte order mark: it was re-saved by an editor");
        return true;
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
      if (this.stopped) return true;
      if (this.options.loggerMode === true) {
        r.otherLines++;
        return true;
      }
      const g = (this.gap ??= { line: this.lineNo, bytes: 0, lines: 0, torn: false, json: false });
      g.bytes += bytes.length + (l.terminated ? 1 : 0);
      g.lines++;
      g.torn = !l.terminated;
      g.json ||= json;
      return true;
    }
    const seq = typeof rec.seq === "number" && Number.isInteger(rec.seq) ? rec.seq : undefined;
    if (this.stopped) {
      if (seq !== undefined && this.pendingMissing !== undefined && seq >= this.pendingMissing.from && seq <= this.pendingMissing.to) this.laterSeqs?.add(seq);
      return true;
    }
    if (!utf8) {
      this.fail("noncanonical", "the line is not valid UTF-8: its bytes were re-encoded", seq);
      return true;
    }
    if (typeof rec.hash !== "string") {
      this.fail("unchained", "the record has no hash (written with chain: false?): the log cannot be verified", seq);
      return true;
    }
    if (seq === undefined || typeof rec.prevHash !== "string" || !HEX64.test(rec.hash)) {
      this.fail("malformed", "the record has no valid seq, prevHash or hash", seq);
      return true;
    }
    // The record's own members, and its canonical bytes.
    const recObj = rec as Record<string, unknown>;
    const own: Record<string, unknown> = {};
    let extra: string | undefined;
    for (const k of Object.keys(recObj)) {
      if (k === "hash") continue;
      if (MEMBER_SET.has(k)) own[k] = recObj[k];
      else extra ??= k;
    }
    const canon = canonicalJson(own);
    if (sha256Hex(canon) !== rec.hash) {
      this.fail("edited", "the record's content does not match its hash: it was edited (or forged)", seq);
      return true;
    }
    if (this.options.loggerMode !== true) {
      if (extra !== undefined) {
        this.fail("noncanonical", `the record has a member that is not part of a record (${JSON.stringify(extra.slice(0, 40))}): it was added after the record was written`, seq);
        return true;
      }
      if (text !== `${canon.slice(0, -1)},"hash":"${rec.hash}"}`) {
        this.fail("noncanonical", "the line is not the record's canonical form (re-encoded bytes, white space, escapes or duplicate members): it was rewritten", seq);
        return true;
      }
    }
    const action = rec.event?.action;
    // Lines between the previous record and this one (strict mode) must be a break the writer named.
    if (this.gap !== undefined) {
      const g = this.gap;
      this.gap = undefined;
      const log = rec.log;
      const named = action === "log.open" && log?.reason === "break" && (log.break === "torn" || log.break === "foreign") && log.breakBytes === g.bytes;
      if (!named) {
        this.fail(g.json ? "inserted" : "malformed", `${this.where(g.line)}${g.lines > 1 ? ` (and ${g.lines - 1} more)` : ""} is not an audit record and no writer named it: it was inserted or edited`, undefined, g.line);
        return true;
      }
      r.warnings.push(
        `${this.where(g.line)}: ${g.lines} ${log.break === "torn" ? "torn line (a writer was killed mid-write)" : "line(s) that are not records"} (${g.bytes} bytes); the next writer named the break in log.open at ${this.where()} and the chain continues`,
      );
    }
    // The chain.
    if (this.prev === undefined) {
      if (!(seq === 1 && rec.prevHash === GENESIS_HASH)) {
        if (action === "log.open") {
          this.startedMidChain = true;
          r.warnings.push(
            rec.log?.reason === "truncated"
              ? `the log starts at seq ${seq} with a log.open saying the file was truncated in place (copytruncate): the records before it are in the copy, if anywhere; copytruncate is not supported, rotate by renaming and reopen()`
              : `the log starts at seq ${seq} with a log.open (${typeof rec.log?.reason === "string" ? rec.log.reason : "?"}): it continues an earlier file that was not given, so the records before it are not verified`,
          );
        } else {
          this.fail("removed", `the log starts at seq ${seq}, not at seq 1: the records before it were removed, or the file was truncated in place (copytruncate is not supported: rotate by renaming and call reopen())`, seq);
          return true;
        }
      }
    } else {
      const expected = this.prev.seq + 1;
      if (action === "log.open" && seq === 1 && rec.prevHash === GENESIS_HASH && this.lastWasBreak) {
        r.warnings.push(`a new chain starts at ${this.where()} (log.open after lines the writer could not link to a record)`);
      } else if (seq !== expected || rec.prevHash !== this.prev.hash) {
        const ring = seq >= 1 && seq <= this.prev.seq ? this.ringIndex(seq) : -1;
        if (ring >= 0) {
          this.fail("inserted", `seq ${seq} already appeared at line ${this.ringLine[ring]}: a record was inserted or replayed`, seq);
        } else if (seq < expected) {
          this.fail("reordered", `seq ${seq} comes after seq ${this.prev.seq} (line ${this.prev.line}): records were reordered`, seq);
        } else if (seq > expected) {
          const truncated = action === "log.open" && rec.log?.reason === "truncated";
          this.fail(
            "removed",
            truncated
              ? `expected seq ${expected} after line ${this.prev.line}, found seq ${seq} in a log.open saying the file was truncated in place: records ${expected}–${seq - 1} were lost by copytruncate (not supported: rotate by renaming and call reopen())`
              : `expected seq ${expected} after line ${this.prev.line}, found seq ${seq}: records ${expected}${seq - 1 > expected ? `–${seq - 1}` : ""} were removed`,
            seq,
          );
          this.pendingMissing = { from: expected, to: seq - 1 };
          this.laterSeqs = new Set();
        } else {
          this.fail("inserted", `prevHash does not match the hash of seq ${this.prev.seq} (line ${this.prev.line}): a record was inserted or replaced before this one`, seq);
        }
        return true;
      }
    }
    this.lastWasBreak = false;
    const log = rec.log;
    if (action === "log.close" && log !== undefined) {
      if (typeof log.firstSeq !== "number" || typeof log.records !== "number" || seq - log.firstSeq !== log.records) {
        this.fail("malformed", "log.close does not count the records its writer wrote", seq);
        return true;
      }
    }
    if (this.anchor !== undefined) {
      const anchored = this.anchor.bySeq.get(seq);
      if (anchored !== undefined && anchored !== rec.hash) {
        this.fail("anchor", `seq ${seq} differs from the anchor's copy: the record was edited (and the chain recomputed)`, seq);
        return true;
      }
    }
    const time = parseTime(rec.time);
    if (action === "log.checkpoint") {
      if (!this.checkpoint(rec, seq, time)) return true;
    } else if (action === "log.open") {
      this.openSinceCheckpoint = true;
    }
    if (action === "log.close") this.lastClose = { seq, line: this.lineNo, file: this.file };
    const idx = seq % RING;
    this.ringSeq[idx] = seq;
    this.ringHash[idx] = rec.hash;
    this.ringTime[idx] = time ?? NaN;
    this.ringLine[idx] = this.lineNo;
    this.ringCheckpoint[idx] = action === "log.checkpoint" ? 1 : 0;
    this.prev = { seq, hash: rec.hash, line: this.lineNo };
    r.records++;
    r.firstSeq ??= seq;
    r.lastSeq = seq;
    r.lastHash = rec.hash;
    if (time !== undefined) this.lastRecordTime = time;
    // What the closing anchor reports after log.close (sealed by one more checkpoint) does not reopen the log.
    const anchorReportAfterClose = this.lastAction === "log.close" && (action === "anchor.failure" || action === "anchor.recovered");
    if (action !== "log.checkpoint" && !anchorReportAfterClose) this.lastAction = action;
    return true;
  }

  private lastWasBreak = false;

  private ringIndex(seq: number): number {
    const i = seq % RING;
    return this.ringSeq[i] === seq ? i : -1;
  }

  /** Checks a checkpoint; false when it made the log tampered. */
  private checkpoint(rec: Rec, seq: number, time: number | undefined): boolean {
    const cp = rec.checkpoint;
    if (cp === undefined || typeof cp.seq !== "number" || typeof cp.hash !== "string" || cp.seq >= seq) {
      this.fail("forged", "a log.checkpoint without a valid head (seq, hash)", seq);
      return false;
    }
    const i = this.ringIndex(cp.seq);
    if (i >= 0) {
      if (this.ringHash[i] !== cp.hash) {
        this.fail("forged", `the checkpoint seals seq ${cp.seq} with a hash the log does not have at that seq: the records were rewritten (and rechained) after it was signed`, seq);
        return false;
      }
    } else if (!(this.startedMidChain && this.result.firstSeq !== undefined && cp.seq < this.result.firstSeq)) {
      this.fail("forged", `the checkpoint seals seq ${cp.seq}, which is not among the records before it`, seq);
      return false;
    }
    if (this.key !== undefined) {
      if (typeof cp.sig !== "string") {
        this.fail("forged", "an unsigned checkpoint where signed ones are required (--public-key): it was forged or the writer had no key", seq);
        return false;
      }
      if (!checkpointSignatureValid(cp, this.key)) {
        this.fail("forged", "the checkpoint's signature is invalid (forged, or signed with another key than the one given)", seq);
        return false;
      }
      const prevOk = this.lastSig === undefined || cp.prevSig === this.lastSig || (cp.prevSig === "" && this.openSinceCheckpoint) || (this.result.checkpoints === 0 && this.startedMidChain);
      if (!prevOk) {
        this.fail("forged", "the checkpoint's prevSig is not the previous checkpoint's signature: a checkpoint was removed or replaced", seq);
        return false;
      }
    }
    this.lastSig = typeof cp.sig === "string" ? cp.sig : this.lastSig;
    this.openSinceCheckpoint = false;
    this.result.checkpoints++;
    this.result.sealedSeq = Math.max(this.result.sealedSeq ?? 0, cp.seq);
    if (time !== undefined) this.lastCheckpointTime = time;
    if (this.anchor !== undefined && !this.anchor.bySeq.has(seq)) {
      const u = (this.unanchored ??= { from: seq, to: seq, count: 0 });
      u.to = seq;
      u.count++;
    }
    return true;
  }

  endFile(): void {
    // nothing per file: the chain continues into the next one
  }

  finish(): VerifyLogResult {
    const r = this.result;
    if (r.problem !== undefined) {
      if (this.pendingMissing !== undefined && this.laterSeqs !== undefined) {
        for (let s = this.pendingMissing.from; s <= this.pendingMissing.to; s++) {
          if (this.laterSeqs.has(s)) {
            r.problem.kind = "reordered";
            r.problem.message = `expected seq ${this.pendingMissing.from} after line ${this.prev?.line ?? 0}, found seq ${r.problem.seq ?? "?"}; seq ${s} appears later: records were reordered`;
            break;
          }
        }
      }
      r.reasons.unshift(`${this.where(r.problem.line).replace(/^line/, "line")}${r.problem.seq !== undefined ? ` (seq ${r.problem.seq})` : ""}: ${r.problem.kind}: ${r.problem.message}`);
      return r;
    }
    if (this.gap !== undefined) {
      const g = this.gap;
      if (g.torn && g.lines === 1) {
        r.truncatedTail = { line: g.line, bytes: g.bytes };
        r.warnings.push(`${this.where(g.line)} is a torn partial record (${g.bytes} bytes): the writer was killed mid-write; the ${r.records} records before it are intact`);
      } else {
        this.fail(g.json ? "inserted" : "malformed", `${this.where(g.line)}: the last line${g.lines > 1 ? "s are" : " is"} not a record but complete: a crash never leaves that; it was edited or appended`, undefined, g.line);
        return this.finish();
      }
    }
    r.closed = this.lastAction === "log.close";
    const key = this.key;
    const maxGap = this.options.maxGapMs;
    const anchor = this.anchor;
    const end = Math.max(this.lastRecordTime ?? -Infinity, anchor?.lastTime ?? -Infinity);
    if (anchor !== undefined && anchor.lines > 0) {
      if (r.records === 0) {
        this.incompleteReasons.push(`the file holds no records, but the anchor holds ${anchor.lines} lines up to seq ${anchor.maxSeq}: the log was emptied or removed`);
      } else if (anchor.maxSeq > (r.lastSeq ?? 0)) {
        this.incompleteReasons.push(
          `cut tail: the anchor holds seq ${anchor.maxSeq}${anchor.maxSeqTime !== undefined ? ` (${new Date(anchor.maxSeqTime).toISOString()})` : ""}, the file ends at seq ${r.lastSeq ?? 0}: records were removed from the end`,
        );
      }
      if (maxGap !== undefined && anchor.lastTime !== undefined) {
        const last = this.lastCheckpointTime ?? this.lastRecordTime;
        if (last === undefined || anchor.lastTime - last > maxGap) {
          this.incompleteReasons.push(
            `the file's last checkpoint is ${last === undefined ? "missing" : `${fmtMs(anchor.lastTime - last)} older than the anchor's last heartbeat`}, more than --max-gap ${fmtMs(maxGap)}: the tail was cut`,
          );
        }
      }
      if (this.unanchored !== undefined) {
        const u = this.unanchored;
        if (u.from <= anchor.maxSeq) r.warnings.push(`unanchored stretch: ${u.count} checkpoint(s) between seq ${u.from} and ${Math.min(u.to, anchor.maxSeq)} are not in the anchor (see the anchor.failure records)`);
        else r.warnings.push(`${u.count} checkpoint(s) after the anchor's last line (seq ${anchor.maxSeq}) are not anchored yet`);
      }
    }
    if (key !== undefined) {
      if (r.checkpoints === 0) {
        this.incompleteReasons.push("no valid checkpoint: with --public-key a log must carry at least one signed checkpoint (an empty file proves nothing)");
      }
      const sealed = r.sealedSeq ?? 0;
      if (this.lastClose !== undefined && this.lastClose.seq > sealed) {
        this.incompleteReasons.push(`log.close at ${this.lastClose.file !== undefined ? `${basename(this.lastClose.file)}:` : "line "}${this.lastClose.line} (seq ${this.lastClose.seq}) is not sealed by a checkpoint: it was forged, or the final checkpoint was removed`);
        r.firstBadLine ??= this.lastClose.line;
      }
      if (r.lastSeq !== undefined && r.lastSeq > sealed) {
        // the first record after the last seal that is not itself a checkpoint
        let first = -1;
        for (let s = Math.max(sealed + 1, r.lastSeq - RING + 1); s <= r.lastSeq; s++) {
          const i = this.ringIndex(s);
          if (i >= 0 && this.ringCheckpoint[i] === 0) {
            first = i;
            break;
          }
        }
        if (first >= 0 || r.lastSeq - sealed > RING) {
          const firstSeq = first >= 0 ? this.ringSeq[first] : sealed + 1;
          const t = first >= 0 ? this.ringTime[first] : NaN;
          const count = r.lastSeq - firstSeq + 1;
          const within = maxGap !== undefined && Number.isFinite(t) && end - t <= maxGap;
          const msg = `${count} record(s) from seq ${firstSeq}${first >= 0 ? ` (${this.where(this.ringLine[first])})` : ""} on are unsealed: no valid checkpoint after them`;
          if (within) r.warnings.push(`${msg}; within --max-gap ${fmtMs(maxGap)} of the end, so the writer may still be running or was killed`);
          else {
            this.incompleteReasons.push(`${msg}${maxGap !== undefined ? `, and older than --max-gap ${fmtMs(maxGap)} before the end` : ""}: the tail may have been cut or replaced`);
            if (first >= 0) r.firstBadLine ??= this.ringLine[first];
          }
        }
      }
    } else if (r.checkpoints > 0) {
      r.warnings.push(`${r.checkpoints} checkpoint(s) found; their signatures were not checked (give --public-key)`);
    }
    if (r.records === 0 && key === undefined && anchor === undefined) r.warnings.push("the file holds no audit records");
    else if (r.records > 0 && !r.closed && key === undefined) {
      r.warnings.push(
        `the log does not end with log.close: whatever the writer recorded after seq ${r.lastSeq} cannot be vouched for (the process ended without close(), crashed or was killed, or the file was truncated)`,
      );
    }
    if (this.incompleteReasons.length > 0) {
      r.status = "incomplete";
      r.intact = false;
      r.reasons.push(...this.incompleteReasons);
    }
    return r;
  }

  /** Marks that a break (non-record lines) precedes the next record. */
  noteBreak(): void {
    this.lastWasBreak = true;
  }

  get hasGap(): boolean {
    return this.gap !== undefined;
  }
}

/** Rotation order for the files of a directory: `x.log.3`, `x.log.2`, `x.log.1`, `x.log` (oldest first); lock files skipped. */
export function logFilesOf(dir: string): string[] {
  const names = readdirSync(dir).filter((n) => !n.endsWith(".lock") && statSync(join(dir, n)).isFile());
  const parse = (n: string): { base: string; n: number } => {
    const m = /^(.*)\.(\d+)$/.exec(n);
    return m !== null ? { base: m[1], n: Number(m[2]) } : { base: n, n: 0 };
  };
  return names
    .map((n) => ({ name: n, ...parse(n) }))
    .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : b.n - a.n))
    .map((x) => join(dir, x.name));
}

async function run(sources: { name: string; chunks: () => AsyncIterable<Buffer> | undefined }[], options: VerifyLogOptions): Promise<VerifyLogResult> {
  const key = options.publicKey === undefined ? undefined : typeof options.publicKey === "string" ? loadPublicKey(options.publicKey) : options.publicKey;
  const warnings: string[] = [];
  const anchor = options.anchorLines !== undefined ? await indexAnchor(options.anchorLines, key, warnings) : undefined;
  const v = new Verifier(options, key, anchor, sources.length > 1);
  v.result.warnings.push(...warnings);
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  outer: for (const src of sources) {
    v.startFile(src.name);
    const chunks = src.chunks();
    if (chunks === undefined) {
      v.result.warnings.push(`${src.name} does not exist (counted as empty)`);
      continue;
    }
    for await (const line of linesOf(chunks, max)) {
      const gapBefore = v.hasGap;
      if (!v.feed(line)) break outer;
      if (!gapBefore && v.hasGap) v.noteBreak();
    }
    v.endFile();
  }
  return v.finish();
}

/**
 * Verifies the audit log in `path` — or several files, or a directory of rotated files, as one chain in order — (see
 * docs/audit-log.md for the rules).
 *
 * @remarks
 * Throws the file system error when a file cannot be read (unless `missingAsEmpty`). Time is linear in the size and
 * memory bounded (one line at a time, at most `maxLineBytes`).
 * @public
 */
export async function verifyLog(path: string | readonly string[], options: VerifyLogOptions = {}): Promise<VerifyLogResult> {
  const files: string[] = [];
  for (const p of typeof path === "string" ? [path] : path) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || options.missingAsEmpty !== true) throw e;
    }
    if (dir) {
      const inDir = logFilesOf(p);
      if (inDir.length === 0) throw Object.assign(new Error(`no log files in ${p}`), { code: "ENOFILES" });
      files.push(...inDir);
    } else files.push(p);
  }
  // Fail on unreadable files before any output (a missing file is an error unless missingAsEmpty).
  const sources = files.map((f) => {
    let exists = true;
    try {
      statSync(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || options.missingAsEmpty !== true) throw e;
      exists = false;
    }
    return { name: f, chunks: () => (exists ? fileChunks(f) : undefined) };
  });
  return run(sources, options);
}

/**
 * {@link verifyLog} over text already in memory.
 * @public
 */
export async function verifyLogText(text: string, options: VerifyLogOptions = {}): Promise<VerifyLogResult> {
  return run(
    [
      {
        name: "<text>",
        chunks: () => toAsync(Buffer.from(text, "utf8")),
      },
    ],
    options,
  );
}
