/** Reads one file for the scan: its text, or why it is skipped. Shared by the scan's main thread and its workers. */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { decodeText } from "./decodeText.js";
import { fsPath } from "./rawNames.js";

/** Why a file was not scanned. @public */
export type ScanSkipReason = "symlink" | "binary" | "too-large" | "unreadable";

// O_NOFOLLOW and O_NONBLOCK are 0 where the platform has none (Windows): the checks on the open file still hold.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of the regular file at `absolute`, read through one file descriptor: undefined when what is opened is
 * not the regular file `lstat` saw (a file swapped for a FIFO, a device or a link in between would block the read
 * or leave the tree), "too-large" when it has more than `maxBytes` bytes (also when it grows while being read).
 * A name that is not UTF-8 is opened by its bytes (see `rawNames.ts`).
 * @throws when it cannot be opened or read
 */
export function readRegularFile(
  absolute: string,
  seen: { dev: number; ino: number },
  maxBytes: number,
): Buffer | "too-large" | undefined {
  const fd = openSync(fsPath(absolute), OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.dev !== seen.dev || st.ino !== seen.ino) return undefined;
    if (st.size > maxBytes) return "too-large";
    const buffer = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) return "too-large"; // it grew past maxBytes while being read
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The text of one file, or why it is skipped (undefined: not a regular file, nothing to report). */
export function readScanned(
  absolute: string,
  maxBytes: number,
): { text: string } | { skip: ScanSkipReason } | undefined {
  let st;
  try {
    st = lstatSync(fsPath(absolute));
  } catch {
    return { skip: "unreadable" };
  }
  if (st.isSymbolicLink()) return { skip: "symlink" };
  if (!st.isFile()) return undefined;
  if (st.size > maxBytes) return { skip: "too-large" };
  let buffer: Buffer | "too-large" | undefined;
  try {
    buffer = readRegularFile(absolute, st, maxBytes);
  } catch {
    return { skip: "unreadable" };
  }
  if (buffer === undefined) return { skip: "unreadable" };
  if (buffer === "too-large") return { skip: "too-large" };
  const text = decodeText(buffer);
  return text === undefined ? { skip: "binary" } : { text };
}
