/**
 * Undoes the escapes a developer can write a key in to get it past a pattern: JSON/JS `\uXXXX`, `\u{…}`, `\xXX`
 * (also behind doubled backslashes, as in JSON inside JSON) and URL encoding (`%3D`, `%3B`), applied up to three
 * times (double encoding).
 */

// One or more backslashes: an escape inside a string that was itself escaped (JSON in JSON) counts too.
// `\"`, `\'` and `\/` too: JSON writers escape quotes and (PHP, for one) slashes, `https:\/\/…`; and `\=`, `\:`,
// as Java's `Properties.store` writes them in a `.properties` file (`endpoint\=https\://…`).
const ESCAPE = /\\+u\{([0-9a-fA-F]{1,6})\}|\\+u([0-9a-fA-F]{4})|\\+x([0-9a-fA-F]{2})|%([0-9a-fA-F]{2})|\\+(["'/=:])/g;
const HAS_ESCAPE = /\\+u\{[0-9a-fA-F]{1,6}\}|\\+u[0-9a-fA-F]{4}|\\+x[0-9a-fA-F]{2}|%[0-9a-fA-F]{2}|\\["'/=:]/;
const ROUNDS = 3;

/** True when `text` holds an escape {@link unescapeText} would undo. */
export function hasEscapes(text: string): boolean {
  return HAS_ESCAPE.test(text);
}

function decodeOne(
  _match: string,
  braced?: string,
  unicode?: string,
  hex?: string,
  percent?: string,
  quoted?: string,
): string {
  if (quoted !== undefined) return quoted;
  const code = parseInt(braced ?? unicode ?? hex ?? percent ?? "0", 16);
  return code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
}

/**
 * `text` with JSON/JS escapes and URL encoding undone (each `%XX` is one character: ASCII comes back exactly, which
 * is all a connection string holds). Text without escapes comes back unchanged.
 */
export function unescapeText(text: string): string {
  let out = text;
  for (let round = 0; round < ROUNDS && hasEscapes(out); round++) {
    const next = out.replace(ESCAPE, decodeOne);
    if (next === out) break;
    out = next;
  }
  return out;
}
