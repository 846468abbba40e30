/**
 * Tells a string literal that is only searched for or compared with — `cs.Contains(";accesskey=", …)`,
 * `url.IndexOf("/;accesskey=")`, `strings.Split(cs, ";accesskey=")`, `";accesskey=" in cs`, `part == "accesskey="` —
 * from one that builds text. Code that parses a connection string assembles nothing, so the
 * assembled-connection-string rule leaves such a literal alone.
 */

/**
 * Calls whose string argument is searched for, compared with or split on, in C#, Java/Kotlin, Python, Go,
 * JavaScript and PowerShell (lower case): `Join`, `Format`, `Concat`, `Replace` and the like build text and are not here.
 */
const SEARCH_CALLS = new Set([
  "contains",
  "containskey",
  "indexof",
  "lastindexof",
  "startswith",
  "endswith",
  "split",
  "includes",
  "find",
  "rfind",
  "index",
  "rindex",
  "count",
  "equals",
  "equalsignorecase",
  "compare",
  "hasprefix",
  "hassuffix",
  "cut",
  "partition",
  "rpartition",
  "search",
  "match",
  "matches",
]);
/** `".equals(x)"`: a literal these are called on is compared with their argument. */
const COMPARED_RECEIVER =
  /^\s*\.\s*(?:equals|equalsIgnoreCase|Equals|compareTo|compareToIgnoreCase|contentEquals)\s*\(/;
/** The quotes a literal can open with, and the prefixes before one (C# `@`/`$`, Python `r`/`b`/`u`/`f`). */
const QUOTES = "\"'`";
const PREFIX = /[@$rRbBuUfF]{0,2}$/;
/** Most characters read back to the call's `(` from a later argument. */
const CALL_REACH = 300;

/** The offset of the `(` that opens the call holding `at` (balancing brackets back from it), or -1. */
function openingParen(view: string, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= Math.max(0, at - CALL_REACH); i--) {
    const c = view[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      if (depth === 0) return c === "(" ? i : -1;
      depth--;
    } else if (c === ";" && depth === 0) return -1;
  }
  return -1;
}

/** The name called at the `(` at `paren` (`Contains` in `cs.Contains(`), lower case, or "". */
function calleeAt(view: string, paren: number): string {
  return (/([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(view.slice(Math.max(0, paren - 80), paren))?.[1] ?? "").toLowerCase();
}

/**
 * True when the string literal around `keyAt` (the offset of its `accesskey=`, whose literal closes at `close`, the
 * offset of the closing quote) is only searched for or compared with: the argument of a search call
 * ({@link SEARCH_CALLS}), the receiver of an `equals`-like call, an operand of `==`, `!=`, `===`, `!==`, or the left side
 * of Python's `in`.
 */
export function onlySearchedFor(view: string, keyAt: number, close: number): boolean {
  const quote = view[close];
  if (quote === undefined || !QUOTES.includes(quote)) return false;
  const lineStart = view.lastIndexOf("\n", keyAt) + 1;
  const open = view.lastIndexOf(quote, keyAt - 1);
  if (open < lineStart) return false;
  const start = open - (PREFIX.exec(view.slice(Math.max(0, open - 2), open))?.[0].length ?? 0);
  const before = view.slice(Math.max(0, start - CALL_REACH), start).trimEnd();
  const after = view.slice(close + 1, close + 80);
  if (/(?:[!=]==?)$/.test(before) || /^\s*(?:[!=]==?|(?:not\s+)?in\b)/.test(after)) return true;
  if (COMPARED_RECEIVER.test(after)) return true;
  if (!/^\s*[,)]/.test(after)) return false;
  const paren = before.endsWith("(")
    ? view.lastIndexOf("(", start)
    : before.endsWith(",")
      ? openingParen(view, start)
      : -1;
  return paren !== -1 && SEARCH_CALLS.has(calleeAt(view, paren));
}
