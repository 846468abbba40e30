/**
 * Reads the end of an existing audit file: where its chain ends (last record, last checkpoint signature) and what,
 * if anything, follows the last record (a torn line, or lines that are not records).
 */
import { fstatSync, readSync } from "node:fs";

/** The tail of an existing audit file: where its chain ends, and what (if anything) follows the last record. */
export interface FileTail {
  /** The last complete line that is an audit record (seq and hash), if any within the part read. */
  lastRecord: { seq: number; hash: string } | undefined;
  /** `sig` of the last checkpoint found in the part read ("" when none). */
  lastSig: string;
  /** What follows the last record: nothing, a torn line (no newline at the end), or complete lines that are not records. */
  breakKind: "torn" | "foreign" | undefined;
  /** Bytes after the last record (the torn or foreign part). */
  breakBytes: number;
  size: number;
}

/** How much of an existing file's end is read to find its last record. */
const TAIL_BYTES = 1 << 20;

/** Parses a line as an audit record's chain position (and a checkpoint's signature). */
function chainOf(line: string): { seq: number; hash: string; sig?: string } | undefined {
  try {
    const rec = JSON.parse(line) as { seq?: unknown; hash?: unknown; schema?: unknown; checkpoint?: { sig?: unknown } };
    if (typeof rec !== "object" || rec === null || typeof rec.seq !== "number" || typeof rec.hash !== "string")
      return undefined;
    if (typeof rec.schema !== "string" || !rec.schema.startsWith("acs-baseline.audit")) return undefined;
    const sig = typeof rec.checkpoint?.sig === "string" ? rec.checkpoint.sig : undefined;
    return { seq: rec.seq, hash: rec.hash, ...(sig !== undefined ? { sig } : {}) };
  } catch {
    return undefined;
  }
}

/** Reads the end of an open file: the last record, the last checkpoint signature, and any torn or foreign tail. */
export function readTail(fd: number): FileTail {
  const size = fstatSync(fd).size;
  const tail: FileTail = { lastRecord: undefined, lastSig: "", breakKind: undefined, breakBytes: 0, size };
  if (size === 0) return tail;
  const len = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const torn = buf[len - 1] !== 0x0a;
  const lastNl = buf.lastIndexOf(0x0a);
  let afterRecord = torn ? len - (lastNl + 1) : 0;
  let foreign = false;
  // Walk the complete lines backwards: [nl + 1, end) is a line, its newline at `end`.
  let end = lastNl;
  while (end >= 0) {
    const nl = end === 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
    if (nl < 0 && len < size) break; // the first line of the window may be cut: not usable
    const rec = chainOf(buf.toString("utf8", nl + 1, end));
    if (rec !== undefined) {
      if (tail.lastRecord === undefined) {
        tail.lastRecord = { seq: rec.seq, hash: rec.hash };
        tail.breakBytes = afterRecord;
      }
      if (rec.sig !== undefined) {
        tail.lastSig = rec.sig;
        break;
      }
    } else if (tail.lastRecord === undefined) {
      afterRecord += end - nl;
      foreign = true;
    }
    end = nl;
  }
  if (tail.lastRecord === undefined) tail.breakBytes = size;
  tail.breakKind = torn ? "torn" : foreign ? "foreign" : undefined;
  if (tail.breakKind === undefined) tail.breakBytes = 0;
  return tail;
}
