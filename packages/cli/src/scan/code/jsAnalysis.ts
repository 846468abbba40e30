/**
 * The scan's JavaScript/TypeScript path: each file is parsed once with oxc-parser (a fast ESTree parser) and run
 * through the `no-key-auth` analysis that the ESLint rule runs too (eslint-plugin-acs-baseline/internal), so the
 * scan and the rule never disagree. A file that does not parse gets a parse-error finding and its text searched.
 */
import { analyzeKeyAuth, formatKeyAuthMessage, offsets } from "eslint-plugin-acs-baseline/internal";
import type { AnyNode, KeyAuthFinding, VisitorKeys } from "eslint-plugin-acs-baseline/internal";
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { nodeRequire } from "../nodeRequire.js";
import { fileTextFindings } from "../text/fileTextFindings.js";
import { LineIndex } from "../text/textRules.js";
import { stretchOutsideLiterals } from "./literalStretch.js";
import { parseErrorKind } from "./parseErrorKinds.js";

const RULE_ID = "acs-baseline/no-key-auth";
const TS = new Set([".ts", ".cts", ".mts", ".tsx"]);

type Lang = "jsx" | "ts" | "tsx";
type SourceType = "module" | "commonjs";
interface OxcError {
  message: string;
  labels: { start: number; end: number }[];
}
interface OxcOptions {
  lang: Lang;
  sourceType: SourceType;
  preserveParens: boolean;
  astType: "js" | "ts";
  experimentalRawTransfer: boolean;
}
/** What `parseSync` returns: getters over the parsed data (the module record is only emptied, never read). */
interface OxcResult {
  readonly program: { body?: unknown } | null;
  readonly comments?: unknown;
  readonly module?: Record<string, unknown> | null;
  readonly errors: OxcError[];
}
interface OxcParser {
  parseSync(filename: string, text: string, options: OxcOptions): OxcResult;
  rawTransferSupported(): boolean;
  visitorKeys: VisitorKeys;
}

/**
 * What is not handed to the native parser, whose recursion deep nesting could overflow (a crash, not an error):
 * brackets nested deeper than this, or a stretch without `;`, `{` or `}` longer than that (`()=>()=>…`, `!!!…`;
 * string and template literal contents not counted, see `stretchOutsideLiterals`). Such a file gets a parse-error finding and its text searched. Real code stays far below both.
 */
const MAX_BRACKET_DEPTH = 1000;
const MAX_STRETCH = 24_000;
/**
 * Most `?` and `else` at one bracket level before a `;` there: `a?{}:a?{}:…` and `if(a){}else if(a){}…` nest the
 * tree without nesting brackets or long stretches (the braces break them), and 100,000 links overflow the native
 * parser's stack. Real code stays far below.
 */
const MAX_CHAIN = 10_000;
/**
 * Deepest program analysed (nodes from the root): deeper is a parse-error finding on every thread alike (a worker's
 * stack is larger than the main thread's, which handles more than 2,000 on every chain measured).
 */
export const MAX_ANALYSIS_DEPTH = 1500;
/** Nesting every thread analyses alike (see {@link nestsShallowly}); real code stays far below both. */
const SHALLOW_DEPTH = 200;
const SHALLOW_STRETCH = 2_000;

let parser: OxcParser | undefined;

/**
 * A `@` where a parameter decorator can start: after `(` or `,`, the end of a block comment or at a line's start
 * (a line comment before it), with only white space between. `"@azure/…"` and JSDoc's ` * @param` do not match.
 */
const DECORATOR_START = /(?:[(,]|\*\/|^)\s*@/m;

/**
 * The AST oxc-parser hands over: `"js"` (ESTree, TypeScript's type annotations left out) unless a TypeScript text
 * could hold a parameter decorator, which only `"ts"` (TS-ESTree, as typescript-eslint gives the rule) keeps. Both
 * give the same program otherwise, and `"js"` is about 13 % faster over the bench's all-ACS tree.
 */
function astType(lang: Lang, text: string): "js" | "ts" {
  return lang !== "jsx" && DECORATOR_START.test(text) ? "ts" : "js";
}
let rawTransfer = false;

/** The dialects to try, in order: the first that parses without an error wins. */
function dialects(ext: string): [Lang, SourceType][] {
  if (ext === ".tsx") return [["tsx", "module"]];
  if (TS.has(ext))
    return [
      ["ts", ext === ".cts" ? "commonjs" : "module"],
      ["tsx", "module"],
    ];
  return ext === ".cjs"
    ? [
        ["jsx", "commonjs"],
        ["jsx", "module"],
      ]
    : [
        ["jsx", "module"],
        ["jsx", "commonjs"],
      ];
}

/**
 * How deep `text` nests: its deepest bracket nesting, its longest stretch without `;`, `{` or `}`, and the most `?`
 * and `else` at one bracket level between two `;` there.
 */
interface Nesting {
  depth: number;
  stretch: number;
  chain: number;
}

/** True for the `else` keyword at `i` (`e` at `i`; not part of a longer name). */
function elseAt(text: string, i: number): boolean {
  return text.startsWith("else", i) && !/[\w$]/.test(text.charAt(i - 1)) && !/[\w$]/.test(text.charAt(i + 4));
}

/** What {@link nesting} does with a character below 0x80 (one table lookup instead of a chain of comparisons). */
const OTHER = 0;
const OPEN = 1; // ( [
const CLOSE = 2; // ) ]
const OPEN_BREAK = 3; // {
const CLOSE_BREAK = 4; // }
const SEMICOLON = 5;
const QUESTION = 6;
const LETTER_E = 7;
const CHARACTER_KINDS = new Uint8Array(0x80);
for (const [ch, kind] of [
  ["(", OPEN],
  ["[", OPEN],
  [")", CLOSE],
  ["]", CLOSE],
  ["{", OPEN_BREAK],
  ["}", CLOSE_BREAK],
  [";", SEMICOLON],
  ["?", QUESTION],
  ["e", LETTER_E],
] as const)
  CHARACTER_KINDS[ch.charCodeAt(0)] = kind;

/**
 * The deepest nesting of `(`, `[` and `{` in `text` (strings and comments not told apart; what {@link nesting} counts
 * as `depth`), in a tighter pass. Also the scan's measure of how deep a template's analysers will recurse.
 */
export function bracketDepth(text: string): number {
  const n = text.length;
  let depth = 0;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 0x80 ? CHARACTER_KINDS[c] : OTHER;
    if (kind === OPEN || kind === OPEN_BREAK) {
      if (++depth > maxDepth) maxDepth = depth;
    } else if ((kind === CLOSE || kind === CLOSE_BREAK) && depth > 0) depth--;
  }
  return maxDepth;
}

/** Measures {@link Nesting} (strings and comments not told apart) in one tight pass. */
function nesting(text: string): Nesting {
  const n = text.length;
  let depth = 0;
  let maxDepth = 0;
  let lastBreak = -1; // where the current stretch without ; { or } began (one before its first character)
  let maxStretch = 0;
  // `?` and `else` counted per bracket level (levels deeper than the array share its last slot).
  const chains = new Int32Array(MAX_BRACKET_DEPTH + 2);
  const top = chains.length - 1;
  let maxChain = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 0x80 ? CHARACTER_KINDS[c] : OTHER;
    if (kind === OTHER) continue;
    if (kind === OPEN || kind === OPEN_BREAK) {
      if (++depth > maxDepth) maxDepth = depth;
      chains[depth < top ? depth : top] = 0;
    } else if (kind === CLOSE || kind === CLOSE_BREAK) {
      if (depth > 0) depth--;
    } else if (kind === SEMICOLON) chains[depth < top ? depth : top] = 0;
    else if (kind === QUESTION || (text.charCodeAt(i + 1) === 0x6c && elseAt(text, i))) {
      const level = depth < top ? depth : top;
      if (++chains[level] > maxChain) maxChain = chains[level];
    }
    if (kind === OPEN_BREAK || kind === CLOSE_BREAK || kind === SEMICOLON) {
      if (i - lastBreak - 1 > maxStretch) maxStretch = i - lastBreak - 1;
      lastBreak = i;
    }
  }
  if (n - lastBreak - 1 > maxStretch) maxStretch = n - lastBreak - 1;
  return { depth: maxDepth, stretch: maxStretch, chain: maxChain };
}

/**
 * Why `text` is too deeply nested for the native parser, or undefined. A text no longer than both limits cannot
 * exceed them, so short files skip the count. With `jsx` (a dialect JSX can be in: any but `.ts`, `.cts`, `.mts`), the
 * count of stretches outside literals reads JSX elements as such (see `stretchOutsideLiterals`).
 */
export function tooDeep(text: string, jsx = false): string | undefined {
  if (text.length <= MAX_BRACKET_DEPTH) return undefined;
  if (text.length <= Math.min(MAX_STRETCH, MAX_CHAIN)) {
    // No longer than the stretch and chain limits: only the bracket depth can exceed its limit.
    const depth = bracketDepth(text);
    return depth > MAX_BRACKET_DEPTH ? `brackets nested ${depth} deep, over ${MAX_BRACKET_DEPTH}` : undefined;
  }
  const { depth, stretch, chain } = nesting(text);
  if (depth > MAX_BRACKET_DEPTH) return `brackets nested ${depth} deep, over ${MAX_BRACKET_DEPTH}`;
  // Literals do not nest: only a stretch that is long outside them counts (a base64 image in a string is fine).
  const outside = stretch > MAX_STRETCH ? stretchOutsideLiterals(text, jsx) : 0;
  if (outside > MAX_STRETCH) return `${outside} characters without ; { or }, over ${MAX_STRETCH}`;
  if (chain > MAX_CHAIN) return `${chain} ? or else chained at one level, over ${MAX_CHAIN}`;
  return undefined;
}

/**
 * True when `text` nests shallowly enough that its analysis recurses far less deep than any thread's stack allows,
 * so a worker thread (whose stack is larger than the main thread's) finds exactly what the main thread would; a
 * deeper text could exhaust the main thread's stack (a parse-error finding) where a worker's would not.
 */
export function nestsShallowly(text: string): boolean {
  if (text.length <= SHALLOW_STRETCH) return true;
  const { depth, stretch, chain } = nesting(text);
  return depth <= SHALLOW_DEPTH && stretch <= SHALLOW_STRETCH && chain <= SHALLOW_DEPTH;
}

/**
 * Lets a parse's AST die young. oxc-parser's result is an object with getters closing over the parsed data, and V8
 * keeps such accessors on a hidden class of their own in the old generation until the next full collection; until
 * then every young-generation collection found each earlier file's AST reachable through it and promoted it
 * (measured: about 90 % of the young generation survived each scavenge, and the collector took a third of a scan).
 * Emptying the program's body, the comments and the module record's lists cuts every node and entry off from the
 * result once the analysis is done.
 */
function release(result: OxcResult): void {
  const lists = [result.program?.body, result.comments, ...Object.values(result.module ?? {})];
  for (const list of lists) if (Array.isArray(list)) list.length = 0;
}

/** A parsed program, and {@link release} of its parse for when the analysis no longer needs the nodes. */
export interface ParsedProgram {
  program: AnyNode;
  release(): void;
}

/**
 * Parses `text`: the program, or the first error of the first dialect tried. `guarded` is what the nesting guard
 * ({@link tooDeep}) measures: the text itself unless the caller has the same code with less white space in it (a
 * component's script view is its blocks in the component's blank markup, and blank runs nest nothing).
 */
export function parseProgram(
  file: string,
  text: string,
  ext: string,
  guarded = text,
): ParsedProgram | { error: OxcError } {
  const deep = tooDeep(guarded, ext === ".tsx" || !TS.has(ext));
  if (deep !== undefined) return { error: { message: deep, labels: [] } };
  if (parser === undefined) {
    parser = nodeRequire("oxc-parser") as OxcParser;
    rawTransfer = parser.rawTransferSupported();
  }
  let first: OxcError | undefined;
  for (const [lang, sourceType] of dialects(ext)) {
    // Raw transfer (Node.js 22 and later) hands the AST over without a JSON round trip.
    const options: OxcOptions = {
      lang,
      sourceType,
      preserveParens: false,
      astType: astType(lang, text),
      experimentalRawTransfer: rawTransfer,
    };
    let result;
    try {
      result = parser.parseSync(file, text, options);
    } catch (error) {
      // The AST handed over deeper than the call stack (a chain of thousands of `+`, `?:` or `.a`): say so.
      if (!(error instanceof RangeError)) throw error;
      return { error: { message: "nested too deep to analyse", labels: [] } };
    }
    if (result.errors.length === 0) {
      const parsed = result;
      return { program: result.program as unknown as AnyNode, release: () => release(parsed) };
    }
    // The kind of error in fixed words: the parser's own message can quote the file (a name, a JSX tag).
    first ??= { message: parseErrorKind(result.errors[0].message), labels: result.errors[0].labels };
    release(result);
  }
  return { error: first ?? { message: "unknown parse error", labels: [] } };
}

function toFinding(file: string, index: LineIndex, finding: KeyAuthFinding): ScanFinding {
  const { start, end } = offsets(finding.node);
  const a = index.at(start);
  const b = index.at(end);
  // A connection-string literal with a placeholder key is the template rule's finding (a warning), as in other files.
  const ruleId = finding.messageId === "connectionStringTemplate" ? "acs-baseline/connection-string-template" : RULE_ID;
  const at = { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  return makeFinding(ruleId, file, at, formatKeyAuthMessage(finding.messageId, finding.data));
}

/** A parse-error finding, and the text rules (connection strings included) over the file. */
function fallback(file: string, text: string, error: OxcError, source: string): ScanFinding[] {
  const at = new LineIndex(source).at(error.labels[0]?.start ?? 0);
  const reason = error.message.replace(/\s+/g, " ").slice(0, 160);
  const message = `The file could not be parsed (${reason}); only its text was searched.`;
  return [makeFinding("acs-baseline/parse-error", file, at, message), ...fileTextFindings(file, text)];
}

/**
 * What a file the parser could not finish gets (it crashed or overran its time in the sandbox): a parse-error finding
 * naming `reason`, and the text rules (connection strings included), as for a file that does not parse.
 */
export function unparsedFindings(file: string, text: string, reason: string): ScanFinding[] {
  return fallback(file, text, { message: reason, labels: [] }, asCode(text));
}

/** `text` as the parser reads it: a NUL byte is never code, so it reads as a space (same length, positions hold). */
function asCode(text: string): string {
  return text.includes("\0") ? text.replace(/\0/g, " ") : text;
}

/**
 * The `no-key-auth` findings of one JavaScript/TypeScript file; for a file that does not parse, a parse-error
 * finding and the text rules (connection strings included). `guarded`: see {@link parseProgram}.
 */
export function jsFindings(file: string, text: string, ext: string, guarded?: string): ScanFinding[] {
  const source = asCode(text);
  const parsed = parseProgram(file, source, ext, guarded === undefined ? source : asCode(guarded));
  if ("error" in parsed) return fallback(file, text, parsed.error, source);
  try {
    const found = analyzeKeyAuth(parsed.program, { visitorKeys: parser?.visitorKeys, maxDepth: MAX_ANALYSIS_DEPTH });
    if (found.length === 0) return [];
    const index = new LineIndex(source);
    return found.map((f) => toFinding(file, index, f));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // A program nested deeper than MAX_ANALYSIS_DEPTH (or the call stack): say so, and search its text.
    return fallback(file, text, { message: "nested too deep to analyse", labels: [] }, source);
  } finally {
    parsed.release();
  }
}
