/**
 * File names that are not UTF-8 (a byte 0xff, Latin-1 `r\xe9sum\xe9.env`). The scan keeps every path as a string;
 * a name's bytes are decoded as UTF-8 and each byte that is not part of a well-formed UTF-8 sequence is kept as the
 * lone surrogate U+DC80–U+DCFF (byte 0x80–0xff), as Python's `surrogateescape` does. Well-formed UTF-8 never
 * decodes to a lone surrogate, so such a string stands for exactly one byte sequence: it passes through worker
 * threads and JSON (`\udcff`) unchanged, {@link fsPath} gives `node:fs` the original bytes back, and
 * {@link shownPath} writes each such byte `\xNN` wherever a path is shown (and a backslash that would read as such an
 * escape, `\xff` in a name, as `\x5c`, so that no two names are shown alike).
 */
import { basename, dirname, posix, relative, resolve, sep } from "node:path";

/** A lone low surrogate that stands for one raw byte (not the second half of a surrogate pair). */
const RAW_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const RAW_BYTES = new RegExp(RAW_BYTE.source, "g");

/** True when `path` holds a byte that is not UTF-8 (see the module comment). */
export function hasRawBytes(path: string): boolean {
  return RAW_BYTE.test(path);
}

/** Smallest and largest second byte after a lead byte from 0xe0 on (Unicode's table of well-formed UTF-8). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f]; // no surrogates
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f]; // nothing past U+10FFFF
  return [0x80, 0xbf];
}

/** The length of the well-formed UTF-8 sequence at `bytes[i]`, or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  if (lead < 0x80) return 1;
  const length =
    lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  const [low, high] = length === 2 ? [0x80, 0xbf] : secondByteRange(lead);
  if (bytes[i + 1] < low || bytes[i + 1] > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return length;
}

/** `bytes` (a name or path) as the scan keeps it: UTF-8, each byte outside a well-formed sequence as U+DC80–U+DCFF. */
export function decodePath(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString("utf8");
  // Only a name with U+FFFD in it may hold a byte that is not UTF-8 (a real U+FFFD is well-formed EF BF BD).
  if (!text.includes("\ufffd")) return text;
  let out = "";
  let start = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += buffer.toString("utf8", start, i) + String.fromCharCode(0xdc00 + bytes[i]);
    start = ++i;
  }
  return out + buffer.toString("utf8", start);
}

/** The bytes `path` stands for (the inverse of {@link decodePath}). */
export function pathBytes(path: string): Buffer {
  if (!hasRawBytes(path)) return Buffer.from(path, "utf8");
  const parts: Buffer[] = [];
  let start = 0;
  for (const match of path.matchAll(RAW_BYTES)) {
    const at = match.index;
    parts.push(Buffer.from(path.slice(start, at), "utf8"), Buffer.of(path.charCodeAt(at) - 0xdc00));
    start = at + 1;
  }
  parts.push(Buffer.from(path.slice(start), "utf8"));
  return Buffer.concat(parts);
}

/** `path` for `node:fs`: itself, or its bytes when it holds a byte that is not UTF-8 (fs takes Buffer paths). */
export function fsPath(path: string): string | Buffer {
  return hasRawBytes(path) ? pathBytes(path) : path;
}

/** A raw byte, or a backslash that starts what would read as `\xNN` (`\x80`–`\xff`) or as an escaped backslash. */
const SHOWN_ESCAPED = new RegExp(`${RAW_BYTE.source}|\\\\(?=x(?:5c|[89a-f][0-9a-f]))`, "g");

/**
 * `path` as findings and reports show it: each byte that is not UTF-8 written `\xNN` (lower-case hex), and a
 * backslash that is followed by `x` and such two hex digits or `5c` written `\x5c`: a name that really holds
 * `lit\xff.env` is shown `lit\x5cxff.env`, never as the name with the byte 0xff. So `\x5c` and `\x80`–`\xff` in a shown
 * path always stand for one byte, and two names are never shown alike (the SARIF URI is built back from it).
 */
export function shownPath(path: string): string {
  return path.replace(SHOWN_ESCAPED, (c) => `\\x${(c === "\\" ? 0x5c : c.charCodeAt(0) - 0xdc00).toString(16)}`);
}

/** `absolute` as findings show it: relative to `cwd`, with forward slashes, a byte that is not UTF-8 as `\xNN`. */
export function displayPath(cwd: string, absolute: string): string {
  const prefix = resolve(cwd) + sep;
  const shown = absolute.startsWith(prefix) ? absolute.slice(prefix.length) : relative(cwd, absolute);
  return shownPath(shown.split(sep).join("/") || basename(absolute));
}

/** How findings name `other` (absolute) when they name `path` as `file`: relative to the same directory. */
export function displayBeside(file: string, path: string, other: string): string {
  // The separators first: `\` is one on Windows, and shownPath may write one (`\xff`).
  const step = shownPath(relative(dirname(path), other).split(sep).join("/"));
  return posix.normalize(posix.join(posix.dirname(file), step));
}
