/** Reads the anchor's lines into an index by seq (see docs/audit-log.md for what counts). */
import type { KeyObject } from "node:crypto";
import { canonicalJson, sha256Hex } from "../record/canonical.js";
import { checkpointSignatureValid } from "./checkpoints.js";
import type { Rec } from "./recordShape.js";
import { looksLikeRecord, ownMembers, parseTime } from "./recordShape.js";

/** What the anchor holds. */
export interface AnchorIndex {
  bySeq: Map<number, string>;
  maxSeq: number;
  maxSeqTime: number | undefined;
  lastTime: number | undefined;
  lines: number;
}

export async function indexAnchor(
  lines: Iterable<string> | AsyncIterable<string>,
  key: KeyObject | undefined,
  warnings: string[],
): Promise<AnchorIndex> {
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
    if (sha256Hex(canonicalJson(ownMembers(own))) !== rec.hash) {
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
  if (invalid > 0)
    warnings.push(
      `${invalid} of the anchor's ${n} lines are not valid audit lines${key !== undefined ? " (or carry an invalid signature)" : ""}; they were ignored`,
    );
  return index;
}
