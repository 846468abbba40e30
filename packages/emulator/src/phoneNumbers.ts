/**
 * Phone-number shapes for the request log (`maskPhoneNumbersInPath` in `requestLog.ts`): E.164 numbers in the
 * spellings callers, SDKs and URLs produce, and national formats; each masked to its last four digits. Every pattern is
 * a flat sequence of bounded or single-character repetitions (no nested quantifier over the same characters), so
 * matching stays linear.
 *
 * A copy of the runtime's `packages/acs-baseline/src/text/phoneNumbers.ts` below this comment, character for
 * character: the emulator depends on nothing of the library (it is published on its own), so the rule is copied, and
 * `test/emulator/requestLogPhoneSpellings.test.ts` fails when the two differ. Change both together.
 */

/** `%` percent-encoded any number of times (`%`, `%25`, `%2525`, …): the start of an encoded byte. */
const PCT = "%(?:25)*";
/** A plus sign: plain, percent-encoded any number of times, full-width, or `\u002B` as text. */
const PLUS = `(?:\\+|${PCT}2[Bb]|\\\\u002[Bb]|\\uFF0B)`;
/** A decimal digit of any script: ASCII, full-width, Arabic-Indic (`١`), Devanagari, … (the patterns have the `u` flag). */
const DIGIT = "\\p{Nd}";
/** The Unicode hyphens and dashes U+2010–U+2015, the minus sign U+2212, the full-width hyphen-minus. */
const DASHES = "\\u2010-\\u2015\\u2212\\uFF0D";
/**
 * The UTF-8 of a no-break space (U+00A0), a middle dot (U+00B7), the spaces and zero-width spaces U+2000–U+200D, the
 * narrow no-break space (U+202F), the dashes U+2010–U+2015 and the minus sign (U+2212), percent-encoded.
 */
const ENCODED_UNICODE_SEPARATOR =
  `[Cc]2${PCT}(?:[Aa]0|[Bb]7)|[Ee]2${PCT}80${PCT}(?:8[0-9A-Da-d]|9[0-5]|[Aa][Ff])|[Ee]2${PCT}88${PCT}92` +
  `|[Ee][Ff]${PCT}[Bb][Cc]${PCT}8[Dd]`;
/**
 * Never a separator of a number after a `+`: the start of an escape (`%`, `\`, `&#`), `=`, `<`, `>`, and the marks a
 * list or a time uses (`, + ~ * :`, allowed only between two digits below; `***` is a mask), with their full-width,
 * small and superscript forms.
 */
const NOT_A_SEPARATOR =
  "%\\\\&#=<>,+~*:\\uFF03\\uFF05\\uFF06\\uFF0A-\\uFF0C\\uFF1A\\uFF1C-\\uFF1E\\uFF3C\\uFF5E" +
  "\\uFE50\\uFE55\\uFE5F-\\uFE62\\uFE64-\\uFE66\\uFE68\\uFE69\\u207A\\u207C\\u208A\\u208C";
/**
 * Any other character that is neither a letter nor a digit: white space, punctuation (brackets, `|`, `;`, `'`, the
 * full-width `（）．／－`, `・`), symbols, format characters (a soft hyphen, bidi marks, zero-width spaces, U+180E) and
 * combining marks; and the prolonged-sound mark `ー` (a letter by its class, a dash by its look).
 */
const ANY_SEPARATOR = `(?![${NOT_A_SEPARATOR}])[\\s\\p{P}\\p{Z}\\p{S}\\p{Cf}\\p{M}\\u30FC\\uFF70]`;
/**
 * Percent-encoded: white space and control `%09`–`%0D`, `! " $ ' ( ) - . / ; ? @ [ ] ^ _ \` { | }`; the UTF-8 of a
 * no-break space, a soft hyphen, a middle dot, combining marks (U+0300–U+036F, U+20D0–U+20FF, U+FE20–U+FE2F),
 * U+180E, the general punctuation U+2000–U+206F (spaces, dashes, bidi marks, `․`, `‧`, `⁃`), the minus sign, the ideographic space, `・`, `ー`, the
 * small `﹘﹙﹚﹛﹜﹝﹞﹣`, a byte-order mark, and the full-width `！＂＇（）－．／；［］＿｛｜｝` and `｟｠｡｢｣､･ｰ`.
 */
const ENCODED_SEPARATOR =
  `0[9A-Da-d]|2[0-247-9D-Fd-f]|3[BbFf]|40|5[BbD-Fd-f]|60|7[B-Db-d]` +
  `|[Cc]2${PCT}(?:[Aa][0Dd]|[Bb]7)|[Cc][Cc]${PCT}[89AaBb][0-9A-Fa-f]|[Cc][Dd]${PCT}[89Aa][0-9A-Fa-f]` +
  `|[Ee]1${PCT}[Aa]0${PCT}8[Ee]|[Ee]2${PCT}80${PCT}[89AaBb][0-9A-Fa-f]|[Ee]2${PCT}81${PCT}[89Aa][0-9A-Fa-f]` +
  `|[Ee]2${PCT}83${PCT}[89AaBb][0-9A-Fa-f]|[Ee][Ff]${PCT}[Bb]8${PCT}[Aa][0-9A-Fa-f]|[Ee]2${PCT}88${PCT}92` +
  `|[Ee]3${PCT}80${PCT}80|[Ee]3${PCT}83${PCT}[Bb][BbCc]|[Ee][Ff]${PCT}[Bb]9${PCT}(?:9[89A-Ea-e]|[Aa]3)` +
  `|[Ee][Ff]${PCT}[Bb][Bb]${PCT}[Bb][Ff]|[Ee][Ff]${PCT}[Bb][Cc]${PCT}(?:8[1-27-9D-Fd-f]|9[Bb]|[Bb][BbDdFf])` +
  `|[Ee][Ff]${PCT}[Bb][Dd]${PCT}(?:9[B-Db-d]|[Aa][0-5]|[Bb]0)`;
/**
 * A JSON escape (`\\n`, `\\t`, `\\u0020`, `\\u2013`, `\\uFF08`, …) of anything but a digit or a mark that must be
 * between two digits (`% * + , : ~`).
 */
const JSON_ESCAPED_SEPARATOR = "\\\\[bfnrt]|\\\\u(?!00(?:2[5A-Ca-c]|3[0-9Aa]|7[Ee])|[Ff][Ff]0[BbCc])[0-9A-Fa-f]{4}";
/**
 * A separator inside an E.164 number: any character that is no letter or digit ({@link ANY_SEPARATOR}), also
 * percent-encoded or JSON-escaped. A comma or a plus sign (also full-width) only between two digits
 * (`+1,425,555,0127`, `+1+425+555+0123`), so that a list (`+1…, +1…`) stays two numbers; so also `~`, `*` and `:`
 * (`+1~425~555~0199`), also percent-encoded (a time zone `+01:00` is too short for a number).
 */
const SEP =
  `(?:${ANY_SEPARATOR}|${PCT}(?:${ENCODED_SEPARATOR})|${JSON_ESCAPED_SEPARATOR}` +
  `|(?<=${DIGIT})(?:[,+~*:\\uFF0B\\uFF0C]|${PCT}(?:2[AaBbCc]|3[Aa]|7[Ee]))(?=${DIGIT}))`;
/** A digit of a number after a `+`: any decimal digit, or a superscript or subscript one (`+¹⁴²⁵…`). */
const E164_DIGIT = "[\\p{Nd}\\u00B2\\u00B3\\u00B9\\u2070\\u2074-\\u2079\\u2080-\\u2089]";
/** A separator in a national format: a space, `.`, a dash or a middle dot, plain or percent-encoded. */
const NATIONAL_SEP = `(?:[\\s.\\u00B7${DASHES}-]|${PCT}(?:20|2[DdEe]|${ENCODED_UNICODE_SEPARATOR}))`;
/** Not inside a word, a longer number, a version or an address: nothing of those right before. */
const NATIONAL_START = `(?:(?<![\\w+.,\\u00B7${DASHES}\\p{Nd}])|(?<=${PCT}(?:20|28|2[Ff]|3[Aa])))`;
/** Not followed by more of a number: a digit, a letter, or a separator and a digit (`1.2.3.4`, `…-0123-9`). */
const NATIONAL_END = `(?!${DIGIT}|\\w|[-.,\\u00B7${DASHES}]${DIGIT})`;

/** A bare run of digits starts after no word, number or `%` (`%20100000` is a space and 100000), after a byte
 * percent-encoded (`%2014255550123`), or after an `_` that starts a word (`/_14255550199`, not `rg_20261207`). */
const BARE_START = `(?:(?<![\\w+.%\\p{Nd}-])|(?<=${PCT}[0-9A-Fa-f]{2})|(?<=(?:^|[^\\w.%\\p{Nd}-])_))`;
/** An ISO date (`2026-12-07`, dashes of any kind) is not a group of a national number. */
const NOT_A_DATE = `(?!${DIGIT}{4}[${DASHES}-]${DIGIT}{2}[${DASHES}-]${DIGIT}{2}(?!${DIGIT}))`;

/** A separator between the digit groups of a number as written in text: one space, `.`, `/` or dash. */
const GROUP_SEP = `[ \\u00A0\\u202F./${DASHES}-]`;
/** Not a date (`2026-12-07`, `2026/12/07`, `07.12.2026`) nor a range of years (`2020-2024`) at this point. */
const NO_DATE =
  `(?!${DIGIT}{4}[./${DASHES}-]${DIGIT}{1,2}[./${DASHES}-]${DIGIT}{1,2}(?!${DIGIT})` +
  `|${DIGIT}{1,2}[./${DASHES}-]${DIGIT}{1,2}[./${DASHES}-]${DIGIT}{4}(?!${DIGIT})` +
  `|(?:19|20)\\d\\d[${DASHES}-](?:19|20)\\d\\d(?!${DIGIT}))`;
/** A digit group followed by its separator; after an area code in parentheses the separator is optional. */
const GROUP = `${NO_DATE}(?:\\(${DIGIT}{1,5}\\)${GROUP_SEP}?|${DIGIT}{1,8}${GROUP_SEP})`;

/**
 * True when digit groups joined by single separators read as a phone number: 10–15 digits, and
 * - joined by `.` or `/` (only that one, all through): grouped as a North American number (`1.425.5550199`,
 *   `425/555/0199`) or in pairs (`01.23.45.67.89`), so a version (`12.345.67890`), an IP address, a decimal number or
 *   a version and a count (`1.2.3 1234567`) stay as they are;
 * - two groups: an area code in parentheses, a trunk prefix `0` (`030 1234567`), or a North American area code and
 *   number (`425 5550199`: neither starts with 0 or 1), so two counts side by side (`seq 100 1000000`) stay;
 * - three groups or more: any (`0033 1 23 45 67 89`, `001 425 5550199`).
 */
function isGroupedNumber(match: string): boolean {
  const count = [...digitsOf(match)].length;
  if (count < 10 || count > 15) return false;
  const separators = match.replace(/[\p{Nd}()]/gu, "");
  const groups = match.split(/[^\p{Nd}()]/u).map(digitsOf);
  if (/[./]/.test(separators)) {
    const lengths = groups.map((group) => [...group].length).join(",");
    return [...separators].every((c) => c === separators[0]) && /^(?:1,)?3,(?:7|3,4)$|^2(?:,2){4,6}$/.test(lengths);
  }
  if (groups.length > 2 || match.startsWith("(")) return true;
  return (groups[0] ?? "").startsWith("0") || /^[2-9]\d\d,[2-9]\d{6}$/.test(groups.join(","));
}

/** A pattern of the scrubber and what its matches become. */
export type ScrubPattern = readonly [RegExp, (match: string, ...groups: string[]) => string];

/**
 * The phone-number patterns, in the order they run (after the secret patterns).
 *
 * 0. Any 2–7 groups of digits joined by single spaces, dashes, `.` or `/`, an area code in parentheses or not, holding
 *    10–15 digits (`0033 1 23 45 67 89`, `(425) 5550199`, `425-5550199`, `1.425.5550199`, `425/555/0199`); not a
 *    date, a decimal number, a version or an IP address ({@link isGroupedNumber}), nor within 24 characters without
 *    a letter after a `+` (the next pattern's). First, so that a bare run of 8+ digits is not masked alone, leaving
 *    its area code.
 * 1. E.164: `+` and 7–15 digits with separators ({@link SEP}; up to 26 digits and separators, then further digit
 *    groups with up to 5 separators each); or a bare run of 8–15 digits (not the whole part of a decimal number,
 *    `10000000.5`).
 * 2. North American national formats with any separator, 3-3-4 or 1-3-3-4 digits, the area code in parentheses or
 *    not (`(425)555-0123`, `425.555.0123`, `1-425-555-0123`, `1 (425) 555–0123`), separators also percent-encoded.
 * 3. Other national formats split by spaces, dashes or parentheses, 3–5 groups of 2–4 digits holding 10 or more
 *    digits (`001 425 555 0123`, `020 7946 0958`); not a date and time (`2026-12-07 17:04`).
 * 4. A run of 10–15 digits glued to a word (`x14255550123`, `user_14255550123`), {@link isGluedNumber}.
 */
export const PHONE_PATTERNS: readonly ScrubPattern[] = [
  [
    new RegExp(
      `(?<![\\w+.,/:\\u00B7${DASHES}\\p{Nd}-])(?<!${PLUS}[\\P{L}\\u30FC\\uFF70]{0,24})` +
        `(?:${GROUP}){1,6}${NO_DATE}${DIGIT}{2,8}` +
        `(?![\\w:${DIGIT}${DASHES}-]|[.,/]${DIGIT})`,
      "gu",
    ),
    (m) => (isGroupedNumber(m) ? maskPhoneNumber(m) : m),
  ],
  [
    new RegExp(
      `${PLUS}${SEP}{0,4}${E164_DIGIT}(?:${E164_DIGIT}|${SEP}){5,24}${E164_DIGIT}(?:${SEP}{0,5}${E164_DIGIT}){0,12}` +
        `|${BARE_START}${DIGIT}{8,15}(?![\\w${DIGIT}-]|\\.${DIGIT})`,
      "gu",
    ),
    // Fewer than 8 digits with a `:` is a time (`+01:00:00`), not a number cut short.
    (m) => ([...digitsOf(m)].length < 8 && /:|%(?:25)*3[Aa]/.test(m) ? m : maskPhoneNumber(m)),
  ],
  [
    new RegExp(
      `${NATIONAL_START}(?:${DIGIT}${NATIONAL_SEP})?` +
        `(?:(?:\\(|${PCT}28)${DIGIT}{3}(?:\\)|${PCT}29)${NATIONAL_SEP}?|${DIGIT}{3}${NATIONAL_SEP})` +
        `${DIGIT}{3}${NATIONAL_SEP}${DIGIT}{4}${NATIONAL_END}`,
      "gu",
    ),
    (m) => maskPhoneNumber(m),
  ],
  [
    new RegExp(
      `(?<![\\w+.-])${NOT_A_DATE}\\(?${DIGIT}{2,4}\\)?(?:[\\s${DASHES}-]{1,2}${NOT_A_DATE}\\(?${DIGIT}{2,4}\\)?){2,4}(?![\\w:${DIGIT}-]|[.,]${DIGIT})`,
      "gu",
    ),
    (m) => ([...digitsOf(m)].length >= 10 ? maskPhoneNumber(m) : m),
  ],
  [
    new RegExp(`(?<![\\p{L}\\p{N}_])([\\p{L}_]{1,32})(${DIGIT}{10,15})(?![\\p{L}\\p{N}])`, "gu"),
    (m, word = "", digits = "") => (isGluedNumber(word, digits) ? `${word}${maskPhoneNumber(digits)}` : m),
  ],
];

/**
 * True when a run of 10–15 digits right after a word (`x14255550123`, `user_14255550123`) reads as a phone number:
 * the letters right before it (after the last `_`) are not hexadecimal (a hash or a GUID's part: `deadbeef142…`,
 * `resource_a1425…`), and the digits are neither a Unix time (10 or 13 digits from `1`: no North American number
 * starts so) nor a date stamp (`backup_202612071704`).
 */
function isGluedNumber(word: string, digits: string): boolean {
  const ascii = digitsOf(digits);
  const letters = word.slice(word.lastIndexOf("_") + 1);
  if (letters !== "" && !/[^A-Fa-f]/.test(letters)) return false;
  if ((ascii.length === 10 || ascii.length === 13) && ascii.startsWith("1")) return false;
  return !/^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])/.test(ascii);
}

/**
 * Masks a phone number to its last four digits: `+14255550123` (or `%2B14255550123`) → `***0123`. Anything with
 * fewer than 8 digits becomes `***`. Digits of other scripts than ASCII and full-width are kept as written.
 */
export function maskPhoneNumber(value: string): string {
  const digits = [...digitsOf(value)];
  return digits.length < 8 ? "***" : `***${digits.slice(-4).join("")}`;
}

/**
 * The digits of a phone-number match: escapes (`%2B`, `%252B`, `\u002B`, `\u0020`) removed, full-width and
 * superscript digits as ASCII.
 */
function digitsOf(value: string): string {
  return value
    .replace(/\\u[0-9A-Fa-f]{4}/g, "")
    .replace(/%(?:25)*[0-9A-Fa-f]{2}/g, "")
    .normalize("NFKC")
    .replace(/\P{Nd}/gu, "");
}

/** A run of percent-escapes (`%XX`, hex digits). */
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

/** One run of escapes decoded as UTF-8; each escape that is not part of a well-formed sequence kept as written. */
function decodedEscapes(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    let out = "";
    for (let i = 0; i < run.length; ) {
      const lead = parseInt(run.slice(i + 1, i + 3), 16);
      const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
      let decoded: string | undefined;
      try {
        decoded = length === 0 ? undefined : decodeURIComponent(run.slice(i, i + 3 * length));
      } catch {
        decoded = undefined;
      }
      out += decoded ?? run.slice(i, i + 3);
      i += decoded === undefined ? 3 : 3 * length;
    }
    return out;
  }
}

/**
 * `text` percent-decoded up to `depth` times, leniently: each well-formed escape (UTF-8 sequence) is decoded, a
 * malformed one (`%ZZ`, a lone `%`, a byte that is not UTF-8) is kept as written, so that it hides nothing after or
 * before it (`%2B%31…%39%ZZ`); then NFKC-normalised (full-width digits as ASCII).
 */
export function percentDecoded(text: string, depth: number): string {
  let out = text;
  for (let i = 0; i < depth && out.includes("%"); i++) {
    const next = out.replace(ESCAPES, decodedEscapes);
    if (next === out) break;
    out = next;
  }
  return out.normalize("NFKC");
}
