/** Reads an anchor kept as a local file (a copy downloaded from storage, or a test's), the same way as the blob. */
import { readFile } from "node:fs/promises";

/** The non-empty lines of anchor text, in order (`\n` separated; a last line without a newline is kept). */
export function splitAnchorText(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 0);
}

/** Reads the anchor file at `path` and returns its lines (see {@link splitAnchorText}). */
export async function readAnchorFileLines(path: string): Promise<string[]> {
  return splitAnchorText(await readFile(path, "utf8"));
}
