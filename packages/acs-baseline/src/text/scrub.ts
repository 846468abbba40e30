/**
 * Value scrubbing: defence in depth behind "observers never pass secrets". Every free-text string that goes into an
 * audit record, and every piece of caller text a refusal message shows, passes through {@link scrubText}; identifiers
 * with a known shape are checked against it.
 */
import { ELLIPSIS_KEY, isConnectionStringShaped, maskConnectionString } from "./connectionString.js";

/** Replacement for redacted material. */
export const REDACTED = "[REDACTED]";

/** Longest free text kept in a record (reasons, error messages); longer text is cut. */
export const MAX_TEXT_LENGTH = 512;

// Phone-number pieces: a plus sign (plain, percent-encoded any number of times, full-width, or `\u002B` as text), a
// digit (ASCII or full-width), a separator (plain or percent-encoded).
const PLUS = "(?:\\+|%(?:25)*2[Bb]|\\\\u002[Bb]|\\uFF0B)";
const DIGIT = "[0-9\\uFF10-\\uFF19]";
const SEP = "(?:[\\s()./_-]|%(?:25)*(?:20|2[89DdEeFf]|5[Ff]))";

/** A key-shaped run: 32+ base64 / hex characters and padding (the key pattern below; `scrubPath` reads runs too). */
const KEY_RUN = /[A-Za-z0-9+/]{32,}={0,2}/g;

// One pass over the text: each alternative is a shape of secret (or phone number) we never let through.
const PATTERNS: readonly (readonly [RegExp, (match: string, ...groups: string[]) => string])[] = [
  // PEM blocks (private keys, certificates) — whole block, or everything after a BEGIN line that never ends.
  [/-----BEGIN [^-\r\n]{0,64}-----[\s\S]*?(?:-----END [^-\r\n]{0,64}-----|$)/g, () => `${REDACTED}`],
  // JSON Web Tokens (Entra access tokens, ACS user tokens).
  [/\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g, () => REDACTED],
  // Authorization header schemes.
  [
    /\b(Bearer|Basic|Digest|HMAC-SHA256|SharedKey|SharedAccessSignature|PoP)(\s+)[^\s,;"']+/gi,
    (_m, scheme: string, sp: string) => `${scheme}${sp}${REDACTED}`,
  ],
  // name=value / name: value pairs that carry secrets (connection-string pairs, query parameters, headers).
  [
    /\b(accesskey|access_key|sharedaccesskey|accountkey|password|passwd|pwd|passphrase|secret|client_secret|clientsecret|apikey|api[-_]key|x-api-key|authorization|token|access_token|id_token|refresh_token|client_assertion|assertion|sig|signature|key)(\s*["']?\s*[=:]\s*["']?)[^\s;&"',}]+/gi,
    // `accesskey=…` (an ellipsis, as the refusals write the shape) holds nothing: kept, with what follows it.
    (m: string, name: string, sep: string) =>
      ELLIPSIS_KEY.test(m.slice(name.length + sep.length)) ? m : `${name}${sep}${REDACTED}`,
  ],
  // Entra client secrets (`xxx8Q~…`).
  [/[\w.~-]{3}\dQ~[\w.~-]{20,}/g, () => REDACTED],
  // Key-shaped runs: 32+ base64 / hex characters (ACS access keys are 88 base64 characters ending in `==`)
  // (padding, a `+`, or letters mixed with digits; a long run of letters and `/` alone is a path, not a key).
  [KEY_RUN, (m) => (m.endsWith("=") || m.includes("+") || (/\d/.test(m) && /[A-Za-z]/.test(m)) ? REDACTED : m)],
  // Phone numbers: E.164 (`+` and 7–15 digits, optional separators) or a bare run of 8–15 digits; the `+` also
  // percent-encoded any number of times (`%2B`, `%252B`, …), full-width (`＋`) or as `\u002B` text, the separators
  // also percent-encoded, full-width digits too (`/phoneNumbers/%2B1425…`, `%2B%201%20425…`).
  [
    new RegExp(`${PLUS}${SEP}*${DIGIT}(?:${DIGIT}|${SEP}){5,24}${DIGIT}|(?<![\\w+.-])${DIGIT}{8,15}(?![\\w-])`, "g"),
    (m) => maskPhoneNumber(m),
  ],
  // National formats without a `+`: three to five groups of digits split by spaces, dashes or parentheses
  // (`(425) 555-0123`, `425-555-0123`, `001 425 555 0123`) — masked when they hold 10 or more digits.
  [
    new RegExp(`(?<![\\w+.-])\\(?${DIGIT}{2,4}\\)?(?:[\\s-]{1,2}\\(?${DIGIT}{2,4}\\)?){2,4}(?![\\w-])`, "g"),
    (m) => (digitsOf(m).length >= 10 ? maskPhoneNumber(m) : m),
  ],
];
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, "g");
const ANY = new RegExp(PATTERNS.map(([re]) => `(?:${re.source})`).join("|"), "i");

/**
 * Masks a phone number to its last four digits: `+14255550123` (or `%2B14255550123`) → `***0123`. Anything with
 * fewer than 8 digits becomes `***`.
 */
export function maskPhoneNumber(value: string): string {
  const digits = digitsOf(value);
  return digits.length < 8 ? "***" : `***${digits.slice(-4)}`;
}

/** The digits of a phone-number match: escapes (`%2B`, `%252B`, `\u002B`) removed, full-width digits as ASCII. */
function digitsOf(value: string): string {
  return value
    .replace(/\\u002[Bb]/g, "")
    .replace(/%(?:25)*[0-9A-Fa-f]{2}/g, "")
    .normalize("NFKC")
    .replace(/\D/g, "");
}

/** `segment` percent-decoded up to four times (stopping at a malformed one), then NFKC-normalised. */
function decodedSegment(segment: string): string {
  let text = segment;
  for (let i = 0; i < 4 && text.includes("%"); i++) {
    let next: string;
    try {
      next = decodeURIComponent(text);
    } catch {
      break;
    }
    if (next === text) break;
    text = next;
  }
  return text.normalize("NFKC");
}

/**
 * A URL path for a record: each segment that holds a phone number in any encoding (percent-encoded once or more,
 * full-width, with encoded separators) is replaced by its decoded text with the number masked; then {@link scrubText}.
 * Other segments are kept as they are.
 */
export function scrubPath(path: string): string {
  const segments = path.split("/");
  let changed = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    if (!/[%0-9\uFF10-\uFF19]/.test(segment)) continue;
    const decoded = decodedSegment(segment);
    if (decoded === segment) continue;
    const scrubbed = scrubText(decoded);
    if (scrubbed !== decoded) {
      segments[i] = scrubbed;
      changed = true;
    }
  }
  const joined = changed ? segments.join("/") : path;
  // Shorter than a key-shaped run (the common `/sms`, `/identities`): nothing to tell apart.
  if (joined.length < 32 || hidesKeyAcrossSegments(joined)) return scrubText(joined);
  // Segments are words and ids, not parts of one key: a run of them (`/calling/callConnections/401f3500`) is not
  // key-shaped, so inside such runs `/` is read as a separator that no key-shaped run crosses.
  const marked = joined.replace(KEY_RUN, (run) => run.replaceAll("/", SEGMENT_MARK));
  return scrubText(marked).replaceAll(SEGMENT_MARK, "/");
}

/** Stands for `/` while a path is scrubbed: a private-use character, outside every key and phone alphabet. */
const SEGMENT_MARK = "\uE000";

/**
 * True when a key-shaped run of `path` that crosses `/` has a part that is key-like on its own (padding, a `+`, or 12+
 * characters mixing letters and digits), or two parts of 6+ mixing them, or two parts of digits: a base64 key holds
 * `/` too, so such a run is scrubbed whole, as any text.
 */
function hidesKeyAcrossSegments(path: string): boolean {
  if (path.includes(SEGMENT_MARK)) return true;
  for (const m of path.matchAll(KEY_RUN)) {
    let mixed = 0;
    let digits = 0;
    for (const part of m[0].split("/")) {
      if (part.endsWith("=") || part.includes("+")) return true;
      if (part.length >= 12 && /\d/.test(part) && /[A-Za-z]/.test(part)) return true;
      // One id per path is an id; several in a row may be one secret (or a phone number) cut by `/`.
      if (part.length >= 6 && /\d/.test(part) && /[A-Za-z]/.test(part) && ++mixed > 1) return true;
      if (/^\d+$/.test(part) && ++digits > 1) return true;
    }
  }
  return false;
}

/** One pass of every pattern over `text` (no cut). */
function scrubOnce(text: string): string {
  let out = text;
  // Lone surrogates cannot be encoded as UTF-8: replace them so every verifier hashes the same bytes.
  if (LONE_SURROGATE.test(out)) out = out.replace(LONE_SURROGATE_G, "\uFFFD");
  if (isConnectionStringShaped(out)) out = maskConnectionString(out);
  if (ANY.test(out)) {
    for (const [re, replace] of PATTERNS) out = out.replace(re, replace);
  }
  return out;
}

/** Shown instead of text that could not be shortened safely (never reached in practice; kept as the bound). */
const UNSHORTENABLE = `${REDACTED} (text too long to shorten safely)`;

/**
 * Returns `text` with every secret-shaped part replaced by `[REDACTED]` (connection-string access keys by `***`) and
 * every phone number masked to its last four digits; cut to at most {@link MAX_TEXT_LENGTH} characters, the last one `…`.
 *
 * @remarks
 * Linear in the input (at most {@link MAX_TEXT_LENGTH}·4 characters are looked at) and never recursive: a cut can
 * leave the start of a secret-shaped value behind, so cut text is scrubbed again, a bounded number of times.
 */
export function scrubText(text: string): string {
  let cut = text.length > MAX_TEXT_LENGTH * 4;
  let out = scrubOnce(cut ? text.slice(0, MAX_TEXT_LENGTH * 4) : text);
  for (let i = 0; i < 3 && out.length > MAX_TEXT_LENGTH; i++) {
    cut = true;
    out = scrubOnce(`${out.slice(0, MAX_TEXT_LENGTH - 1)}…`);
  }
  if (out.length > MAX_TEXT_LENGTH) return UNSHORTENABLE;
  // A cut is never silent: a key run that ended at the cut is redacted together with the ellipsis, so put it back.
  return cut && !out.endsWith("…") ? withEllipsis(out) : out;
}

/** `text` (already scrubbed, at most {@link MAX_TEXT_LENGTH}) ending with `…`, never splitting a surrogate pair. */
function withEllipsis(text: string): string {
  return text.length < MAX_TEXT_LENGTH
    ? `${text}…`
    : `${text.slice(0, MAX_TEXT_LENGTH - 1).replace(/[\uD800-\uDBFF]$/, "")}…`;
}

/** `value` when it matches `shape`, else the scrubbed value. */
export function keepIfShaped(value: string, shape: RegExp): string {
  return shape.test(value) ? value : scrubText(value);
}

/** GUIDs (tenant and client ids). */
export const GUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** SHA-256 thumbprints, hex. */
export const THUMBPRINT_SHAPE = /^[0-9a-f]{64}$/i;
