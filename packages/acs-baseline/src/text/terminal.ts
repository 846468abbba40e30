/**
 * The one terminal-safe escaper: everything acs-baseline prints (audit log renderings, CLI reports, refusal
 * messages, file names from a scan, text from ARM) passes through {@link escapeForTerminal}.
 */

/**
 * C0 and C1 controls (ESC, CR, LF, TAB, BEL, CSI …), DEL, the bidi embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), the directional marks (U+200E, U+200F, U+061C), the line and paragraph separators (U+2028, U+2029)
 * and lone surrogates.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes text safe to print on a terminal: every character that could move the cursor, clear the screen, start an
 * escape sequence or reorder the line (see above) is written as a visible `\u{…}` escape. Nothing else changes.
 * @public
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, "0")}}`);
}
