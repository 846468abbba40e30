/** Reads an anchor kept as a local file (a copy downloaded from storage, or a file anchor), streamed and bounded. */
import { createReadStream, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { MAX_ANCHOR_BYTES, MAX_LINE_BYTES, anchorLinesOf } from "./lineReader.js";

/** The non-empty lines of anchor text, in order (`\n` separated; a last line without a newline is kept). */
export function splitAnchorText(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 0);
}

/** Reads the anchor file at `path` and returns its lines (see {@link splitAnchorText}). */
export async function readAnchorFileLines(path: string): Promise<string[]> {
  return splitAnchorText(await readFile(path, "utf8"));
}

/**
 * The lines of the anchor file at `path`, streamed (see `anchorLinesOf`: 1 MiB per line, 1 GiB in total by default).
 * @throws at once (before reading) when `path` cannot be read, or is not a regular file (FIFO, device, directory):
 * code `ENOTREG`
 */
export function streamAnchorFile(
  path: string,
  limits: { maxLineBytes?: number; maxTotalBytes?: number } = {},
): AsyncIterable<string> {
  assertRegularFile(path);
  return anchorLinesOf(
    createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>,
    limits.maxLineBytes ?? MAX_LINE_BYTES,
    limits.maxTotalBytes ?? MAX_ANCHOR_BYTES,
  );
}

/**
 * Throws (code `ENOTREG`) unless `path` is a regular file: a FIFO would block the reader for good, a device never
 * ends, a directory is not a log. The stat error itself (e.g. ENOENT) is thrown as it is.
 */
export function assertRegularFile(path: string): void {
  const st = statSync(path);
  if (!st.isFile()) {
    const kind = st.isFIFO()
      ? "a named pipe (FIFO)"
      : st.isDirectory()
        ? "a directory"
        : st.isSocket()
          ? "a socket"
          : "a device";
    throw Object.assign(new Error(`${path} is ${kind}, not a regular file`), { code: "ENOTREG" });
  }
}
