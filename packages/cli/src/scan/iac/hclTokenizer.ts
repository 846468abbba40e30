/**
 * An HCL (Terraform) tokenizer with the same guarantees as the Bicep one: the token texts concatenate back to the
 * input, it never throws, and text inside comments, strings and heredocs never becomes an identifier.
 *
 * Double-quoted templates are split around `${…}` / `%{…}` into `string-head` / `string-middle` / `string-tail`
 * tokens (`$${` and `%%{` are escapes); heredocs (`<<EOF`, `<<-EOF`) are one `heredoc` token; `#`, `//` and
 * `/* *\/` are comments.
 */

export type HclTokenType =
  | "ws"
  | "newline"
  | "comment"
  | "string"
  | "string-head"
  | "string-middle"
  | "string-tail"
  | "heredoc"
  | "identifier"
  | "number"
  | "punct"
  | "unknown";

export interface HclToken {
  type: HclTokenType;
  text: string;
  start: number;
  line: number;
  column: number;
}

const PUNCT2 = new Set(["==", "!=", "<=", ">=", "&&", "||", "=>", "::"]);
const PUNCT1 = new Set([..."{}[]():,.?!=<>+-*/%;~"]);
const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57) || c === 45;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Tokenizes HCL source. Never throws. */
export function tokenizeHcl(source: string): HclToken[] {
  const tokens: HclToken[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const interpolations: number[] = [];
  const push = (type: HclTokenType, end: number) => {
    const text = source.slice(i, end);
    tokens.push({ type, text, start: i, line, column: i - lineStart + 1 });
    for (let k = text.indexOf("\n"); k !== -1; k = text.indexOf("\n", k + 1)) {
      line++;
      lineStart = i + k + 1;
    }
    i = end;
  };
  const templateBody = (from: number): { end: number; ended: "quote" | "interpolation" | "eol" } => {
    let j = from;
    while (j < n) {
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
    return { end: n, ended: "eol" };
  };
  while (i < n) {
    const c = source.charCodeAt(i);
    const ch = source[i];
    if (ch === "\n" || (ch === "\r" && source[i + 1] === "\n")) {
      push("newline", ch === "\r" ? i + 2 : i + 1);
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\ufeff" || ch === "\u00a0") {
      let j = i + 1;
      while (j < n && (source[j] === " " || source[j] === "\t" || source[j] === "\ufeff" || source[j] === "\u00a0" || (source[j] === "\r" && source[j + 1] !== "\n"))) j++;
      push("ws", j);
      continue;
    }
    if (ch === "#" || (ch === "/" && source[i + 1] === "/")) {
      let j = source.indexOf("\n", i);
      if (j === -1) j = n;
      if (source[j - 1] === "\r") j--;
      push("comment", Math.max(j, i + 1));
      continue;
    }
    if (ch === "/" && source[i + 1] === "*") {
      const j = source.indexOf("*/", i + 2);
      push("comment", j === -1 ? n : j + 2);
      continue;
    }
    if (ch === "<" && source[i + 1] === "<") {
      const m = /^<<(-?)([A-Za-z_][\w-]*)\r?\n/.exec(source.slice(i, i + 260));
      if (m !== null) {
        const marker = m[2];
        const re = new RegExp(`\\n[ \\t]*${marker}[ \\t]*(?=\\r?\\n|$)`, "g");
        re.lastIndex = i + m[0].length - 1;
        const end = re.exec(source);
        push("heredoc", end === null ? n : end.index + end[0].length);
        continue;
      }
    }
    if (ch === '"') {
      const body = templateBody(i + 1);
      if (body.ended === "interpolation") {
        push("string-head", body.end);
        interpolations.push(0);
      } else push("string", body.end);
      continue;
    }
    if (ch === "}" && interpolations.length > 0 && interpolations[interpolations.length - 1] === 0) {
      interpolations.pop();
      const body = templateBody(i + 1);
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
    const two = source.slice(i, i + 2);
    if (source.startsWith("...", i)) {
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
    const cp = source.codePointAt(i) ?? 0;
    push("unknown", i + (cp > 0xffff ? 2 : 1));
  }
  return tokens;
}

/** The value of a `string` token (no interpolation). */
export function hclStringValue(token: HclToken): string {
  const inner = token.text.slice(1, token.text.endsWith('"') && token.text.length >= 2 ? -1 : undefined);
  return inner.replace(/\\(.)/g, (_, e: string) => ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e);
}
