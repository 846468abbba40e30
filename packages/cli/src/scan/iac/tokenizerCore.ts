/**
 * The tokenizer base the IaC front ends (Bicep, HCL) share. Every character of the input belongs to exactly one
 * token (the token texts concatenate back to the input), tokenizing never throws, and each token carries its offset,
 * line and column. A language supplies its whitespace, identifier and punctuation sets, how a string template body
 * reads, and the rules of its own (comments, directives, heredocs), tried in order after newlines and whitespace.
 */

/** The token types every language shares. */
export type CoreTokenType =
  | "ws"
  | "newline"
  | "comment"
  | "string"
  | "string-head"
  | "string-middle"
  | "string-tail"
  | "identifier"
  | "number"
  | "punct"
  | "unknown";

/** One token. */
export interface Token<T extends string> {
  type: T;
  text: string;
  /** Offset in the input. */
  start: number;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
}

/** How a string template body ended: at its closing quote, at an interpolation opener, or at the line's end. */
export interface TemplateBodyEnd {
  end: number;
  ended: "quote" | "interpolation" | "eol";
}

/** The running state a language rule reads and advances. */
export interface Scanner<T extends string> {
  readonly source: string;
  /** Current offset. */
  readonly i: number;
  /** True when only whitespace precedes the current offset on its line. */
  readonly atLineStart: boolean;
  /** Emits a token from the current offset to `end` and moves there. */
  push(type: T, end: number): void;
}

/** What a language tells the shared tokenizer. */
export interface LanguageSpec<T extends string> {
  /** Characters that start and continue whitespace (a `\r` before `\n` is a newline instead). */
  readonly whitespace: ReadonlySet<string>;
  readonly isIdentifierPart: (code: number) => boolean;
  /** Punctuation, longest first: three-, two- and one-character sets. */
  readonly punctuation: readonly [ReadonlySet<string>, ReadonlySet<string>, ReadonlySet<string>];
  /** The character that opens a string template. */
  readonly quote: string;
  /** Reads a template body from `from` (just after the quote or a closing `}`). */
  readonly templateBody: (source: string, from: number) => TemplateBodyEnd;
  /** Language rules, tried in order; a rule that pushes a token returns true. */
  readonly rules: readonly ((s: Scanner<T>) => boolean)[];
}

const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** The end of a `//` or `#` comment starting at `i`: the line's end, before a `\r`. */
export function lineCommentEnd(source: string, i: number): number {
  let j = source.indexOf("\n", i);
  if (j === -1) j = source.length;
  if (source[j - 1] === "\r") j--;
  return Math.max(j, i + 1);
}

/** A rule for `/* … *\/` comments (unterminated ones run to the end). */
export function blockCommentRule<T extends string>(s: Scanner<T | "comment">): boolean {
  if (s.source[s.i] !== "/" || s.source[s.i + 1] !== "*") return false;
  const j = s.source.indexOf("*/", s.i + 2);
  s.push("comment", j === -1 ? s.source.length : j + 2);
  return true;
}

class TokenizerRun<T extends string> implements Scanner<T> {
  readonly tokens: Token<T>[] = [];
  i = 0;
  atLineStart = true;
  private line = 1;
  private lineStart = 0;
  /** One entry per open interpolation: the number of `{` opened inside it that are not yet closed. */
  readonly interpolations: number[] = [];

  constructor(readonly source: string) {}

  push(type: T, end: number): void {
    const text = this.source.slice(this.i, end);
    this.tokens.push({ type, text, start: this.i, line: this.line, column: this.i - this.lineStart + 1 });
    for (let k = text.indexOf("\n"); k !== -1; k = text.indexOf("\n", k + 1)) {
      this.line++;
      this.lineStart = this.i + k + 1;
    }
    this.i = end;
  }
}

type Run<T extends string> = TokenizerRun<T | CoreTokenType>;

function whitespace<T extends string>(run: Run<T>, spec: LanguageSpec<T | CoreTokenType>): boolean {
  const { source, i } = run;
  const ch = source[i];
  if (ch === "\n" || (ch === "\r" && source[i + 1] === "\n")) {
    run.push("newline", ch === "\r" ? i + 2 : i + 1);
    run.atLineStart = true;
    return true;
  }
  if (!spec.whitespace.has(ch)) return false;
  let j = i + 1;
  while (j < source.length && spec.whitespace.has(source[j]) && !(source[j] === "\r" && source[j + 1] === "\n")) j++;
  const atLineStart = run.atLineStart;
  run.push("ws", j);
  run.atLineStart = atLineStart;
  return true;
}

function template<T extends string>(run: Run<T>, spec: LanguageSpec<T | CoreTokenType>): boolean {
  const ch = run.source[run.i];
  const closing =
    ch === "}" && run.interpolations.length > 0 && run.interpolations[run.interpolations.length - 1] === 0;
  if (ch !== spec.quote && !closing) return false;
  if (closing) run.interpolations.pop();
  const body = spec.templateBody(run.source, run.i + 1);
  if (body.ended === "interpolation") {
    run.push(closing ? "string-middle" : "string-head", body.end);
    run.interpolations.push(0);
  } else run.push(closing ? "string-tail" : "string", body.end);
  return true;
}

function word<T extends string>(run: Run<T>, spec: LanguageSpec<T | CoreTokenType>): boolean {
  const { source, i } = run;
  const c = source.charCodeAt(i);
  if (!isIdStart(c) && !isDigit(c)) return false;
  let j = i + 1;
  if (isIdStart(c)) {
    while (j < source.length && spec.isIdentifierPart(source.charCodeAt(j))) j++;
    run.push("identifier", j);
  } else {
    while (j < source.length && (isDigit(source.charCodeAt(j)) || source[j] === ".")) j++;
    run.push("number", j);
  }
  return true;
}

function punctuation<T extends string>(run: Run<T>, spec: LanguageSpec<T | CoreTokenType>): boolean {
  const { source, i } = run;
  const [three, two, one] = spec.punctuation;
  if (three.has(source.slice(i, i + 3))) run.push("punct", i + 3);
  else if (two.has(source.slice(i, i + 2))) run.push("punct", i + 2);
  else if (one.has(source[i])) {
    const open = run.interpolations;
    if (open.length > 0 && source[i] === "{") open[open.length - 1]++;
    else if (open.length > 0 && source[i] === "}") open[open.length - 1]--;
    run.push("punct", i + 1);
  } else return false;
  return true;
}

/** Tokenizes `source` with a language's spec. Never throws; unterminated strings and comments run to the end. */
export function tokenize<T extends string>(
  source: string,
  spec: LanguageSpec<T | CoreTokenType>,
): Token<T | CoreTokenType>[] {
  const run: Run<T> = new TokenizerRun(source);
  while (run.i < source.length) {
    if (whitespace(run, spec)) continue;
    const handled =
      spec.rules.some((rule) => rule(run)) || template(run, spec) || word(run, spec) || punctuation(run, spec);
    run.atLineStart = false;
    if (handled) continue;
    // Anything else (a stray character, a lone surrogate half): one token, so the round trip holds.
    const cp = source.codePointAt(run.i) ?? 0;
    run.push("unknown", run.i + (cp > 0xffff ? 2 : 1));
  }
  return run.tokens;
}
