/**
 * Verification of an audit log's hash chain: finds the first record that was edited, removed, inserted or
 * reordered, and tells a crash-truncated tail apart from tampering.
 */
import { createReadStream } from "node:fs";
import { AUDIT_SCHEMA, GENESIS_HASH, computeRecordHash } from "./canonical.js";

/**
 * What is wrong with the first bad record.
 * @public
 */
export type AuditLogProblemKind = "edited" | "removed" | "inserted" | "reordered" | "malformed" | "unchained";

/**
 * The first record that breaks the chain.
 * @public
 */
export interface AuditLogProblem {
  /** 1-based line number in the file. */
  line: number;
  /** The record's `seq`, when it has one. */
  seq?: number;
  /** Edited, removed, inserted, reordered, malformed or unchained. */
  kind: AuditLogProblemKind;
  /** What is wrong, in words. */
  message: string;
}

/**
 * Result of {@link verifyLog}.
 * @public
 */
export interface VerifyLogResult {
  /** True when no record was edited, removed, inserted or reordered (a crash-truncated tail is still intact). */
  intact: boolean;
  /** Records whose chain was verified (up to the first problem). */
  records: number;
  /** `seq` of the first verified record. */
  firstSeq?: number;
  /** `seq` of the last verified record. */
  lastSeq?: number;
  /** `hash` of the last verified record (anchor it elsewhere to detect removal of the tail). */
  lastHash?: string;
  /** True when the last record is `log.close`: the writer closed the log, nothing is missing at the end. */
  closed: boolean;
  /** The first bad record, when not intact. */
  problem?: AuditLogProblem;
  /** A torn last line (the writer died mid-write): its line number and length in bytes. */
  truncatedTail?: { line: number; bytes: number };
  /** Lines that are not audit records (e.g. your own logger's lines when records go through it). */
  otherLines: number;
  /** Things that do not break the chain but limit what can be vouched for. */
  warnings: string[];
}

interface Rec {
  seq?: unknown;
  prevHash?: unknown;
  hash?: unknown;
  schema?: unknown;
  event?: { action?: unknown };
  log?: { firstSeq?: unknown; records?: unknown };
}

/**
 * An audit record, or a line that was one: our schema, or the chain members of one (an edited `schema` must not turn a
 * record into a "foreign" line that is skipped).
 */
function looksLikeRecord(rec: unknown): rec is Rec {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return false;
  const r = rec as Rec;
  if (r.schema === AUDIT_SCHEMA) return true;
  if (typeof r.schema === "string" && r.schema.startsWith("acs-baseline.audit")) return true;
  return typeof r.hash === "string" && typeof r.prevHash === "string";
}

async function* lines(path: string): AsyncGenerator<{ text: string; terminated: boolean }> {
  let rest = "";
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      yield { text: text.slice(start, nl), terminated: true };
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield { text: rest, terminated: false };
}

/**
 * Verifies the hash chain of the audit log at `path` (see docs/audit-log.md for the rules).
 *
 * @remarks
 * Throws the file system error when the file cannot be read. The log must be verified from its first record
 * (`seq` 1, `prevHash` of 64 zeros).
 * @public
 */
export async function verifyLog(path: string): Promise<VerifyLogResult> {
  return verifyLines(lines(path));
}

/**
 * {@link verifyLog} over text already in memory.
 * @public
 */
export async function verifyLogText(text: string): Promise<VerifyLogResult> {
  function* split(): Generator<{ text: string; terminated: boolean }> {
    const parts = text.split("\n");
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      if (last && parts[i] === "") break;
      yield { text: parts[i], terminated: !last };
    }
  }
  return verifyLines(split());
}

async function verifyLines(
  source: AsyncIterable<{ text: string; terminated: boolean }> | Iterable<{ text: string; terminated: boolean }>,
): Promise<VerifyLogResult> {
  const result: VerifyLogResult = { intact: true, records: 0, closed: false, otherLines: 0, warnings: [] };
  let prev: { seq: number; hash: string; line: number } | undefined;
  let lastAction: unknown;
  let lineNo = 0;
  let torn: { line: number; bytes: number; terminated: boolean } | undefined;
  // line of each verified record, indexed by seq - 1 (the verified records are seq 1..n without gaps)
  const lineOfSeq: number[] = [];
  // After a problem, keep reading seq numbers only, to tell "removed" from "reordered".
  let pendingMissing: { from: number; to: number } | undefined;
  let laterSeqs: Set<number> | undefined;

  for await (const { text: raw, terminated } of source) {
    lineNo++;
    const text = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw; // a BOM added by an editor
    if (text.trim() === "") continue;
    let rec: Rec;
    try {
      rec = JSON.parse(text) as Rec;
    } catch {
      if (result.problem !== undefined) continue;
      if (torn !== undefined) {
        // two unparseable lines: the earlier one was not a torn tail
        result.warnings.push(`line ${torn.line} is not JSON (a torn line left by a writer that crashed); skipped`);
      }
      torn = { line: lineNo, bytes: Buffer.byteLength(text), terminated };
      continue;
    }
    if (!looksLikeRecord(rec)) {
      if (result.problem === undefined) result.otherLines++;
      continue;
    }
    const seq = typeof rec.seq === "number" && Number.isInteger(rec.seq) ? rec.seq : undefined;
    if (result.problem !== undefined) {
      if (seq !== undefined) laterSeqs?.add(seq);
      continue;
    }
    if (torn !== undefined) {
      result.warnings.push(
        `line ${torn.line} is a torn partial line (a writer was killed mid-write); the chain continues across it`,
      );
      torn = undefined;
    }
    const fail = (kind: AuditLogProblemKind, message: string): void => {
      result.intact = false;
      result.problem = { line: lineNo, ...(seq === undefined ? {} : { seq }), kind, message };
    };
    if (typeof rec.hash !== "string") {
      fail("unchained", "the record has no hash (written with chain: false?): the log cannot be verified");
      continue;
    }
    if (seq === undefined || typeof rec.prevHash !== "string") {
      fail("malformed", "the record has no valid seq or prevHash");
      continue;
    }
    if (computeRecordHash(rec as Record<string, unknown>) !== rec.hash) {
      fail("edited", "the record's content does not match its hash: it was edited (or forged)");
      continue;
    }
    if (prev === undefined) {
      if (seq !== 1 || rec.prevHash !== GENESIS_HASH) {
        fail("removed", `the log starts at seq ${seq}, not at seq 1: the records before it were removed`);
        continue;
      }
    } else {
      const expected = prev.seq + 1;
      if (seq !== expected || rec.prevHash !== prev.hash) {
        const firstLine = seq >= 1 && seq <= prev.seq ? lineOfSeq[seq - 1] : undefined;
        if (firstLine !== undefined) {
          fail("inserted", `seq ${seq} already appeared at line ${firstLine}: a record was inserted or replayed`);
        } else if (seq < expected) {
          fail("reordered", `seq ${seq} comes after seq ${prev.seq} (line ${prev.line}): records were reordered`);
        } else if (seq > expected) {
          fail("removed", `expected seq ${expected} after line ${prev.line}, found seq ${seq}: records ${expected}${seq - 1 > expected ? `–${seq - 1}` : ""} were removed`);
          pendingMissing = { from: expected, to: seq - 1 };
          laterSeqs = new Set();
        } else {
          fail("inserted", `prevHash does not match the hash of seq ${prev.seq} (line ${prev.line}): a record was inserted or replaced before this one`);
        }
        continue;
      }
    }
    const log = rec.log;
    if (rec.event?.action === "log.close" && log !== undefined) {
      if (typeof log.firstSeq !== "number" || typeof log.records !== "number" || seq - log.firstSeq !== log.records) {
        fail("malformed", "log.close does not count the records its writer wrote");
        continue;
      }
    }
    lineOfSeq.push(lineNo);
    prev = { seq, hash: rec.hash, line: lineNo };
    result.records++;
    result.firstSeq ??= seq;
    result.lastSeq = seq;
    result.lastHash = rec.hash;
    lastAction = rec.event?.action;
  }

  if (result.problem !== undefined) {
    if (pendingMissing !== undefined && laterSeqs !== undefined) {
      for (let s = pendingMissing.from; s <= pendingMissing.to; s++) {
        if (laterSeqs.has(s)) {
          result.problem.kind = "reordered";
          result.problem.message = `expected seq ${pendingMissing.from} after line ${prev?.line ?? 0}, found seq ${result.problem.seq ?? "?"}; seq ${s} appears later: records were reordered`;
          break;
        }
      }
    }
    return result;
  }
  if (torn !== undefined) {
    if (torn.terminated) {
      // A writer killed mid-line never leaves a newline after the fragment, and a later writer only adds one
      // together with its records: a complete last line that is not a record was written by someone else.
      result.intact = false;
      result.problem = { line: torn.line, kind: "malformed", message: "the last line is not a record (not JSON) but is complete: it was edited or appended" };
      return result;
    }
    result.truncatedTail = { line: torn.line, bytes: torn.bytes };
    result.warnings.push(
      `line ${torn.line} is a torn partial record (${torn.bytes} bytes): the writer was killed mid-write; the ${result.records} records before it are intact`,
    );
  }
  result.closed = lastAction === "log.close";
  if (result.records === 0) {
    result.warnings.push("the file holds no audit records");
  } else if (!result.closed) {
    result.warnings.push(
      `the log does not end with log.close: whatever the writer recorded after seq ${result.lastSeq} cannot be vouched for (the process ended without close(), crashed or was killed, or the file was truncated)`,
    );
  }
  return result;
}
