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
