/**
 * Content echoes: which strings of a request body are content (an SMS text, an email's subject and body, a chat
 * message, a Call Automation prompt), and their removal from what a service answers, however it spells them: as sent,
 * cut short, HTML-escaped, inside a JSON string with any mix of JSON escapes (`\/`, `\u003d`, every character as
 * `\uXXXX`), written once or twice over, or percent-encoded (any mix of escapes in either case, a form's `+` for a
 * space), once or twice over.
 */
import { PERCENT_ESCAPE, percentDecodedReading, redactRanges, type Reading } from "../text/readings.js";
import { REDACTED } from "../text/scrub.js";

/**
 * Request body members whose values are content: SMS `message`, email `subject`/`plainText`/`html`, chat
 * `content`/`topic`/`metadata`, any `…displayName`, Call Automation's text and SSML prompts (`text`, `ssmlText`) and
 * the Teams call details it passes on (`callTopic`, `callContext`, `suggestedActions`).
 */
const CONTENT_KEYS =
  /^(message|content|subject|plaintext|html|text|ssmltext|body|\w*displayname|metadata|topic|calltopic|callcontext|suggestedactions)$/i;
/** Content shorter than this is not looked for in error text (it would match ordinary words). */
const MIN_ECHO = 4;
/** Bounds of the walk over a JSON body or an error's details. */
export const MAX_NODES = 2_000;
export const MAX_DEPTH = 16;
/** Echoes at least this long are also found cut short (a service that quotes only the start of the text). */
const PREFIX = 12;
/** How many times over JSON escapes are undone (a JSON string quoted inside another one). */
const UNESCAPE_LEVELS = 2;
/** How many times over percent-escapes are undone (`%20`, `%2520`). */
const DECODE_LEVELS = 2;

/** The content strings of a JSON request body (at least {@link MIN_ECHO} characters), longest first. */
export function contentOf(body: unknown): string[] {
  if (typeof body !== "string" || body.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const found = new Set<string>();
  let nodes = 0;
  const visit = (value: unknown, content: boolean, depth: number): void => {
    if (nodes++ > MAX_NODES || depth > MAX_DEPTH) return;
    if (typeof value === "string") {
      if (content && value.trim().length >= MIN_ECHO) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, content, depth + 1);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, content || CONTENT_KEYS.test(key), depth + 1);
    }
  };
  visit(parsed, false, 0);
  return [...found].sort((a, b) => b.length - a.length);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `echo` as it is and as HTML writers escape it (a proxy's or gateway's error page, an HTML-escaping service). */
function spellings(echo: string): string[] {
  return [
    echo,
    echo.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c),
    echo.replace(/[&<>]/g, (c) => HTML_ESCAPES[c] ?? c),
    echo.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
    echo.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  ];
}

/** JSON's two-character escapes. */
const SHORT_ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** `reading`'s text with its JSON string escapes undone; a backslash that starts no escape stays as it is. */
function unescaped(reading: Reading): Reading {
  const source = reading.text;
  const chars: string[] = [];
  const at: number[] = [];
  for (let i = 0; i < source.length; ) {
    at.push(reading.at[i] ?? i);
    if (source[i] === "\\") {
      const next = source[i + 1] ?? "";
      const hex = source.slice(i + 2, i + 6);
      if (next === "u" && HEX4.test(hex)) {
        chars.push(String.fromCharCode(Number.parseInt(hex, 16)));
        i += 6;
        continue;
      }
      const short = SHORT_ESCAPES.get(next);
      if (short !== undefined) {
        chars.push(short);
        i += 2;
        continue;
      }
    }
    chars.push(source[i] ?? "");
    i++;
  }
  at.push(reading.at[source.length] ?? source.length);
  return { text: chars.join(""), at };
}

/** Where `form` (or, when long enough, its start) occurs in `text`, as [start, end) ranges. */
function rangesOf(text: string, form: string, out: [number, number][]): void {
  const head = form.length < PREFIX ? form : form.slice(0, PREFIX);
  for (let at = text.indexOf(head); at >= 0; ) {
    let length = head.length;
    while (length < form.length && text[at + length] === form[length]) length++;
    out.push([at, at + length]);
    at = text.indexOf(head, at + length);
  }
}

/** Adds to `ranges` where `forms` occur in `reading` (or start, when long enough), as offsets in the original text. */
function findIn(reading: Reading, forms: readonly string[], ranges: [number, number][]): void {
  const found: [number, number][] = [];
  for (const form of forms) rangesOf(reading.text, form, found);
  for (const [start, end] of found) ranges.push([reading.at[start] ?? start, reading.at[end] ?? end]);
}

/** A space for every `+` (same length, so a reading's offsets still hold): a form writes a space as `+`. */
const plusAsSpace = (text: string): string => text.replaceAll("+", " ");

/**
 * Adds to `ranges` where `forms` occur percent-decoded in `reading` (up to {@link DECODE_LEVELS} times over), with
 * `+` and space read alike on both sides (a form writes a space as `+`, and a `+` as `%2B`).
 */
function findPercentEncoded(reading: Reading, forms: readonly string[], ranges: [number, number][]): void {
  if (!PERCENT_ESCAPE.test(reading.text) && !reading.text.includes("+")) return;
  const folded = forms.map(plusAsSpace);
  let decoded = reading;
  for (let level = 0; level < DECODE_LEVELS; level++) {
    decoded = percentDecodedReading(decoded);
    findIn({ text: plusAsSpace(decoded.text), at: decoded.at }, folded, ranges);
    // A JSON body quoted percent-encoded (a gateway echoing the request: `body=%7B%22message%22%3A%22Hi%5Cn…`) holds
    // its own JSON escapes once decoded: undone too.
    let inner = decoded;
    for (let u = 0; u < UNESCAPE_LEVELS && inner.text.includes("\\"); u++) {
      inner = unescaped(inner);
      findIn({ text: plusAsSpace(inner.text), at: inner.at }, folded, ranges);
    }
    if (!PERCENT_ESCAPE.test(decoded.text)) return;
  }
}

/**
 * `text` with every echoed content string replaced by {@link REDACTED}: as it is, HTML-escaped, and cut short (at
 * least its first {@link PREFIX} characters), read as it stands and with JSON string escapes undone (up to
 * {@link UNESCAPE_LEVELS} times over), so that `\/`, `\u0026` or an all-`\uXXXX` spelling hides nothing; and each of
 * those readings percent-decoded (up to {@link DECODE_LEVELS} times over, a `+` read as a space), so that an echo in a
 * URL or a form (`?message=Hello%20world%21`, `Hello+world`, `%48%65…`) hides nothing either. Linear in the text's
 * length for a given set of echoes.
 */
export function withoutEchoes(text: string, echoes: readonly string[]): string {
  if (echoes.length === 0) return text;
  const forms = [...new Set(echoes.flatMap(spellings))];
  const ranges: [number, number][] = [];
  let reading: Reading = { text, at: [] };
  for (let level = 0; ; level++) {
    findIn(reading, forms, ranges);
    findPercentEncoded(reading, forms, ranges);
    if (level === UNESCAPE_LEVELS || !reading.text.includes("\\")) break;
    reading = unescaped(reading);
  }
  return redactRanges(text, ranges, REDACTED);
}
