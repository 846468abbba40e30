/**
 * The fast path for a `request` record's correlation id. ACS answers every data-plane request with an `MS-CV`
 * correlation vector (`WqckibhS6UO2M6ObEqmrZw.0`: a base64 base and `.N` extensions); scrubbing one as free text costs
 * microseconds, so a value of that shape, narrowed to what `scrubText` provably leaves as it is, is written unchanged.
 */

/** Shortest and longest base (cV 1.0: 16 characters; 2.0: 22). */
const MIN_BASE = 16;
const MAX_BASE = 22;
/** Longest correlation vector taken (cV 2.0's limit; far below the scrubber's cut at 512). */
const MAX_LENGTH = 127;
/** Longest extension taken: three digits (a four-digit group after a `.` can end a national phone number). */
const MAX_EXTENSION_DIGITS = 3;
/** Shortest digit run `scrubText` masks on its own (a bare E.164 number without its `+`). */
const BARE_NUMBER_DIGITS = 8;
/** Characters after a `+` that make it an E.164 number: a separator run, a digit, 5+ digits/separators, a digit. */
const PLUS_NUMBER_TAIL = 7;

const LETTER = 1;
const DIGIT = 2;
const PLUS = 3;
const SLASH = 4;
/** The class of each ASCII character of a base (0: not in the base64 alphabet). */
const CLASS = new Uint8Array(128);
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
CLASS[43] = PLUS;
CLASS[47] = SLASH;

/**
 * True when `v` is a correlation vector that `scrubText` returns unchanged and `JSON.stringify` writes without an
 * escape: a base of 16–22 characters of `[A-Za-z0-9+/]`, then one or more `.` extensions of 1–3 digits, at most 127
 * characters in all, and none of the following, which are the only ways a scrubber pattern could match in that
 * alphabet (test/audit/record/correlationId.property.test.ts checks the equivalence on arbitrary and on shaped text):
 * - a run of 8 or more digits (a bare phone number);
 * - a `+` followed by 7 or more digits, `.`, `/` or `+` in a row, counted into the extensions (an E.164 number written
 *   with separators, `+1.425.555`);
 * - a base that starts with digits followed by `/` (digit groups joined by `/` from the start: `425/555/0199`);
 * - `eyJ` (a JSON Web Token's start, whose dots the extensions could supply);
 * - an authorization scheme's name followed by `+` (`Bearer+…`, `PoP+…`: a space written as a form writes it).
 * A national number (`(425) 555-0123`, `425.555.0123`) needs a space, a dash, a parenthesis or a four-digit group after
 * a dot; a key needs a run of 32 characters, a name=value pair a `=` or `:`, a PEM block a dash: none fit. Everything
 * else (any other shape, or one of the above) goes through the scrubber as before.
 */
export function isPlainCorrelationVector(v: string): boolean {
  const n = v.length;
  if (n > MAX_LENGTH || n < MIN_BASE + 2) return false;
  let base = MIN_BASE;
  while (base < n && base <= MAX_BASE && v.charCodeAt(base) !== 46) base++;
  if (base > MAX_BASE || base >= n) return false;
  let digits = 0;
  // Characters since the first `+` of the current run of digits, `.`, `/` and `+` (-1: no `+` in the run).
  let plusTail = -1;
  let word = 0;
  for (let i = 0; i < base; i++) {
    const c = v.charCodeAt(i);
    const kind = c < 128 ? CLASS[c] : 0;
    if (kind === 0) return false;
    if (kind === PLUS || kind === SLASH) {
      if (kind === PLUS && isScheme(v, word, i)) return false;
      word = i + 1;
    }
    if (kind === DIGIT) {
      if (++digits >= BARE_NUMBER_DIGITS) return false;
    } else {
      if (kind === SLASH && digits > 0 && digits === i) return false;
      digits = 0;
    }
    if (kind === LETTER) {
      plusTail = -1;
      if (c === 101 && v.charCodeAt(i + 1) === 121 && v.charCodeAt(i + 2) === 74) return false;
    } else if (plusTail >= 0) {
      if (++plusTail >= PLUS_NUMBER_TAIL) return false;
    } else if (kind === PLUS) {
      plusTail = 0;
    }
  }
  return extensionsPlain(v, base, plusTail);
}

/** Authorization schemes the scrubber redacts after, when a `+` (a form's space) follows the name. */
const SCHEMES = new Set(["bearer", "basic", "digest", "sharedkey", "sharedaccesssignature", "pop"]);

/** True when `v[from..to)` is an authorization scheme's name, in any case. */
function isScheme(v: string, from: number, to: number): boolean {
  const n = to - from;
  return (n === 3 || n === 5 || n === 6 || n === 9 || n === 21) && SCHEMES.has(v.slice(from, to).toLowerCase());
}

/** The extensions from `v[from]` (a `.`): 1–3 digits each; `plusTail` carries the base's open `+` run on. */
function extensionsPlain(v: string, from: number, plusTail: number): boolean {
  let run = 0;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) {
      if (i > from && run === 0) return false;
      run = 0;
    } else if (c >= 48 && c <= 57) {
      if (++run > MAX_EXTENSION_DIGITS) return false;
    } else {
      return false;
    }
    if (plusTail >= 0 && ++plusTail >= PLUS_NUMBER_TAIL) return false;
  }
  return run > 0;
}
