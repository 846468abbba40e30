/**
 * Detection of ACS connection strings (`endpoint=https://…;accesskey=…`), shared by the runtime guard, the lint
 * rule, the scanner and `doctor`. One implementation, so the three can never disagree.
 */

// A value inside a connection string: no separator, no white space, no quote.
const VALUE = String.raw`[^;\s"'\x60]`;
// Lengths are bounded too, so one start walks a bounded stretch before failing: an endpoint (a URL of a few dozen
// characters) at most 512, another pair's value at most 128, a key named before the endpoint at most 512. Unbounded,
// text cut by `;` into long runs of `endpoint=` or `accesskey=` made every start walk 17 long runs: quadratic (4 s at
// 200 KB); bounded, the worst such text costs about 0.7 s per MB. Longer values endpoint first on one line are still
// found by the ACS SDKs' parser's shape (`upstreamParses`, the any-spelling finder); a key-first string with a longer
// value is not (the JS SDKs' parser does not take key-first strings).
// Any other `key=value;` pair that may stand between the two keys.
const OTHER_PAIR = String.raw`(?:\s*[A-Za-z][\w-]{0,64}\s*=\s*${VALUE}{0,128}\s*;)`;
// endpoint first, then accesskey (other pairs between), or the other way round. Case-insensitive, any spacing.
// Every repetition consumes a `;`, and the value classes exclude both `;` and white space, so one start is linear.
const ENDPOINT_FIRST = String.raw`\bendpoint\s*=\s*${VALUE}{1,512}\s*;${OTHER_PAIR}*\s*accesskey\s*=\s*(${VALUE}*)`;
const KEY_FIRST = String.raw`\baccesskey\s*=\s*(${VALUE}{0,512})\s*;${OTHER_PAIR}*\s*endpoint\s*=\s*${VALUE}{1,512}`;
// At most 16 other pairs between the two keys (a real connection string has two or three). Unbounded, each
// `accesskey=`/`endpoint=` start walks the whole chain of pairs after it before failing, so
// `"endpoint=;accesskey=".repeat(n)` took quadratic time (0.6 s at 80 KB, minutes at 1 MB). What the ACS SDKs' parser
// takes with more pairs between (one line, endpoint first) the runtime still refuses through `upstreamParses`.
const BOUNDED = (pattern: string) => pattern.replace(`${OTHER_PAIR}*`, `${OTHER_PAIR}{0,16}`);
const CONNECTION_STRING = new RegExp(`${BOUNDED(ENDPOINT_FIRST)}|${BOUNDED(KEY_FIRST)}`, "i");
const CONNECTION_STRING_GLOBAL = new RegExp(`${BOUNDED(ENDPOINT_FIRST)}|${BOUNDED(KEY_FIRST)}`, "gi");

/** Longest text the detector looks at in one go; longer inputs are checked line by line. */
const MAX_SCAN_LENGTH = 1 << 20;

/** One connection string found in a text. */
export interface ConnectionStringMatch {
  /** Offset of the first character of the match in the text. */
  index: number;
  /** Length of the match. */
  length: number;
  /** The match with its access key masked (safe to print). */
  masked: string;
  /**
   * True when the access key is a placeholder, not a key: empty, shorter than 40 characters, outside the base64
   * alphabet (`<key>`, `${ACS_KEY}`, `{{key}}`, `%KEY%`, `your-access-key`), or made of fewer than 8 distinct
   * characters (`xxxx…`).
   */
  placeholder: boolean;
}

/** True when an access-key value cannot be a real ACS key (see {@link ConnectionStringMatch.placeholder}). */
export function isPlaceholderKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]{40,}={0,2}$/.test(key)) return true;
  return new Set(key.replace(/=+$/, "")).size < 8;
}

/** The base64 run a key's value starts with (and its padding). */
const LEADING_KEY = /^[A-Za-z0-9+/]*={0,2}/;
/** Base64 lengths of a 32- or 64-byte key, padded or not (an ACS key is 64 bytes: 88 characters). */
const KEY_LENGTHS = new Set([43, 44, 86, 87, 88]);

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

/**
 * True when `joined` (base64 characters and padding only) can only be a key: exactly the length of a 32- or 64-byte
 * key, with as many digits, upper and lower case letters as a random key has (a random 64-byte key has fewer than
 * 5 digits or 20 of either case about once in 300; prose written without spaces nearly always does).
 */
export function looksLikeKey(joined: string): boolean {
  if (!KEY_LENGTHS.has(joined.length) || !/^[A-Za-z0-9+/]+={0,2}$/.test(joined)) return false;
  const long = joined.length > 44;
  return (
    count(joined, /\d/g) >= (long ? 5 : 2) &&
    count(joined, /[A-Z]/g) >= (long ? 20 : 9) &&
    count(joined, /[a-z]/g) >= (long ? 20 : 9) &&
    !isPlaceholderKey(joined)
  );
}

/** A value's base64 characters up to its padding: what Node's decoder reads of it (it skips the rest). */
function decodedCharacters(value: string): string {
  const eq = value.indexOf("=");
  const body = (eq < 0 ? value : value.slice(0, eq)).replace(/[^A-Za-z0-9+/]/g, "");
  return eq < 0 ? body : `${body}${/^={1,2}/.exec(value.slice(eq))![0]}`;
}

/**
 * True when the value after `accesskey=` holds no real key: {@link isPlaceholderKey} of the base64 run it starts with,
 * unless its base64 characters, with what Node's decoder skips taken out (every character outside the alphabet but
 * `-`, `_` and `=`), join into a key ({@link looksLikeKey}). So a key followed by `.` or `)`, or cut by them
 * (`[AbC…]{…}`), still counts: it signs with the same bytes.
 */
export function isPlaceholderValue(value: string): boolean {
  if (!isPlaceholderKey(LEADING_KEY.exec(value)![0])) return false;
  return value.length > 400 || !looksLikeKey(decodedCharacters(value));
}

/**
 * Base64 chunks after a key's first chunk, cut by white space on its line (spaces, tabs, no-break and ideographic
 * spaces), then its padding: Node's base64 decoder skips them, so `accesskey=AbC… dEf… gH==` still signs requests.
 * Greedy and never given back (nothing after it in the pattern can fail), so linear; at most 88 chunks.
 */
const KEY_CONTINUATION = /(?:[^\S\r\n\u2028\u2029]+[A-Za-z0-9+/]+){1,88}(?:[^\S\r\n\u2028\u2029]*=){0,2}/y;
/** Glued to the last chunk, this makes the run a word or a sentence, not a key. */
const KEY_GLUE = /[\w+/=.-]/;

/**
 * Where a key split by white space ends, when the first chunk (`text[keyStart, keyEnd)`) and every base64 chunk after
 * it on the line join into a value that can only be a key ({@link looksLikeKey}). Prose after `accesskey=` fails
 * this (its words run on past a key's length, end in a full stop, or lack a random key's mix of digits and
 * capitals); undefined when there is none.
 */
export function splitKeyEnd(text: string, keyStart: number, keyEnd: number): number | undefined {
  if (keyEnd - keyStart >= 88) return undefined;
  KEY_CONTINUATION.lastIndex = keyEnd;
  const rest = KEY_CONTINUATION.exec(text);
  if (rest === null) return undefined;
  const end = keyEnd + rest[0].length;
  if (end < text.length && KEY_GLUE.test(text[end])) return undefined;
  return looksLikeKey(decodedCharacters(text.slice(keyStart, end))) ? end : undefined;
}

/**
 * True when `value` contains something shaped like an ACS connection string: an `endpoint=` pair and an
 * `accesskey=` pair joined by `;` (any case, either order, any spacing, up to 16 other pairs between).
 */
export function isConnectionStringShaped(value: string): boolean {
  if (value.length === 0 || !/accesskey/i.test(value)) return false;
  if (value.length <= MAX_SCAN_LENGTH) return CONNECTION_STRING.test(value);
  return value.split(/\r?\n/).some((line) => CONNECTION_STRING.test(line));
}

// Where the ACS SDKs' own parser (`/endpoint=(.*);accesskey=(.*)/i`, @azure/communication-common) looks: one line.
/** Line breaks: the ACS SDKs' parser reads one line. */
export const LINE_BREAK = /[\n\r\u2028\u2029]/;
/** `endpoint=` anywhere (text may be glued before it), any spacing. */
export const UPSTREAM_ENDPOINT = /endpoint\s*=/i;
/**
 * `;accesskey=` after the endpoint, the key's name possibly quoted. No two white-space runs side by side (a quote or
 * nothing between): linear on long runs of spaces.
 */
export const UPSTREAM_KEY = /;\s*(?:["']\s*)?accesskey(?:\s*["'])?\s*=/i;
/** Format characters (zero-width spaces and joiners, soft hyphen, BOM, …): invisible, so they hide words from a reader. */
export const FORMAT_CHARACTERS = /\p{Cf}/gu;

/** `text` as its look-alikes read: NFKC (full-width letters and signs as ASCII), without format characters. */
export function plainForm(text: string): string {
  return text.normalize("NFKC").replace(FORMAT_CHARACTERS, "");
}

/**
 * True when a line of `text` holds `endpoint=` and, anywhere after it, `;accesskey=`: everything the ACS SDKs' own
 * parser takes as a connection string (its endpoint may hold `;`, white space or quotes, and any text may stand before
 * `endpoint=`), and quoted values (`Endpoint="…";AccessKey="…"`). Two linear searches per line.
 */
function upstreamParses(text: string): boolean {
  for (const line of text.split(LINE_BREAK)) {
    const at = line.search(UPSTREAM_ENDPOINT);
    if (at >= 0 && UPSTREAM_KEY.test(line.slice(at))) return true;
  }
  return false;
}

/** {@link isConnectionStringShaped} or {@link upstreamParses}, also of the text's NFKC form without format characters. */
function holdsInAnySpelling(text: string): boolean {
  if (!/accesskey/i.test(text) && !/[^\t\n\r\x20-\x7e]/.test(text)) return false;
  if (isConnectionStringShaped(text) || upstreamParses(text)) return true;
  // Look-alikes: full-width letters and signs (NFKC), zero-width characters and soft hyphens inside the words.
  const plain = plainForm(text);
  return plain !== text && (isConnectionStringShaped(plain) || upstreamParses(plain));
}

// A base64 or base64url run long enough to carry a connection string (the shortest is about 100 characters).
const BASE64_RUN = /[A-Za-z0-9+/_-]{80,}={0,2}/g;
/** Most base64 runs of one text decoded (bounds the work for hostile text). */
const MAX_BASE64_RUNS = 16;

/** Whether a base64 or base64url run in `text` decodes to a connection string (a Kubernetes Secret's `data`). */
function holdsInBase64(text: string): boolean {
  if (text.length < 80) return false;
  let runs = 0;
  for (const match of text.matchAll(BASE64_RUN)) {
    if (++runs > MAX_BASE64_RUNS) return false;
    if (holdsInAnySpelling(Buffer.from(match[0], "base64").toString("latin1"))) return true;
  }
  return false;
}

/**
 * True when `text`, its URL-decoded form (up to three rounds) or a base64 run in it holds a connection string: what
 * the factory refuses in options and `doctor` flags in the environment. Broader than {@link isConnectionStringShaped}:
 * also whatever the ACS SDKs' parser accepts, quoted values, and look-alikes (full-width letters, zero-width
 * characters, soft hyphens).
 */
export function holdsConnectionString(text: string): boolean {
  if (holdsInAnySpelling(text) || holdsInBase64(text)) return true;
  let current = text;
  for (let round = 0; round < 3 && current.includes("%"); round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      decoded = current.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (decoded === current) break;
    if (holdsInAnySpelling(decoded)) return true;
    current = decoded;
  }
  return false;
}

/** Every ACS connection string in `text`, with offsets and a masked rendering. */
export function findConnectionStrings(text: string): ConnectionStringMatch[] {
  if (!/accesskey/i.test(text)) return [];
  const found: ConnectionStringMatch[] = [];
  CONNECTION_STRING_GLOBAL.lastIndex = 0;
  for (let m = CONNECTION_STRING_GLOBAL.exec(text); m !== null; m = CONNECTION_STRING_GLOBAL.exec(text)) {
    let placeholder = isPlaceholderValue(m[1] ?? m[2] ?? "");
    let length = m[0].length;
    const end = m.index + length;
    // Endpoint first, the key ends the match: it may go on in chunks split by white space (masked: only `***` shown).
    const split = placeholder && m[1] !== undefined ? splitKeyEnd(text, end - m[1].length, end) : undefined;
    if (split !== undefined) {
      placeholder = false;
      length = split - m.index;
      CONNECTION_STRING_GLOBAL.lastIndex = split;
    }
    found.push({ index: m.index, length, masked: maskConnectionString(m[0]), placeholder });
    if (m[0].length === 0) CONNECTION_STRING_GLOBAL.lastIndex++;
  }
  return found;
}

/** A key written as an ellipsis (`accesskey=…).`, the shape as a refusal's message writes it): it holds no key. */
export const ELLIPSIS_KEY = /^…[).,]*$/;

/**
 * Replaces the value of every `accesskey=` pair with `***`, and any other run that can only be a key (a key written
 * in another member: `endpoint=<key>;accesskey=`), so the result is safe to print.
 */
export function maskConnectionString(value: string): string {
  // An ellipsis (`accesskey=…).`, the shape as a message writes it) holds no key: kept as written.
  return value
    .replace(/(accesskey(?:\s*\\*["'])?\s*=\s*(?:\\*["']\s*)?)([^;\s"'\x60]*)/gi, (m, name: string, key: string) =>
      ELLIPSIS_KEY.test(key) ? m : `${name}***`,
    )
    .replace(/[A-Za-z0-9+/]{43,88}={0,2}/g, (run) => (looksLikeKey(run) ? "***" : run));
}
