/**
 * Bytes → text for the scanner. A NUL byte alone does not make a file binary (a stray NUL early in a source file must
 * not hide it from the scan): a file is binary only when it holds a NUL and is neither valid UTF-8, UTF-16 (with a BOM,
 * or ASCII text in UTF-16 without one) nor mostly printable ASCII.
 */

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const SAMPLE = 8192;

/** Decodes a file: UTF-8 (BOM dropped), UTF-16 LE/BE with a BOM or by shape. `undefined` for binary content. */
export function decodeText(buffer: Buffer): string | undefined {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString("utf16le");
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) return utf16be(buffer.subarray(2));
  const sample = buffer.subarray(0, SAMPLE);
  if (sample.includes(0)) {
    const shape = utf16Shape(sample);
    if (shape === "le") return buffer.toString("utf16le");
    if (shape === "be") return utf16be(buffer);
    if (!validUtf8(buffer) && !mostlyPrintable(sample)) return undefined;
  }
  const text = buffer.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function utf16be(bytes: Buffer): string {
  const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  swapped.swap16();
  return swapped.toString("utf16le");
}

/** ASCII text written as UTF-16 without a BOM: almost every odd (LE) or even (BE) byte is NUL, almost no other. */
function utf16Shape(sample: Buffer): "le" | "be" | undefined {
  const pairs = sample.length >> 1;
  if (pairs < 2) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.9 && evenNul <= pairs * 0.05) return "le";
  if (evenNul >= pairs * 0.9 && oddNul <= pairs * 0.05) return "be";
  return undefined;
}

function validUtf8(buffer: Buffer): boolean {
  try {
    UTF8.decode(buffer);
    return true;
  } catch {
    return false;
  }
}

/** At least 90 % printable ASCII or whitespace: text with a few stray bytes, not a binary format. */
function mostlyPrintable(sample: Buffer): boolean {
  let printable = 0;
  for (const b of sample) if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d) printable++;
  return printable >= sample.length * 0.9;
}
