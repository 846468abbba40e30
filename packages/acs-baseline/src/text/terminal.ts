/**
 * The one terminal-safe escaper: everything acs-baseline prints (audit log renderings, CLI reports, refusal
 * messages, file names from a scan, text from ARM) passes through {@link escapeForTerminal}.
 */

/**
 * C0 and C1 controls (ESC, CR, LF, TAB, BEL, CSI …), DEL, the line and paragraph separators (U+2028, U+2029), every
 * format character (Unicode category Cf: the bidi embeddings, overrides, isolates and marks, zero-width spaces and
 * joiners, the byte-order mark, soft hyphens, and the invisible tag characters U+E0000–U+E007F that can smuggle text
 * past a reader) and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/**
 * Makes text safe to print on a terminal: every character that could move the cursor, clear the screen, start an
 * escape sequence or reorder the line (see above) is written as a visible `\u{…}` escape. Nothing else changes.
 * @public
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}}`);
}
