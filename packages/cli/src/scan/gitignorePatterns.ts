/**
 * The lines of one .gitignore as git reads them (`dir.c`) and matches them (`wildmatch.c`, with `WM_PATHNAME`): `#`
 * comments, trailing spaces trimmed unless escaped, `!` re-includes, a trailing `/` matches directories only, a
 * pattern with a `/` before its end is anchored to the .gitignore's folder (otherwise it matches a name at any
 * depth), `*` and `?` never match `/`, `**` between slashes matches any number of folders, `\` escapes, and a bracket
 * expression is a class with ranges, `[:alpha:]`-style names, and `!` or `^` right after the `[` negating it (the
 * `ignore` package took `[!k]` for "`!` or `k`"). A pattern git gives up on (an unclosed `[`, an unknown class name,
 * a trailing `\`) matches nothing, as in git.
 */
import { pathBytes } from "./rawNames.js";

/** One line of a .gitignore, compiled. */
export interface IgnorePattern {
  /** Matches the path relative to the .gitignore's folder (anchored) or a name (not anchored). */
  regex: RegExp;
  anchored: boolean;
  negated: boolean;
  directoryOnly: boolean;
}

const NAMED_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: " \\t\\n\\v\\f\\r",
  upper: "A-Z",
  xdigit: "0-9A-Fa-f",
};

/** `c` as a member of a regular expression class. */
const classChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * The bracket expression opening at `pattern[open]` (`[`) as a regular expression, and the index after its `]`; or
 * undefined when git gives up on the pattern (no closing `]`, an unknown `[:name:]`). Follows `wildmatch.c`: a `]`
 * right after `[`, `[!` or `[^` is a member; `a-z` is a range unless the `-` is first or last; `\` escapes.
 */
function bracket(pattern: string, open: number): { source: string; next: number } | undefined {
  let p = open + 1;
  const negated = pattern[p] === "!" || pattern[p] === "^";
  if (negated) p++;
  const members: string[] = [];
  let prev: string | undefined; // the previous single member, the start of a possible range
  let first = true;
  for (; first || pattern[p] !== "]"; p++, first = false) {
    let c = pattern[p];
    if (c === undefined) return undefined;
    if (c === "\\") {
      c = pattern[++p];
      if (c === undefined) return undefined;
      members.push(classChar(c));
      prev = c;
    } else if (c === "-" && prev !== undefined && pattern[p + 1] !== undefined && pattern[p + 1] !== "]") {
      let end = pattern[++p];
      if (end === "\\") end = pattern[++p];
      if (end === undefined) return undefined;
      // The start stays a member of its own (git tests it before it sees the `-`): `[z-a]` matches `z` only.
      if (prev <= end) members.push(`${classChar(prev)}-${classChar(end)}`);
      prev = undefined;
    } else if (c === "[" && pattern[p + 1] === ":") {
      const close = pattern.indexOf("]", p + 2);
      if (close === -1) return undefined;
      if (pattern[close - 1] !== ":" || close - 1 < p + 2) {
        members.push(classChar("[")); // no `:]`: a plain `[`
        prev = "[";
        continue;
      }
      const className = pattern.slice(p + 2, close - 1);
      // Own names only: `[[:constructor:]]` is no class (an inherited property is not one of the table's).
      const named = Object.hasOwn(NAMED_CLASSES, className) ? NAMED_CLASSES[className] : undefined;
      if (named === undefined) return undefined;
      members.push(named);
      prev = undefined;
      p = close;
    } else {
      members.push(classChar(c));
      prev = c;
    }
  }
  const set = members.join("");
  // Never `/`; a negated class matches any other single character, an empty set nothing.
  const source = negated ? `(?!/)[^${set}]` : set === "" ? "(?!)" : `(?!/)[${set}]`;
  return { source, next: p + 1 };
}

/** The regular expression source of a wildmatch pattern, or undefined when git gives up on it. */
function wildmatchSource(pattern: string): string | undefined {
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "*") {
      let end = i;
      while (pattern[end] === "*") end++;
      const bounded = end - i >= 2 && (i === 0 || pattern[i - 1] === "/");
      if (bounded && end === pattern.length) out += ".*";
      else if (bounded && pattern[end] === "/") {
        out += "(?:.*/)?"; // `**/` also matches no folder at all
        end++;
      } else out += "[^/]*";
      i = end;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const cls = bracket(pattern, i);
      if (cls === undefined) return undefined;
      out += cls.source;
      i = cls.next;
    } else if (c === "\\") {
      if (i + 1 >= pattern.length) return undefined; // a trailing `\` matches nothing
      out += classChar(pattern[i + 1]);
      i += 2;
    } else {
      out += classChar(c);
      i++;
    }
  }
  return out;
}

/** `line` without its trailing spaces, except one escaped by `\` (git's `trim_trailing_spaces`). */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === " ") end--;
  if (end < line.length && end > 0 && line[end - 1] === "\\") {
    // `\ `: the escaped space stays (a run of backslashes before it decides, as git counts them)
    let slashes = 0;
    for (let k = end - 1; k >= 0 && line[k] === "\\"; k--) slashes++;
    if (slashes % 2 === 1) end++;
  }
  return line.slice(0, end);
}

/** One .gitignore line compiled, or undefined for a blank line, a comment or a pattern git gives up on. */
function compileLine(raw: string, ignoreCase: boolean): IgnorePattern | undefined {
  if (raw.startsWith("#")) return undefined;
  let line = trimTrailingSpaces(raw);
  const negated = line.startsWith("!");
  if (negated) line = line.slice(1);
  const directoryOnly = line.endsWith("/");
  if (directoryOnly) line = line.slice(0, -1);
  if (line === "") return undefined;
  const anchored = line.includes("/");
  if (line.startsWith("/")) line = line.slice(1);
  const source = wildmatchSource(line);
  if (source === undefined) return undefined;
  return { regex: new RegExp(`^${source}$`, ignoreCase ? "is" : "s"), anchored, negated, directoryOnly };
}

/**
 * `text` with each UTF-8 byte as one character: git matches bytes (`?` is one byte, not one `é`); a byte that is not
 * UTF-8 (kept as `rawNames.ts` says, in a name or a .gitignore line) is that byte.
 */
const bytewise = (text: string): string => (/[\u0080-\uffff]/.test(text) ? pathBytes(text).toString("latin1") : text);

/** The patterns of a .gitignore's text, in order (a UTF-8 byte order mark and `\r` before a line end dropped). */
export function parseGitignore(text: string, ignoreCase: boolean): IgnorePattern[] {
  const body = bytewise(text.startsWith("\ufeff") ? text.slice(1) : text);
  return body
    .split("\n")
    .map((line) => compileLine(line.endsWith("\r") ? line.slice(0, -1) : line, ignoreCase))
    .filter((p): p is IgnorePattern => p !== undefined);
}

/**
 * What `patterns` (one .gitignore) say of `path` (relative to its folder, `/`-separated) itself: the last matching
 * line decides — ignored, or re-included by a `!` line — or neither when no line matches.
 */
export function verdict(
  patterns: readonly IgnorePattern[],
  path: string,
  isDir: boolean,
): { ignored: boolean; unignored: boolean } {
  const bytes = bytewise(path);
  const name = bytes.slice(bytes.lastIndexOf("/") + 1);
  for (let i = patterns.length - 1; i >= 0; i--) {
    const p = patterns[i];
    if (p.directoryOnly && !isDir) continue;
    if (p.regex.test(p.anchored ? bytes : name)) return { ignored: !p.negated, unignored: p.negated };
  }
  return { ignored: false, unignored: false };
}
