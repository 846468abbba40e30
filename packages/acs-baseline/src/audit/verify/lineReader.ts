/** Reads a byte stream as lines, never holding more than one line (at most `maxLineBytes`) plus one chunk. */
import { createReadStream } from "node:fs";

/** Default longest line. Records are a few hundred bytes; redaction bounds every free-text member. */
export const MAX_LINE_BYTES = 1 << 20;
/** One line of input: its bytes (without the newline), or an overlong marker. */
export interface Line {
  bytes: Buffer | undefined;
  terminated: boolean;
  overlong?: boolean;
}

/** Splits a byte stream into lines without ever holding more than one line (≤ maxLineBytes) plus one chunk. */
export async function* linesOf(source: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
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

export async function* toAsync(buf: Buffer): AsyncGenerator<Buffer> {
  await Promise.resolve();
  yield buf;
}

export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
}

/** Stands for an anchor line longer than the line limit (skipped, counted as not valid). */
export const ANCHOR_OVERLONG = "\u0000overlong";
/** Stands for the end of an anchor cut off at the total limit. */
export const ANCHOR_TOO_LARGE = "\u0000too-large";
/** Default largest anchor read: 1 GiB (an anchor is checkpoints, or at most a copy of a log). */
export const MAX_ANCHOR_BYTES = 1 << 30;

/**
 * The lines of an anchor's byte stream, streamed: a line longer than `maxLineBytes` becomes `ANCHOR_OVERLONG`
 * (its bytes are skipped, the lines after it are read), and past `maxTotalBytes` the stream ends with
 * `ANCHOR_TOO_LARGE`. Memory stays at one line plus one chunk.
 */
export async function* anchorLinesOf(
  source: AsyncIterable<Buffer>,
  maxLineBytes: number = MAX_LINE_BYTES,
  maxTotalBytes: number = MAX_ANCHOR_BYTES,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let partLen = 0;
  let skipping = false;
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxTotalBytes) {
      yield ANCHOR_TOO_LARGE;
      return;
    }
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      if (skipping || partLen + nl - start > maxLineBytes) yield ANCHOR_OVERLONG;
      else yield Buffer.concat([...parts, chunk.subarray(start, nl)]).toString("utf8");
      parts = [];
      partLen = 0;
      skipping = false;
      start = nl + 1;
    }
    if (start < chunk.length && !skipping) {
      partLen += chunk.length - start;
      if (partLen > maxLineBytes) {
        skipping = true;
        parts = [];
        partLen = 0;
      } else parts.push(chunk.subarray(start));
    }
  }
  if (skipping) yield ANCHOR_OVERLONG;
  else if (partLen > 0) yield Buffer.concat(parts).toString("utf8");
}
