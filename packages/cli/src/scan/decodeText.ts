/**
 * Turns a file's bytes into text for the scan, and decides what is binary. Binary detection must not become a
 * hiding place: a stray NUL byte does not make a text file binary (only a share of control bytes does), UTF-16
 * without a byte-order mark is read as UTF-16, and a file that looks binary but carries ACS key material markers
 * (`accesskey`, an identifiable key's signature, an ACS host) is scanned as text all the same.
 */

const SAMPLE_BYTES = 8192;
/** More than this share of control bytes in the sample (NUL included) makes a file binary. */
const BINARY_SHARE = 0.1;
/** UTF-16 without a BOM: this share of one byte lane is NUL, and almost none of the other. */
const UTF16_LANE_SHARE = 0.7;
const UTF16_MIN_BYTES = 16;
/** What makes any file worth reading as text, binary or not. */
const ACS_MARKERS = /access_?key|JQQJ99|communication\.azure\.com|@azure(?:-rest)?\/communication-/i;

/** Control bytes that are not text: everything below 0x20 except tab, LF, VT, FF, CR, backspace and ESC; and DEL. */
function isControl(byte: number): boolean {
  return (
    (byte < 0x20 &&
      byte !== 0x09 &&
      byte !== 0x0a &&
      byte !== 0x0b &&
      byte !== 0x0c &&
      byte !== 0x0d &&
      byte !== 0x08 &&
      byte !== 0x1b) ||
    byte === 0x7f
  );
}

/** "le" or "be" when the sample reads as UTF-16 without a BOM (ASCII-heavy text has one NUL byte lane). */
function utf16Lane(sample: Buffer): "le" | "be" | undefined {
  if (sample.length < UTF16_MIN_BYTES) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  const pairs = sample.length >> 1;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * UTF16_LANE_SHARE && evenNul <= pairs * 0.05) return "le";
  if (evenNul >= pairs * UTF16_LANE_SHARE && oddNul <= pairs * 0.05) return "be";
  return undefined;
}

function utf16(buffer: Buffer, lane: "le" | "be"): string {
  if (lane === "le") return buffer.toString("utf16le");
  const swapped = Buffer.from(buffer.subarray(0, buffer.length & ~1));
  swapped.swap16();
  return swapped.toString("utf16le");
}

function utf8(buffer: Buffer): string {
  const text = buffer.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Control characters read as spaces (same length: every position stays right), so no pattern runs through them. */
function blankControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return text.replace(/[\0-\x07\x0e-\x1a\x1c-\x1f\x7f]/g, " ");
}

/** A binary file's strings: everything but printable ASCII, tab and line ends read as spaces. */
function printableStrings(text: string): string {
  return text.replace(/[^\x20-\x7e\t\n\r]/g, " ");
}

function controlShare(sample: Buffer): number {
  let control = 0;
  for (const byte of sample) if (isControl(byte)) control++;
  return sample.length === 0 ? 0 : control / sample.length;
}

/**
 * Decodes a file: UTF-8 (BOM dropped), UTF-16 LE/BE with a BOM or, for ASCII-heavy text, without one. `undefined`
 * for binary content: more than 10 % control bytes in the first 8 KiB and no ACS key-material marker anywhere. In a
 * file with NUL bytes, control characters other than whitespace are read as spaces.
 */
export function decodeText(buffer: Buffer): string | undefined {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString("utf16le");
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) return utf16(buffer.subarray(2), "be");
  const sample = buffer.subarray(0, SAMPLE_BYTES);
  if (!sample.includes(0)) return utf8(buffer);
  const lane = utf16Lane(sample);
  if (lane !== undefined) return blankControls(utf16(buffer, lane));
  if (controlShare(sample) <= BINARY_SHARE) return blankControls(utf8(buffer));
  // Binary by its first bytes: still read its strings when it carries ACS markers, as bytes or as UTF-16.
  const narrow = buffer.toString("latin1");
  if (ACS_MARKERS.test(narrow)) return printableStrings(narrow);
  const wide = buffer.toString("utf16le");
  return ACS_MARKERS.test(wide) ? printableStrings(wide) : undefined;
}
