/**
 * The writer's check at start: a writer that opens an existing log reads the anchor's last checkpoint for the log's
 * id. When the anchor is ahead of the file (the file was cut), the chain does not silently continue from the cut: it
 * continues after the anchor's head, and the `log.open` names the break (see sharedLog.ts). The file anchor is read
 * synchronously; the blob anchor asynchronously, bounded in bytes and time, while the log holds its records.
 */
import type { KeyObject } from "node:crypto";
import { computeRecordHash } from "../record/canonical.js";
import { scrubText } from "../record/redaction.js";
import { signingInput, verifySignature } from "../record/checkpointSignature.js";
import type { CheckpointHead } from "../record/checkpointSignature.js";
import type { ChainStart } from "./chainWriter.js";
import type { FileTail } from "./fileTail.js";
import type { LogSettings } from "./logSettings.js";

/** How much of the anchor's end is read at start. */
export const ANCHOR_TAIL_BYTES = 4 << 20;
/** Longest the writer waits at start for the blob anchor's end (its records wait in memory meanwhile). */
export const ANCHOR_START_TIMEOUT_MS = 5_000;

/** The start of the chain, checked against the anchor (when it can be read synchronously: the file anchor). */
export function startAgainstAnchor(start: ChainStart, tail: FileTail, settings: LogSettings): ChainStart {
  const anchor = settings.anchor;
  if (anchor?.readTail === undefined || start.logId === undefined || tail.lastRecord === undefined) return start;
  let text: string;
  try {
    text = anchor.readTail(ANCHOR_TAIL_BYTES);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { ...start, anchorUnread: typeof code === "string" && /^[A-Z0-9_]{1,32}$/.test(code) ? code : "EIO" };
  }
  return againstAnchorText(start, tail, text, settings);
}

/**
 * The same check for an anchor read asynchronously (the blob anchor): its last {@link ANCHOR_TAIL_BYTES}, within
 * `timeoutMs` (then every request is aborted). Never rejects: an anchor that cannot be read, or not in time, gives the
 * file's start with `anchorUnread` (the error's code, `HTTP_<status>`, or `ANCHOR_READ_TIMEOUT`). `undefined` when
 * there is nothing to check (a new log, no such anchor).
 */
export function startAgainstAnchorLater(
  start: ChainStart,
  tail: FileTail,
  settings: LogSettings,
  timeoutMs: number = ANCHOR_START_TIMEOUT_MS,
): Promise<ChainStart> | undefined {
  const anchor = settings.anchor;
  if (anchor?.readTail !== undefined || anchor?.fetchTail === undefined) return undefined;
  if (start.logId === undefined || tail.lastRecord === undefined) return undefined;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error("the anchor was not read in time"), { code: "ANCHOR_READ_TIMEOUT" }));
      controller.abort();
    }, timeoutMs);
    timer.unref();
  });
  return Promise.race([anchor.fetchTail(ANCHOR_TAIL_BYTES, controller.signal), timeout]).then(
    (text) => {
      clearTimeout(timer);
      return againstAnchorText(start, tail, text, settings);
    },
    (e: unknown) => {
      clearTimeout(timer);
      controller.abort();
      return { ...start, anchorUnread: unreadCode(e) };
    },
  );
}

/** A short code for why the anchor could not be read: its own code when code-shaped, else `HTTP_<status>`, else EIO. */
function unreadCode(e: unknown): string {
  const { code, statusCode } = (e ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === "string" && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(code) && scrubText(code) === code) return code;
  if (typeof statusCode === "number" && Number.isInteger(statusCode)) return `HTTP_${statusCode}`;
  return "EIO";
}

/** The start after the anchor's `text`: after its head for this log when that is ahead of the file. */
function againstAnchorText(start: ChainStart, tail: FileTail, text: string, settings: LogSettings): ChainStart {
  if (start.logId === undefined || tail.lastRecord === undefined) return start;
  const head = lastHeadFor(text, start.logId, settings.signer?.publicKey);
  if (head === undefined || head.seq < start.seq) return start;
  return {
    seq: head.seq + 1,
    prevHash: head.hash,
    prevSig: head.sig ?? start.prevSig,
    logId: start.logId,
    anchorAhead: { anchor: { seq: head.seq, hash: head.hash }, file: tail.lastRecord },
  };
}

interface AnchorLine {
  seq?: unknown;
  hash?: unknown;
  event?: { action?: unknown };
  checkpoint?: Partial<Record<keyof CheckpointHead | "sig" | "alg", unknown>>;
}

/** The last valid checkpoint line of `logId` in `text` (its signature checked when `key` is given). */
function lastHeadFor(
  text: string,
  logId: string,
  key: KeyObject | undefined,
): { seq: number; hash: string; sig?: string } | undefined {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line.length === 0 || !line.includes(logId)) continue;
    let rec: AnchorLine;
    try {
      rec = JSON.parse(line) as AnchorLine;
    } catch {
      continue;
    }
    const cp = rec.checkpoint;
    if (rec.event?.action !== "log.checkpoint" || cp === undefined || cp.logId !== logId) continue;
    // A whole seq the chain can count on from (not past 2^53), after the head its checkpoint seals: the signature
    // covers the checkpoint's head, not the line's own seq, which anyone appending to the anchor can set.
    if (!Number.isSafeInteger(rec.seq) || typeof rec.hash !== "string") continue;
    if (typeof cp.seq !== "number" || cp.seq >= (rec.seq as number)) continue;
    try {
      if (computeRecordHash(rec as Record<string, unknown>) !== rec.hash) continue;
    } catch {
      continue;
    }
    if (key !== undefined && !signed(cp, key)) continue;
    return { seq: rec.seq as number, hash: rec.hash, ...(typeof cp.sig === "string" ? { sig: cp.sig } : {}) };
  }
  return undefined;
}

function signed(cp: NonNullable<AnchorLine["checkpoint"]>, key: KeyObject): boolean {
  if (typeof cp.sig !== "string" || typeof cp.seq !== "number" || typeof cp.hash !== "string") return false;
  if (typeof cp.keyId !== "string" || typeof cp.prevSig !== "string") return false;
  const head = cp as unknown as CheckpointHead;
  return verifySignature(key, signingInput(head), Buffer.from(cp.sig, "base64url"));
}
