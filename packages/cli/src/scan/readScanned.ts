/** Reads one file for the scan: its text, or why it is skipped. Shared by the scan's main thread and its workers. */
import { lstatSync, readFileSync } from "node:fs";
import { decodeText } from "./decodeText.js";

/** Why a file was not scanned. @public */
export type ScanSkipReason = "symlink" | "binary" | "too-large" | "unreadable";

/** The text of one file, or why it is skipped (undefined: not a regular file, nothing to report). */
export function readScanned(
  absolute: string,
  maxBytes: number,
): { text: string } | { skip: ScanSkipReason } | undefined {
  let st;
  try {
    st = lstatSync(absolute);
  } catch {
    return { skip: "unreadable" };
  }
  if (st.isSymbolicLink()) return { skip: "symlink" };
  if (!st.isFile()) return undefined;
  if (st.size > maxBytes) return { skip: "too-large" };
  let buffer: Buffer;
  try {
    buffer = readFileSync(absolute);
  } catch {
    return { skip: "unreadable" };
  }
  const text = decodeText(buffer);
  return text === undefined ? { skip: "binary" } : { text };
}
