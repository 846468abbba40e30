/**
 * A Bicep tokenizer: every character of the input belongs to exactly one token (the token texts concatenate back to
 * the input), it never throws, and text inside comments and strings never becomes an identifier.
 *
 * Strings are single-quoted with `\` escapes and `${…}` interpolation (nested to any depth); an interpolated string
 * is split into `string-head` (`'…${`), `string-middle` (`}…${`) and `string-tail` (`}…'`) tokens around the
 * expression tokens. `'''…'''` strings are verbatim (no escapes, no interpolation). `//` and `/* *\/` are comments;
 * `#…` at the start of a line is a directive (`#disable-next-line rule …`).
 */

export type BicepTokenType =
  | "ws"
  | "newline"
  | "comment"
  | "directive"
  | "string"
  | "string-head"
  | "string-middle"
  | "string-tail"
  | "multiline-string"
  | "identifier"
  | "number"
  | "punct"
  | "unknown";

export interface BicepToken {
  type: BicepTokenType;
  text: string;
  /** Offset in the input. */
  start: number;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
}

const PUNCT3 = new Set(["..."]);
const PUNCT2 = new Set(["==", "!=", "<=", ">=", "&&", "||", "??", "=>", "::", ".?", "=~", "!~"]);
const PUNCT1 = new Set([..."{}[]():,.?!=<>+-*/%@|&;"]);

const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Tokenizes Bicep source. Never throws; unterminated strings and comments run to the end of the input. */
export function tokenizeBicep(source: string): BicepToken[] {
  const tokens: BicepToken[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // One entry per open interpolation: the number of `{` opened inside it that are not yet closed.
  const interpolations: number[] = [];
  let atLineStart: boolean = true;

  const push = (type: BicepTokenType, end: number) => {
    const text = source.slice(i, end);
    tokens.push({ type, text, start: i, line, column: i - lineStart + 1 });
    for (let k = text.indexOf("\n"); k !== -1; k = text.indexOf("\n", k + 1)) {
      line++;
      lineStart = i + k + 1;
    }
    i = end;
  };

  /** Reads string content from `from` (just after `'` or `}`); returns the end offset and how it ended. */
  const stringBody = (from: number): { end: number; ended: "quote" | "interpolation" | "eof" } => {
    let j = from;
    while (j < n) {
      const c = source[j];
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === "'") return { end: j + 1, ended: "quote" };
      if (c === "$" && source[j + 1] === "{") return { end: j + 2, ended: "interpolation" };
      if (c === "\n") return { end: j, ended: "eof" }; // single-line strings end at a newline (error recovery)
      j++;
    }
    return { end: Math.min(j, n), ended: "eof" };
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    const ch = source[i];
    const startOfLine: boolean = atLineStart;
    atLineStart = false;
    if (ch === "\n" || (ch === "\r" && source[i + 1] === "\n")) {
      push("newline", ch === "\r" ? i + 2 : i + 1);
      atLineStart = true;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v" || ch === "\u00a0" || ch === "\ufeff") {
      let j = i + 1;
      while (j < n && /[ \t\f\v\u00a0\ufeff]|\r(?!\n)/.test(source[j])) j++;
      push("ws", j);
      atLineStart = startOfLine;
      continue;
    }
    if (ch === "/" && source[i + 1] === "/") {
      let j = source.indexOf("\n", i);
      if (j === -1) j = n;
      if (source[j - 1] === "\r") j--;
      push("comment", j);
      continue;
    }
    if (ch === "/" && source[i + 1] === "*") {
      const j = source.indexOf("*/", i + 2);
      push("comment", j === -1 ? n : j + 2);
      continue;
    }
    if (ch === "#" && startOfLine) {
      let j = source.indexOf("\n", i);
      if (j === -1) j = n;
      if (source[j - 1] === "\r") j--;
      push("directive", j);
      continue;
    }
    if (source.startsWith("'''", i)) {
      const j = source.indexOf("'''", i + 3);
      push("multiline-string", j === -1 ? n : j + 3);
      continue;
    }
    if (ch === "'") {
      const body = stringBody(i + 1);
      if (body.ended === "interpolation") {
        push("string-head", body.end);
        interpolations.push(0);
      } else push("string", body.end);
      continue;
    }
    if (ch === "}" && interpolations.length > 0 && interpolations[interpolations.length - 1] === 0) {
      interpolations.pop();
      const body = stringBody(i + 1);
      if (body.ended === "interpolation") {
        push("string-middle", body.end);
        interpolations.push(0);
      } else push("string-tail", body.end);
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(source.charCodeAt(j))) j++;
      push("identifier", j);
      continue;
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (j < n && (isDigit(source.charCodeAt(j)) || source[j] === ".")) j++;
      push("number", j);
      continue;
    }
    const three = source.slice(i, i + 3);
    const two = source.slice(i, i + 2);
    if (PUNCT3.has(three)) {
      push("punct", i + 3);
      continue;
    }
    if (PUNCT2.has(two)) {
      push("punct", i + 2);
      continue;
    }
    if (PUNCT1.has(ch)) {
      if (interpolations.length > 0) {
        if (ch === "{") interpolations[interpolations.length - 1]++;
        else if (ch === "}") interpolations[interpolations.length - 1]--;
      }
      push("punct", i + 1);
      continue;
    }
    // Anything else (a stray character, a lone surrogate half): one token, so the round trip holds.
    const cp = source.codePointAt(i) ?? 0;
    push("unknown", i + (cp > 0xffff ? 2 : 1));
  }
  return tokens;
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
