/**
 * An HCL (Terraform) tokenizer over the shared IaC tokenizer base (`tokenizerCore.ts`), with the same guarantees as
 * the Bicep one: the token texts concatenate back to the input, it never throws, and text inside comments, strings
 * and heredocs never becomes an identifier.
 *
 * Double-quoted templates are split around `${…}` / `%{…}` into `string-head` / `string-middle` / `string-tail`
 * tokens (`$${` and `%%{` are escapes); heredocs (`<<EOF`, `<<-EOF`) are one `heredoc` token; `#`, `//` and
 * `/* *\/` are comments.
 */
import type { CoreTokenType, LanguageSpec, Scanner, TemplateBodyEnd, Token } from "./tokenizerCore.js";
import { blockCommentRule, lineCommentEnd, tokenize } from "./tokenizerCore.js";

export type HclTokenType = CoreTokenType | "heredoc";

export type HclToken = Token<HclTokenType>;

const isIdPart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57) || c === 45;

function templateBody(source: string, from: number): TemplateBodyEnd {
  let j = from;
  while (j < source.length) {
    const c = source[j];
    if (c === "\\") {
      j += 2;
      continue;
    }
    if ((c === "$" || c === "%") && source[j + 1] === c && source[j + 2] === "{") {
      j += 3;
      continue;
    }
    if (c === '"') return { end: j + 1, ended: "quote" };
    if ((c === "$" || c === "%") && source[j + 1] === "{") return { end: j + 2, ended: "interpolation" };
    if (c === "\n") return { end: j, ended: "eol" };
    j++;
  }
  return { end: source.length, ended: "eol" };
}

type HclScanner = Scanner<HclTokenType>;

/** `<<EOF` / `<<-EOF` heredocs, up to the line holding only the marker. */
function heredocRule(s: HclScanner): boolean {
  if (!s.source.startsWith("<<", s.i)) return false;
  const m = /^<<(-?)([A-Za-z_][\w-]*)\r?\n/.exec(s.source.slice(s.i, s.i + 260));
  if (m === null) return false;
  const re = new RegExp(`\\n[ \\t]*${m[2]}[ \\t]*(?=\\r?\\n|$)`, "g");
  re.lastIndex = s.i + m[0].length - 1;
  const end = re.exec(s.source);
  s.push("heredoc", end === null ? s.source.length : end.index + end[0].length);
  return true;
}

const HCL: LanguageSpec<HclTokenType> = {
  whitespace: new Set([..." \t\r\ufeff\u00a0"]),
  isIdentifierPart: isIdPart,
  punctuation: [
    new Set(["..."]),
    new Set(["==", "!=", "<=", ">=", "&&", "||", "=>", "::"]),
    new Set([..."{}[]():,.?!=<>+-*/%;~"]),
  ],
  quote: '"',
  templateBody,
  rules: [
    (s: HclScanner) =>
      (s.source[s.i] === "#" || s.source.startsWith("//", s.i)) &&
      (s.push("comment", lineCommentEnd(s.source, s.i)), true),
    blockCommentRule,
    heredocRule,
  ],
};

/** Tokenizes HCL source. Never throws. */
export function tokenizeHcl(source: string): HclToken[] {
  return tokenize(source, HCL);
}

/** The value of a `string` token (no interpolation). */
export function hclStringValue(token: HclToken): string {
  const inner = token.text.slice(1, token.text.endsWith('"') && token.text.length >= 2 ? -1 : undefined);
  return inner.replace(/\\(.)/g, (_, e: string) => (({ n: "\n", r: "\r", t: "\t" }) as Record<string, string>)[e] ?? e);
}
