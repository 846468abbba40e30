/**
 * Comment, docstring and string masking for the text front ends (Python, C#, Java/Kotlin, Go, shell, PowerShell).
 * One pass over the source gives two views of the same length, with every line break kept (so offsets and line
 * numbers stay those of the file):
 * - `code`: comments and docstrings blanked, string contents blanked (the quotes stay), for rules about calls;
 * - `noComments`: comments and docstrings blanked, strings kept, for rules about string values (URLs, fragments).
 * A name that appears only in a comment or a documentation string can therefore never produce a finding.
 */

/** A string or comment delimiter pair. */
interface Quote {
  open: string;
  close: string;
  /** How the closing delimiter is escaped inside: a backslash, a backtick (PowerShell), doubling it, or not at all. */
  escape: "\\" | "`" | "double" | "none";
  /** Ends at a line break when not closed (an unterminated single-line string). */
  singleLine?: boolean;
  /** Masked like a comment when it opens a line (Python docstrings). */
  docstringAtLineStart?: boolean;
}

/** The lexical syntax of one language, as far as masking needs it. */
export interface SourceSyntax {
  lineComments: readonly string[];
  blockComments: readonly (readonly [string, string])[];
  /** Longest opening delimiter first. */
  strings: readonly Quote[];
  /** `#` starts a comment only at the start of a word (shell, PowerShell, YAML), not in `a#b` or `${#x}`. */
  commentAtWordStart?: boolean;
}

const C_FAMILY_COMMENTS = { lineComments: ["//"], blockComments: [["/*", "*/"]] as const };

/** The syntaxes of the languages the text front ends read. */
export const SYNTAX = {
  python: {
    lineComments: ["#"],
    blockComments: [],
    strings: [
      { open: '"""', close: '"""', escape: "\\", docstringAtLineStart: true },
      { open: "'''", close: "'''", escape: "\\", docstringAtLineStart: true },
      { open: '"', close: '"', escape: "\\", singleLine: true },
      { open: "'", close: "'", escape: "\\", singleLine: true },
    ],
  },
  csharp: {
    ...C_FAMILY_COMMENTS,
    strings: [
      { open: '"""', close: '"""', escape: "none" },
      { open: '@$"', close: '"', escape: "double" },
      { open: '$@"', close: '"', escape: "double" },
      { open: '@"', close: '"', escape: "double" },
      { open: '"', close: '"', escape: "\\", singleLine: true },
      { open: "'", close: "'", escape: "\\", singleLine: true },
    ],
  },
  java: {
    ...C_FAMILY_COMMENTS,
    strings: [
      { open: '"""', close: '"""', escape: "\\" },
      { open: '"', close: '"', escape: "\\", singleLine: true },
      { open: "'", close: "'", escape: "\\", singleLine: true },
    ],
  },
  go: {
    ...C_FAMILY_COMMENTS,
    strings: [
      { open: "`", close: "`", escape: "none" },
      { open: '"', close: '"', escape: "\\", singleLine: true },
      { open: "'", close: "'", escape: "\\", singleLine: true },
    ],
  },
  shell: {
    lineComments: ["#"],
    blockComments: [],
    commentAtWordStart: true,
    strings: [
      { open: "'", close: "'", escape: "none" },
      { open: '"', close: '"', escape: "\\" },
    ],
  },
  powershell: {
    lineComments: ["#"],
    blockComments: [["<#", "#>"]],
    commentAtWordStart: true,
    strings: [
      { open: '@"', close: '"@', escape: "none" },
      { open: "@'", close: "'@", escape: "none" },
      { open: '"', close: '"', escape: "`" },
      { open: "'", close: "'", escape: "double" },
    ],
  },
} satisfies Record<string, SourceSyntax>;

/** The two masked views of a source file (see the module comment). */
export interface MaskedSource {
  code: string;
  noComments: string;
}

const blank = (s: string) => s.replace(/[^\n]/g, " ");

function atWordStart(text: string, i: number): boolean {
  return i === 0 || /[\s;|&(]/.test(text[i - 1]);
}

/** Only blanks before `i` on its line (Python string prefixes such as `r`, `u`, `rb` before a docstring allowed). */
function atLineStart(text: string, i: number): boolean {
  let start = i;
  while (start > 0 && i - start < 2 && /[rRuUbBfF]/.test(text[start - 1])) start--;
  for (let j = start - 1; j >= 0; j--) {
    if (text[j] === "\n") return true;
    if (text[j] !== " " && text[j] !== "\t") return false;
  }
  return true;
}

/** End offset (exclusive) of the string or comment body that starts at `from`, before its closing delimiter. */
function bodyEnd(text: string, from: number, quote: Quote): { end: number; closed: boolean } {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote.singleLine === true && c === "\n") return { end: i, closed: false };
    if ((quote.escape === "\\" && c === "\\") || (quote.escape === "`" && c === "`")) {
      i++;
      continue;
    }
    if (text.startsWith(quote.close, i)) {
      if (quote.escape === "double" && text.startsWith(quote.close, i + quote.close.length)) {
        i += quote.close.length * 2 - 1;
        continue;
      }
      return { end: i, closed: true };
    }
  }
  return { end: text.length, closed: false };
}

/** What starts at offset `i`: a comment (line or block), a string, or nothing. */
function tokenAt(
  text: string,
  i: number,
  syntax: SourceSyntax,
): { kind: "line" | "block" | "string"; quote: Quote } | undefined {
  for (const [open, close] of syntax.blockComments) {
    if (text.startsWith(open, i)) return { kind: "block", quote: { open, close, escape: "none" } };
  }
  for (const open of syntax.lineComments) {
    if (text.startsWith(open, i) && (syntax.commentAtWordStart !== true || atWordStart(text, i))) {
      return { kind: "line", quote: { open, close: "\n", escape: "none" } };
    }
  }
  for (const quote of syntax.strings) if (text.startsWith(quote.open, i)) return { kind: "string", quote };
  return undefined;
}

/** Masks comments, docstrings and (in `code`) string contents; see {@link MaskedSource}. */
export function maskSource(text: string, syntax: SourceSyntax): MaskedSource {
  let code = "";
  let noComments = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const token = tokenAt(text, i, syntax);
    if (token === undefined) continue;
    const { quote } = token;
    const start = i + quote.open.length;
    const { end, closed } =
      token.kind === "line" ? { end: lineEnd(text, start), closed: false } : bodyEnd(text, start, quote);
    const stop = closed ? end + quote.close.length : end;
    code += text.slice(last, i);
    noComments += text.slice(last, i);
    const whole = text.slice(i, stop);
    if (token.kind !== "string" || (quote.docstringAtLineStart === true && atLineStart(text, i))) {
      code += blank(whole);
      noComments += blank(whole);
    } else {
      code += quote.open + blank(text.slice(start, end)) + (closed ? quote.close : "");
      noComments += whole;
    }
    last = stop;
    i = stop - 1;
  }
  return { code: code + text.slice(last), noComments: noComments + text.slice(last) };
}

function lineEnd(text: string, from: number): number {
  const n = text.indexOf("\n", from);
  return n === -1 ? text.length : n;
}
