/**
 * The stretch measure of the native-parser guard (`tooDeep`), with the contents of string and template literals left
 * out. The guard stops what nests the parser's recursion without brackets (`()=>()=>…`, `!!!…`); a literal does not
 * nest, so a 27 KB base64 image in a string is no reason to leave a file unparsed. Break points stay where the plain
 * count has them (every `;`, `{` and `}`, inside literals too), so this measure is never above the plain one: a text
 * the plain count lets through, this one does too, and only what the lexer below takes for literal text is let
 * through in addition. The lexer is approximate: a regular expression literal is recognised where one can start (after
 * an operator, a `(`, `,`, `;`, `{`, or a keyword such as `return` or `typeof`; not after a name, a number, a literal,
 * `)`, `]`, `}`, `++`, `--` or a `<`, as in JSX's `</p>`) and only when it closes on its line, so a quote or backtick
 * in it (`/`/`) opens nothing. A quote it still pairs wrongly (JSX text's `don't`, closed on its line by another)
 * either hides code from this count, and every text this long is parsed in the parser sandbox anyway, where a crash
 * costs the file a parse-error finding, not the scan; or counts a literal as code, which makes the file a parse-error
 * with only its text searched, as before this measure.
 *
 * In a JSX dialect (`.js`, `.jsx`, `.tsx`…, not `.ts`), a `<` where an expression may start and followed by a name or
 * `>` opens an element: its tag (names, `=`, attribute strings, which have no escapes and may span lines, `{…}`
 * code, `/>`) and then its children's text up to the matching closing tag, where `{…}` is code and `<` opens a child.
 * Quotes and backticks in that text (`` <p>Use `npm i` or don't</p> ``) open nothing; the text is counted as code. What
 * cannot be in a tag (a `,`, a `(`, a string never closed) gives it up, and the `<` is read as code from there, so
 * TypeScript's generic arrows (`<T,>(x: T) => x`, `<T extends U>(…) => …`, which a `.tsx` file writes instead of JSX)
 * are code too. The boundary: a `<` that is not JSX but looks like a whole tag where an expression starts (none in
 * valid JavaScript or TSX) makes what follows element text, so a literal there is counted as code: a higher count,
 * never above the plain one.
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

/** Where the regular expression literal opened at `open` ends (its closing `/`), or -1: not closed on its line. */
function regexEnd(text: string, open: number): number {
  let inClass = false; // inside `[…]`, where a `/` does not close
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return -1;
    if (c === 0x5c) {
      const next = text.charCodeAt(++i);
      if (next === 0x0a || next === 0x0d) return -1; // no line continuation in a regular expression
    } else if (c === 0x5b) inClass = true;
    else if (c === 0x5d) inClass = false;
    else if (c === 0x2f && !inClass) return i;
  }
  return -1;
}

/** Keywords after which an expression, so a regular expression, may start (`return /x/`, `typeof /x/`). */
const BEFORE_EXPRESSION = new Set(
  "return typeof case in of instanceof new delete void throw yield await do else extends".split(" "),
);

/** True for a character of a name or number (`$`, `_`, letters, digits, anything past ASCII but white space). */
function wordChar(c: number): boolean {
  if (c >= 0x80) return !whiteSpace(c);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x24 || c === 0x5f;
}

/** JavaScript's white space and line terminators (what `\s` matches). */
function whiteSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    [0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].includes(c)
  );
}

/** True when a `/` after the significant character at `prev` (-1: none) starts a regular expression. */
function regexMayStart(text: string, prev: number): boolean {
  if (prev < 0) return true;
  const c = text.charCodeAt(prev);
  // `)` `]` `}`, a literal's end (`'` `"` `` ` `` `/`), and `<` (JSX's `</p>`): a division, or no regular expression
  if ([0x29, 0x5d, 0x7d, 0x27, 0x22, 0x60, 0x2f, 0x3c].includes(c)) return false;
  if ((c === 0x2b || c === 0x2d) && text.charCodeAt(prev - 1) === c) return false; // `a++ / b`
  if (!wordChar(c)) return true;
  let start = prev;
  while (start > 0 && prev - start < 10 && wordChar(text.charCodeAt(start - 1))) start--;
  return !(start > 0 && wordChar(text.charCodeAt(start - 1))) && BEFORE_EXPRESSION.has(text.slice(start, prev + 1));
}

/** True for a character that may start a JSX tag's name (`$`, `_`, letters, anything past ASCII but white space). */
function nameStart(c: number): boolean {
  return wordChar(c) && !(c >= 0x30 && c <= 0x39);
}

/** True for a character of a JSX tag or attribute name, or `=` (`a-b`, `svg:rect`, `Foo.Bar`, `a=`). */
function tagChar(c: number): boolean {
  return wordChar(c) || c === 0x2d || c === 0x3a || c === 0x2e || c === 0x3d;
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
 * Code opened by a template's `${` or a JSX `{`: how many `{` deep it is (its `}` at 0 closes it) and what it returns
 * to, the template's text, the tag or the element's text.
 */
interface CodeFrame {
  kind: "code";
  back: "template" | "tag" | "text";
  braces: number;
}

/** A JSX element being lexed: in its tag, or in its children's text. */
interface ElementFrame {
  kind: "element";
  inTag: boolean;
}

/** A walk over `text` that feeds a `Stretch` with code and literal text apart. */
class Lexer {
  readonly s = new Stretch();
  /** What the lexer is inside, innermost last: code in a substitution or JSX braces, or a JSX element. */
  readonly frames: (CodeFrame | ElementFrame)[] = [];
  /** The last significant character outside comments and literal contents (-1: none yet), for `regexMayStart`. */
  prev = -1;
  i = 0;
  constructor(
    readonly text: string,
    readonly jsx: boolean,
  ) {}

  /** Lexes what starts at `i`: a comment, a literal, a JSX element's part, or one character of code. */
  step(): void {
    const { text, i } = this;
    const top = this.frames.at(-1);
    if (top?.kind === "element") return top.inTag ? this.tag(top) : this.elementText();
    const c = text.charCodeAt(i);
    const comment = commentEnd(text, i);
    if (comment > i) {
      this.s.code(text, i, comment);
      this.i = comment;
    } else if (c === 0x27 || c === 0x22) this.quoted(c);
    else if (c === 0x7d && top?.braces === 0) this.closeCode(top);
    else if (c === 0x60) this.template(c);
    else if (c === 0x3c && this.jsx && regexMayStart(text, this.prev) && this.elementMayStart()) this.openElement();
    else if (c !== 0x2f || !this.regex()) this.code(c);
  }

  /** The `}` at `i` that closes `frame`'s code: back to the template's text, the tag or the element's text. */
  closeCode(frame: CodeFrame): void {
    this.frames.pop();
    if (frame.back === "template") return this.template(0x7d);
    this.s.char(0x7d);
    this.prev = this.i++;
  }

  /**
   * True when the `<` at `i` opens a JSX element: a name or `>` follows, and not a name then `extends` (TypeScript's
   * `<T extends U>(…) => …`, which TypeScript reads as type parameters in a `.tsx` file).
   */
  elementMayStart(): boolean {
    const { text, i } = this;
    const next = text.charCodeAt(i + 1);
    if (next === 0x3e) return true;
    if (!nameStart(next)) return false;
    let j = i + 2;
    while (j < text.length && wordChar(text.charCodeAt(j))) j++;
    const after = j;
    while (j < text.length && whiteSpace(text.charCodeAt(j))) j++;
    return !(j > after && text.startsWith("extends", j) && !wordChar(text.charCodeAt(j + 7)));
  }

  /** The `<` at `i` opens an element: its tag follows. */
  openElement(): void {
    this.frames.push({ kind: "element", inTag: true });
    this.s.char(0x3c);
    this.prev = this.i++;
  }

  /** Gives up the element being lexed (not JSX after all): what is at `i` is read again as what surrounds it. */
  abandonElement(): void {
    this.frames.pop();
  }

  /** One part of a JSX tag at `i`: a name, white space, an attribute string, `{`, `>`, `/>`, a comment or `<`. */
  tag(element: ElementFrame): void {
    const { text, s, i } = this;
    const c = text.charCodeAt(i);
    if (whiteSpace(c) || tagChar(c)) {
      s.char(c);
      if (!whiteSpace(c)) this.prev = i;
      this.i++;
    } else if (c === 0x27 || c === 0x22) {
      const end = text.indexOf(String.fromCharCode(c), i + 1); // no escapes in an attribute string
      if (end === -1) return this.abandonElement();
      s.char(c);
      s.literal(text, i + 1, end);
      s.char(c);
      this.prev = end;
      this.i = end + 1;
    } else if (c === 0x7b) {
      this.frames.push({ kind: "code", back: "tag", braces: 0 });
      s.char(c);
      this.prev = this.i++;
    } else if (c === 0x3e) {
      element.inTag = false;
      s.char(c);
      this.prev = this.i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x3e) this.closeElement(i + 2);
    else if (c === 0x2f && commentEnd(text, i) > i) {
      this.i = commentEnd(text, i);
      s.code(text, i, this.i);
    } else if (c === 0x3c && this.elementMayStart())
      this.openElement(); // `<a b=<c/>>`
    else this.abandonElement();
  }

  /** Ends the element being lexed with the tag text `text[i, end)` (`/>` or a closing tag). */
  closeElement(end: number): void {
    this.s.code(this.text, this.i, end);
    this.frames.pop();
    this.prev = end - 1;
    this.i = end;
  }

  /** One character of an element's children's text at `i` (counted as code), or a `{`, a child or the closing tag. */
  elementText(): void {
    const { text, s, i } = this;
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      this.frames.push({ kind: "code", back: "text", braces: 0 });
      s.char(c);
      this.prev = this.i++;
      return;
    }
    if (c === 0x3c && text.charCodeAt(i + 1) === 0x2f) {
      let j = i + 2;
      while (j < text.length && (whiteSpace(text.charCodeAt(j)) || tagChar(text.charCodeAt(j)))) j++;
      if (text.charCodeAt(j) === 0x3e) return this.closeElement(j + 1);
    } else if (c === 0x3c && this.elementMayStart()) return this.openElement();
    s.char(c);
    this.i++;
  }

  /** The `'` or `"` at `i`: a literal when closed on its line, else a character of code. */
  quoted(quote: number): void {
    const { text, s, i } = this;
    const end = quotedEnd(text, i);
    s.char(quote);
    if (end !== -1) {
      s.literal(text, i + 1, end);
      s.char(quote);
    }
    this.prev = end === -1 ? i : end;
    this.i = this.prev + 1;
  }

  /** The `/` at `i` as a regular expression literal, when one may start here and closes on its line. */
  regex(): boolean {
    const { text, s, i } = this;
    if (!regexMayStart(text, this.prev)) return false;
    const end = regexEnd(text, i);
    if (end === -1) return false;
    s.char(0x2f);
    s.literal(text, i + 1, end);
    s.char(0x2f);
    this.prev = end;
    this.i = end + 1;
    return true;
  }

  /** The `` ` `` or substitution-closing `}` at `i`, and the template text after it when it is closed. */
  template(c: number): void {
    const { text, s, i } = this;
    s.char(c);
    const end = templateTextEnd(text, i + 1);
    if (end === -1) {
      this.prev = i; // never closed: not a template's text, counted as code
      this.i = i + 1;
      return;
    }
    s.literal(text, i + 1, end);
    if (text.charCodeAt(end) === 0x60) {
      s.char(0x60);
      this.prev = end;
      this.i = end + 1;
    } else {
      s.char(0x24);
      s.char(0x7b);
      this.frames.push({ kind: "code", back: "template", braces: 0 });
      this.prev = end + 1;
      this.i = end + 2;
    }
  }

  /** One character of code at `i`. */
  code(c: number): void {
    const top = this.frames.at(-1);
    if (top?.kind === "code" && (c === 0x7b || c === 0x7d)) top.braces += c === 0x7b ? 1 : -1;
    this.s.char(c);
    if (!whiteSpace(c)) this.prev = this.i;
    this.i++;
  }
}

/**
 * The longest stretch of `text` without `;`, `{` or `}`, the contents of string, template and regular expression
 * literals not counted (the quotes, slashes and the code of `${…}` are); with `jsx`, JSX elements are read as such
 * (see the module comment). Linear in the text's length.
 */
export function stretchOutsideLiterals(text: string, jsx = false): number {
  const lexer = new Lexer(text, jsx);
  while (lexer.i < text.length) lexer.step();
  return lexer.s.max;
}
