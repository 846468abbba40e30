/**
 * A Bicep tokenizer over the shared IaC tokenizer base (`tokenizerCore.ts`): every character of the input belongs to
 * exactly one token (the token texts concatenate back to the input), it never throws, and text inside comments and
 * strings never becomes an identifier.
 *
 * Strings are single-quoted with `\` escapes and `${…}` interpolation (nested to any depth); an interpolated string
 * is split into `string-head` (`'…${`), `string-middle` (`}…${`) and `string-tail` (`}…'`) tokens around the
 * expression tokens. `'''…'''` strings are verbatim (no escapes, no interpolation). `//` and `/* *\/` are comments;
 * `#…` at the start of a line is a directive (`#disable-next-line rule …`).
 */
import type { CoreTokenType, LanguageSpec, Scanner, TemplateBodyEnd, Token } from "./tokenizerCore.js";
import { blockCommentRule, lineCommentEnd, tokenize } from "./tokenizerCore.js";

export type BicepTokenType = CoreTokenType | "directive" | "multiline-string";

export type BicepToken = Token<BicepTokenType>;

const isIdPart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57);

/** Reads string content from `from` (just after `'` or `}`); returns the end offset and how it ended. */
function stringBody(source: string, from: number): TemplateBodyEnd {
  let j = from;
  while (j < source.length) {
    const c = source[j];
    if (c === "\\") {
      j += 2;
      continue;
    }
    if (c === "'") return { end: j + 1, ended: "quote" };
    if (c === "$" && source[j + 1] === "{") return { end: j + 2, ended: "interpolation" };
    if (c === "\n") return { end: j, ended: "eol" }; // single-line strings end at a newline (error recovery)
    j++;
  }
  return { end: source.length, ended: "eol" };
}

type BicepScanner = Scanner<BicepTokenType>;

const BICEP: LanguageSpec<BicepTokenType> = {
  whitespace: new Set([..." \t\r\f\v\u00a0\ufeff"]),
  isIdentifierPart: isIdPart,
  punctuation: [
    new Set(["..."]),
    new Set(["==", "!=", "<=", ">=", "&&", "||", "??", "=>", "::", ".?", "=~", "!~"]),
    new Set([..."{}[]():,.?!=<>+-*/%@|&;"]),
  ],
  quote: "'",
  templateBody: stringBody,
  rules: [
    (s: BicepScanner) => s.source.startsWith("//", s.i) && (s.push("comment", lineCommentEnd(s.source, s.i)), true),
    blockCommentRule,
    (s: BicepScanner) =>
      s.source[s.i] === "#" && s.atLineStart && (s.push("directive", lineCommentEnd(s.source, s.i)), true),
    (s: BicepScanner) => {
      if (!s.source.startsWith("'''", s.i)) return false;
      const j = s.source.indexOf("'''", s.i + 3);
      s.push("multiline-string", j === -1 ? s.source.length : j + 3);
      return true;
    },
  ],
};

/** Tokenizes Bicep source. Never throws; unterminated strings and comments run to the end of the input. */
export function tokenizeBicep(source: string): BicepToken[] {
  return tokenize(source, BICEP);
}

/** The decoded value of a `string` or `multiline-string` token (no interpolation). */
export function bicepStringValue(token: BicepToken): string {
  if (token.type === "multiline-string") {
    const inner = token.text.slice(3, token.text.endsWith("'''") && token.text.length >= 6 ? -3 : undefined);
    return inner.replace(/^\r?\n/, "");
  }
  const inner = token.text.slice(1, token.text.endsWith("'") && token.text.length >= 2 ? -1 : undefined);
  return inner.replace(/\\(u\{[0-9a-fA-F]+\}|.)/g, (_, e: string) => {
    if (e.startsWith("u{")) return String.fromCodePoint(Math.min(parseInt(e.slice(2, -1), 16), 0x10ffff));
    return ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e;
  });
}
