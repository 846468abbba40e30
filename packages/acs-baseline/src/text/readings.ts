/**
 * Readings of a text: the text with an encoding undone (percent-escapes, a form's `+` for a space), each character
 * mapped back to where it starts in the text as written, so that what is found in the reading can be redacted in the
 * original. Used by the scrubber (secrets percent-encoded) and the error scrub's echo search (content percent-encoded).
 */

/** A reading of a text: `text`, and for each of its UTF-16 units (and its end) the offset in the original it starts at. */
export interface Reading {
  text: string;
  /** Empty for the original itself (offset = index). */
  at: number[];
}

/** A percent-escape of one byte (`%3D`, `%e2`): what makes a text worth a percent-decoded reading. */
export const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/** The value of hex digit `code` (a UTF-16 unit), or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The byte `%XX` at `i` of `text` stands for, or -1 when there is no well-formed escape there. */
function byteAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 37) return -1;
  const high = hexValue(text.charCodeAt(i + 1));
  const low = hexValue(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** UTF-8 sequence length for a lead byte and the lowest code point it may encode (0: not a lead byte). */
function utf8Lead(byte: number): [length: number, min: number] {
  if (byte < 0x80) return [1, 0];
  if (byte >= 0xc2 && byte <= 0xdf) return [2, 0x80];
  if (byte >= 0xe0 && byte <= 0xef) return [3, 0x800];
  if (byte >= 0xf0 && byte <= 0xf4) return [4, 0x10000];
  return [0, 0];
}

/**
 * The code point of the UTF-8 sequence percent-encoded at `i` of `text` and how many characters of `text` it takes,
 * or undefined when there is no well-formed escaped sequence there (a lone `%`, `%ZZ`, a byte that is not UTF-8, an
 * overlong form or a surrogate).
 */
function escapedCodePoint(text: string, i: number): [codePoint: number, width: number] | undefined {
  const lead = byteAt(text, i);
  const [length, min] = utf8Lead(lead);
  if (length === 0) return undefined;
  let codePoint = length === 1 ? lead : lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const next = byteAt(text, i + 3 * k);
    if (next < 0x80 || next > 0xbf) return undefined;
    codePoint = codePoint * 64 + (next & 0x3f);
  }
  if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined;
  return [codePoint, 3 * length];
}

/**
 * `reading` percent-decoded once, leniently: each well-formed escaped UTF-8 sequence (upper- or lower-case hex) is
 * decoded, anything else (`%ZZ`, a lone `%`, a byte that is not UTF-8) kept as written; with `plusAsSpace`, a `+`
 * written as such reads as a space (a form's encoding; `%2B` still reads `+`). Linear in the text's length.
 */
export function percentDecodedReading(reading: Reading, plusAsSpace = false): Reading {
  const source = reading.text;
  const map = reading.at;
  const mapped = map.length > 0;
  let text = "";
  const at: number[] = [];
  // Plain runs are copied whole (a `+` of a form read as a space): the common case of text with few escapes.
  const copy = (from: number, to: number): void => {
    if (from >= to) return;
    const run = source.slice(from, to);
    text += plusAsSpace ? run.replaceAll("+", " ") : run;
    for (let k = from; k < to; k++) at.push(mapped ? (map[k] ?? k) : k);
  };
  let from = 0;
  for (let i = source.indexOf("%"); i >= 0; i = source.indexOf("%", i + 1)) {
    const escaped = escapedCodePoint(source, i);
    if (escaped === undefined) continue;
    copy(from, i);
    const decoded = String.fromCodePoint(escaped[0]);
    text += decoded;
    const origin = mapped ? (map[i] ?? i) : i;
    for (let k = 0; k < decoded.length; k++) at.push(origin);
    from = i + escaped[1];
    i = from - 1;
  }
  copy(from, source.length);
  at.push(mapped ? (map[source.length] ?? source.length) : source.length);
  return { text, at };
}

/** Where offset `i` of `reading` is in the original text. */
export function originOf(reading: Reading, i: number): number {
  return reading.at[i] ?? i;
}

/** `text` with the given [start, end) ranges (merged where they overlap or touch) replaced by `mark`. */
export function redactRanges(text: string, ranges: [number, number][], mark: string): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = "";
  let from = 0;
  let [start, end] = ranges[0] ?? [0, 0];
  for (const [s, e] of ranges) {
    if (s <= end) {
      end = Math.max(end, e);
      continue;
    }
    out += `${text.slice(from, start)}${mark}`;
    [from, start, end] = [end, s, e];
  }
  return `${out}${text.slice(from, start)}${mark}${text.slice(end)}`;
}
