/**
 * The stretch measure of the native-parser guard (`tooDeep`), with the contents of string and template literals left
 * out. The guard stops what nests the parser's recursion without brackets (`()=>()=>…`, `!!!…`); a literal does not
 * nest, so a 27 KB base64 image in a string is no reason to leave a file unparsed. Break points stay where the plain
 * count has them (every `;`, `{` and `}`, inside literals too), so this measure is never above the plain one: a text
 * the plain count lets through, this one does too, and only what the lexer below takes for literal text is let
 * through in addition. The lexer is approximate (no regular expression literals): a quote it pairs wrongly can only
 * hide code from this count, and every text this long is parsed in the parser sandbox anyway, where a crash costs
 * the file a parse-error finding, not the scan.
 */

/** Where the `'` or `"` literal opened at `open` ends (its closing quote), or -1: not closed on its line. */
function quotedEnd(text: string, open: number): number {
  const quote = text.charCodeAt(open);
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) return i;
    if (c === 0x5c)
      i++; // `\` escapes the next character, a line end included (a continuation)
    else if (c === 0x0a || c === 0x0d) return -1;
  }
  return -1;
}

/** Where the template text from `from` ends: its closing `` ` ``, the `$` of a `${`, or -1 (never closed). */
function templateTextEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x60 || (c === 0x24 && text.charCodeAt(i + 1) === 0x7b)) return i;
    if (c === 0x5c) i++;
  }
  return -1;
}

/** The end of the comment starting at `i` (`//` or `/*`), or `i` when none starts there. */
function commentEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x2f) return i;
  const next = text.charCodeAt(i + 1);
  if (next === 0x2f) {
    const end = text.indexOf("\n", i);
    return end === -1 ? text.length : end;
  }
  if (next !== 0x2a) return i;
  const end = text.indexOf("*/", i + 2);
  return end === -1 ? text.length : end + 2;
}

/** The literal stretch counter: characters since the last `;`, `{` or `}`, literal contents left out. */
class Stretch {
  run = 0;
  max = 0;
  /** Counts `text[from, to)` as code: each `;`, `{` or `}` ends the run. */
  code(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) this.char(text.charCodeAt(i));
  }
  char(c: number): void {
    if (c === 0x3b || c === 0x7b || c === 0x7d) this.run = 0;
    else if (++this.run > this.max) this.max = this.run;
  }
  /** Passes over literal text `text[from, to)`: not counted, but a `;`, `{` or `}` in it still ends the run. */
  literal(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x3b || c === 0x7b || c === 0x7d) this.run = 0;
    }
  }
}

/**
 * The longest stretch of `text` without `;`, `{` or `}`, string and template literal contents not counted (the
 * quotes and the code of `${…}` are). Linear in the text's length.
 */
export function stretchOutsideLiterals(text: string): number {
  const s = new Stretch();
  // For each `${` open: how many `{` deep the substitution's code is (its `}` at 0 returns to the template text).
  const substitutions: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const comment = commentEnd(text, i);
    if (comment > i) {
      s.code(text, i, comment);
      i = comment;
    } else if (c === 0x27 || c === 0x22) {
      const end = quotedEnd(text, i);
      if (end === -1) s.char(c);
      else {
        s.char(c);
        s.literal(text, i + 1, end);
        s.char(c);
      }
      i = end === -1 ? i + 1 : end + 1;
    } else if (
      c === 0x60 ||
      (c === 0x7d && substitutions.length > 0 && substitutions[substitutions.length - 1] === 0)
    ) {
      if (c === 0x7d) substitutions.pop();
      s.char(c);
      const end = templateTextEnd(text, i + 1);
      if (end === -1) {
        i++; // never closed: not a template's text, counted as code
        continue;
      }
      s.literal(text, i + 1, end);
      if (text.charCodeAt(end) === 0x60) {
        s.char(0x60);
        i = end + 1;
      } else {
        s.char(0x24);
        s.char(0x7b);
        substitutions.push(0);
        i = end + 2;
      }
    } else {
      if (substitutions.length > 0 && (c === 0x7b || c === 0x7d))
        substitutions[substitutions.length - 1] += c === 0x7b ? 1 : -1;
      s.char(c);
      i++;
    }
  }
  return s.max;
}
