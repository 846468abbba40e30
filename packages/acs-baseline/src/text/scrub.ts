/**
 * Value scrubbing: defence in depth behind "observers never pass secrets". Every free-text string that goes into an
 * audit record, and every piece of caller text a refusal message shows, passes through {@link scrubText}; identifiers
 * with a known shape are checked against it.
 */
import { ELLIPSIS_KEY, isConnectionStringShaped, maskConnectionString } from "./connectionString.js";
import { PHONE_PATTERNS, percentDecoded, type ScrubPattern } from "./phoneNumbers.js";
import { PERCENT_ESCAPE, originOf, percentDecodedReading, redactRanges, type Reading } from "./readings.js";

export { maskPhoneNumber } from "./phoneNumbers.js";

/** Replacement for redacted material. */
export const REDACTED = "[REDACTED]";

/** Longest free text kept in a record (reasons, error messages); longer text is cut. */
export const MAX_TEXT_LENGTH = 512;

/** A key-shaped run: 32+ base64 / hex characters and padding (the key pattern below; `scrubPath` reads runs too). */
const KEY_RUN = /[A-Za-z0-9+/]{32,}={0,2}/g;

// One pass over the text: each alternative is a shape of secret (or phone number) we never let through.
const SECRET_PATTERNS: readonly ScrubPattern[] = [
  // PEM blocks (private keys, certificates) — whole block, or everything after a BEGIN line that never ends.
  [/-----BEGIN [^-\r\n]{0,64}-----[\s\S]*?(?:-----END [^-\r\n]{0,64}-----|$)/g, () => `${REDACTED}`],
  // JSON Web Tokens (Entra access tokens, ACS user tokens), also glued to a word (`tokeneyJ…`).
  [/eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g, () => REDACTED],
  // Authorization header schemes (a form writes the space as `+`).
  [
    /\b(Bearer|Basic|Digest|HMAC-SHA256|SharedKey|SharedAccessSignature|PoP)(\s+|\+)[^\s,;"']+/gi,
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
  // (padding, a `+`, or letters mixed with digits; a long run of letters and `/` alone is a path, not a key, and so
  // is a run of words with a trailing number, as in an ARM resource id: `Communication/communicationServices/acs1`).
  [KEY_RUN, (m) => (isKeyLike(m) ? REDACTED : m)],
];
const PATTERNS: readonly ScrubPattern[] = [
  ...SECRET_PATTERNS,
  // Phone numbers (E.164 in any spelling, national formats): masked to their last four digits.
  ...PHONE_PATTERNS,
];
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, "g");
// `u`: the phone patterns match digits of every script (`\p{Nd}`).
const ANY = new RegExp(PATTERNS.map(([re]) => `(?:${re.source})`).join("|"), "iu");
/** The secret patterns but the key-shaped run, in one (a key-shaped run is looked for by {@link hasKeyRun}). */
const ANY_SECRET_BUT_KEY_RUN = new RegExp(
  SECRET_PATTERNS.filter(([re]) => re !== KEY_RUN)
    .map(([re]) => `(?:${re.source})`)
    .join("|"),
  "i",
);
/** How many times over a text is percent-decoded to look for secrets (`%3D`, `%253D`, `%25253D`). */
const DECODE_LEVELS = 3;

/**
 * True when a key-shaped run is taken for a key: it ends in padding, holds a `+`, or mixes letters and digits and is
 * not a resource path ({@link isResourcePath}).
 */
function isKeyLike(run: string): boolean {
  if (run.endsWith("=") || run.includes("+")) return true;
  return /\d/.test(run) && /[A-Za-z]/.test(run) && !isResourcePath(run);
}

/**
 * True for a run of `/`-separated words, each letters with at most a trailing group of up to 6 digits, with at most
 * one uppercase letter in five (`Communication/communicationServices/contosoacs2024`, `diagnosticSettings/acsLogs1`).
 *
 * @remarks
 * Random base64 has digits all through it and about as many uppercase letters as lowercase ones: of 2.9 million
 * runs of 32+ characters cut from random 32- and 64-byte keys (runs with a `/` and a digit, no `+`), about 1,000 had
 * only such words, and none of them one uppercase letter in four or fewer (test/text/keyRuns.property.test.ts
 * measures it on fresh keys). A resource name in capitals (`ACSPROD01`) can tip a path over the limit; it is then
 * redacted, as before.
 */
function isResourcePath(run: string): boolean {
  if (!run.includes("/")) return false;
  let letters = 0;
  let upper = 0;
  for (const part of run.split("/")) {
    if (part === "") continue;
    const word = /^([A-Za-z]+)[0-9]{0,6}$/.exec(part)?.[1];
    if (word === undefined) return false;
    letters += word.length;
    for (const c of word) if (c >= "A" && c <= "Z") upper++;
  }
  return upper * 5 <= letters;
}

/**
 * `segment` percent-decoded up to four times, each malformed escape (`%ZZ`, a lone `%`) kept as written and the
 * others decoded, then NFKC-normalised.
 */
function decodedSegment(segment: string): string {
  return percentDecoded(segment, 4);
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
    if (!/[%\p{Nd}]/u.test(segment)) continue;
    const decoded = decodedSegment(segment);
    if (decoded === segment) continue;
    const scrubbed = scrubText(decoded);
    if (scrubbed !== decoded) {
      // A decoded control character (`%0A`) is written back encoded: a record's path never holds one.
      segments[i] = scrubbed.replace(/\p{Cc}/gu, encodeURIComponent);
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
 * random-looking characters), or two random-looking parts of 6+, or two parts of digits: a base64 key holds `/` too,
 * so such a run is scrubbed whole, as any text. Random-looking: letters mixed with digits, or a quarter or more of
 * the letters uppercase (`FkVWAsRQEh`; path words are not: `callConnections`, `AzureManagedDomain`).
 */
function hidesKeyAcrossSegments(path: string): boolean {
  if (path.includes(SEGMENT_MARK)) return true;
  for (const m of path.matchAll(KEY_RUN)) {
    let random = 0;
    let digits = 0;
    for (const part of m[0].split("/")) {
      if (part.endsWith("=") || part.includes("+")) return true;
      const randomLooking = part.length >= 6 && ((/\d/.test(part) && /[A-Za-z]/.test(part)) || isMixedCase(part));
      if (randomLooking && part.length >= 12) return true;
      // One id per path is an id; several in a row may be one secret (or a phone number) cut by `/`.
      if (randomLooking && ++random > 1) return true;
      if (/^\d+$/.test(part) && ++digits > 1) return true;
    }
  }
  return false;
}

/**
 * True when a quarter or more of the letters of `part` are uppercase, and some are lowercase: random base64
 * (`AuOJwMlMPdRcToXvctvRxiRnDdhc`), not a path word (`communicationServices`, `issueAccessToken`).
 */
function isMixedCase(part: string): boolean {
  let upper = 0;
  let lower = 0;
  for (const c of part) {
    if (c >= "A" && c <= "Z") upper++;
    else if (c >= "a" && c <= "z") lower++;
  }
  return lower > 0 && upper * 4 >= upper + lower;
}

/**
 * `text` with every secret written percent-encoded (`accesskey%3D…`, `Bearer%20eyJ…`, a key's `+`, `/` and `=` as
 * `%2B`, `%2F`, `%3D`; encoded up to {@link DECODE_LEVELS} times over, a form's `+` for a space) redacted where it is
 * written: each secret pattern runs on the percent-decoded readings, and what it would replace is replaced in `text`
 * (the part it keeps, such as `accesskey=` or `Bearer `, stays as written). Phone numbers are left to the patterns
 * that read their encodings themselves. Only text with a well-formed escape is read again.
 */
function withoutEncodedSecrets(text: string): string {
  if (!PERCENT_ESCAPE.test(text)) return text;
  const ranges: [number, number][] = [];
  let reading: Reading = { text, at: [] };
  for (let level = 0; level < DECODE_LEVELS && PERCENT_ESCAPE.test(reading.text); level++) {
    if (reading.text.includes("+")) secretRanges(percentDecodedReading(reading, true), ranges);
    reading = percentDecodedReading(reading);
    secretRanges(reading, ranges);
  }
  return redactRanges(text, ranges, REDACTED);
}

/** Adds to `ranges` the places in the original text of what the secret patterns would replace in `reading`. */
function secretRanges(reading: Reading, ranges: [number, number][]): void {
  const { text } = reading;
  const keyRun = hasKeyRun(text);
  const other = ANY_SECRET_BUT_KEY_RUN.test(text);
  if (!keyRun && !other) return;
  for (const [re, replace] of SECRET_PATTERNS) {
    if (re === KEY_RUN ? !keyRun : !other) continue;
    for (const m of text.matchAll(re)) {
      const match = m[0];
      const replaced = replace(match, ...m.slice(1));
      if (replaced === match) continue;
      // What the replacement keeps of the match (`accesskey=`, `Bearer `) is kept as written.
      const keep = Math.max(0, replaced.indexOf(REDACTED));
      let kept = 0;
      while (kept < keep && replaced[kept] === match[kept]) kept++;
      ranges.push([originOf(reading, m.index + kept), originOf(reading, m.index + match.length)]);
    }
  }
}

/** True when `text` has a key-shaped run ({@link KEY_RUN}'s 32 characters): one scan, cheaper than the pattern. */
function hasKeyRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const base64 = (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 43 || c === 47;
    run = base64 ? run + 1 : 0;
    if (run >= 32) return true;
  }
  return false;
}

/** One pass of every pattern over `text` (no cut). */
function scrubOnce(text: string): string {
  let out = text;
  // Lone surrogates cannot be encoded as UTF-8: replace them so every verifier hashes the same bytes.
  if (LONE_SURROGATE.test(out)) out = out.replace(LONE_SURROGATE_G, "\uFFFD");
  if (out.includes("%")) out = withoutEncodedSecrets(out);
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
