/**
 * The `<script>` blocks of a single-file component (`.vue`, `.svelte`): `<script>`, `<script setup>`,
 * `<script context="module">`, `<script lang="ts">`. Both views it returns are as long as the file and keep every line
 * break where it was (everything else out of view is a space), so an offset, line and column in a view is the same in
 * the file: findings need no mapping back.
 */

/** A component split in two views of the same length as its text. */
export interface ComponentViews {
  /** Every script block's content, the rest blanked: a program (a component's blocks share one module scope). */
  script: string;
  /** The extension the script view is parsed as: `.ts` or `.tsx` when a block says so, `.js` otherwise. */
  ext: ".js" | ".jsx" | ".ts" | ".tsx";
  /** The template, styles and markup, with the script blocks' contents blanked. */
  rest: string;
  /** The script blocks' contents, as `[start, end)` offsets of the text. */
  blocks: [number, number][];
  /**
   * The script blocks' contents alone, a line break between two: the same code as {@link script} without its blank
   * markup, for the native parser's nesting guard to measure (a long template blanked to spaces nests nothing).
   */
  guarded: string;
}

/** The extensions whose files are components read through {@link componentViews}. */
export const COMPONENT_EXTENSIONS: ReadonlySet<string> = new Set([".vue", ".svelte"]);

/**
 * The markup's split, in one pass over the text (linear: every search below moves forward, and one that finds nothing
 * is not run again from later on). At markup level a `<!--` opens a comment up to its `-->` (one never closed is no
 * comment: the rest is read on); a start tag is read to its `>` with quoted attribute values skipped (a `<` outside
 * them, or a quote never closed, ends a malformed tag there and the reading goes on from that point); `<style>`'s
 * contents are skipped to `</style>`; `<script>`'s contents are a block up to `</script>` (or the end). A `{` in the
 * markup's text opens an expression (`{{ … }}`, Svelte's `{ … }`) up to its `}` or the line's end, where `<!--` is no
 * comment and only a `<script` start tag is read as a tag. When unsure the split analyses more, never less.
 */
const COMMENT_END = "-->";
const SCRIPT_END = /<\/script\s*>/gi;
const STYLE_END = /<\/style\s*>/gi;
/** A start tag's name: a letter, then letters, digits, `-`, `:` or `.` (`svelte:head`, `my-widget`). */
const TAG_NAME = /[A-Za-z][\w:.-]*/y;
/** A `type` that holds no JavaScript (`text/x-template`, `application/ld+json`) is not a script to analyse. */
const SCRIPT_TYPE = /^(?:module|(?:text|application)\/(?:java|type|ecma)script|text\/babel|text\/jsx|text\/tsx)$/i;

/** The value of attribute `name` in a start tag's attribute text, or undefined. */
function attribute(attributes: string, name: string): string | undefined {
  const m = new RegExp(String.raw`(?:^|\s)${name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>\x60]+))`, "i").exec(
    attributes,
  );
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

/** One pass over a component's markup, collecting its script blocks (see the comment above). */
class MarkupPass {
  readonly blocks: [number, number][] = [];
  readonly langs = new Set<string>();
  /** `{` opened in the markup's text and not closed on this line: inside an expression. */
  private depth = 0;
  /** For each needle searched for, the smallest offset from which it was not found: no search from later on runs. */
  private readonly misses = new Map<string | RegExp, number>();
  /** Characters read so far (searches included): what {@link componentSplitWork} reports. */
  work = 0;

  constructor(private readonly text: string) {}

  /** The first `needle` at or after `from`: its offset and end, or undefined. */
  private find(needle: string | RegExp, from: number): { at: number; end: number } | undefined {
    const miss = this.misses.get(needle);
    if (miss !== undefined && from >= miss) return undefined;
    let found: { at: number; end: number } | undefined;
    if (typeof needle === "string") {
      const at = this.text.indexOf(needle, from);
      found = at === -1 ? undefined : { at, end: at + needle.length };
    } else {
      needle.lastIndex = from;
      const m = needle.exec(this.text);
      found = m === null ? undefined : { at: m.index, end: m.index + m[0].length };
    }
    if (found === undefined) this.misses.set(needle, Math.min(miss ?? from, from));
    this.work += (found?.end ?? this.text.length) - from;
    return found;
  }

  /** Reads what starts at `i`; returns where the reading goes on. */
  step(i: number): number {
    this.work++;
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === 0x0a) this.depth = 0;
    else if (c === 0x7b) this.depth++;
    else if (c === 0x7d && this.depth > 0) this.depth--;
    if (c !== 0x3c) return i + 1;
    const name = this.tagName(i + 1);
    if (this.depth > 0) return name === "script" ? this.startTag(i, name) : i + 1;
    if (text.startsWith("<!--", i)) return this.find(COMMENT_END, i + 4)?.end ?? i + 1;
    return name === undefined ? i + 1 : this.startTag(i, name);
  }

  /** The tag name (lower case) starting at `at` (just after a `<`), or undefined. */
  private tagName(at: number): string | undefined {
    TAG_NAME.lastIndex = at;
    return TAG_NAME.exec(this.text)?.[0].toLowerCase();
  }

  /** The start tag at `i` named `name`: its attributes read to its `>`, then a script's or style's contents. */
  private startTag(i: number, name: string): number {
    const text = this.text;
    const attributesAt = i + 1 + name.length;
    let j = attributesAt;
    for (; j < text.length; j++, this.work++) {
      const c = text.charCodeAt(j);
      if (c === 0x3e) break;
      if (c === 0x3c) return j; // malformed: the next tag starts here
      if (c === 0x22 || c === 0x27) {
        const close = this.find(text[j], j + 1);
        if (close === undefined) return j + 1; // malformed: a quote never closed
        j = close.at;
      }
    }
    if (j >= text.length) return text.length; // a start tag never ended: nothing after it is a tag
    if (name === "style") return this.find(STYLE_END, j + 1)?.end ?? j + 1;
    if (name !== "script") return j + 1;
    this.depth = 0;
    const close = this.find(SCRIPT_END, j + 1);
    this.addBlock(text.slice(attributesAt, j), j + 1, close?.at ?? text.length);
    return close?.end ?? text.length;
  }

  /** A script element's contents `[start, end)`, a block unless its `type` holds no JavaScript. */
  private addBlock(attributes: string, start: number, end: number): void {
    const type = attribute(attributes, "type");
    if (type !== undefined && !SCRIPT_TYPE.test(type.trim())) return;
    this.langs.add((attribute(attributes, "lang") ?? type ?? "").toLowerCase());
    this.blocks.push([start, end]);
  }
}

/** The script blocks' content ranges, and the dialects they ask for (`lang`), after one pass over `text`. */
function scriptBlocks(text: string): MarkupPass {
  const pass = new MarkupPass(text);
  for (let i = 0; i < text.length; ) i = pass.step(i);
  return pass;
}

/** How many characters the split of `text` reads, searches included: linear in its length (for the tests). */
export function componentSplitWork(text: string): number {
  return scriptBlocks(text).work;
}

/** `text` with the characters in (`inside`) or out of the ranges replaced by spaces, line breaks kept. */
function blanked(text: string, ranges: [number, number][], inside: boolean): string {
  const out: string[] = [];
  let at = 0;
  const blank = (s: string) => s.replace(/[^\r\n]/g, " ");
  for (const [start, end] of ranges) {
    const between = text.slice(at, start);
    const block = text.slice(start, end);
    out.push(inside ? between : blank(between), inside ? blank(block) : block);
    at = end;
  }
  const tail = text.slice(at);
  out.push(inside ? tail : blank(tail));
  return out.join("");
}

/** The extension a component's script view is parsed as, from its blocks' `lang` (or `type`) attributes. */
function scriptExtension(langs: Set<string>): ComponentViews["ext"] {
  const has = (re: RegExp) => [...langs].some((l) => re.test(l));
  if (has(/tsx$/)) return ".tsx";
  if (has(/^(?:ts|typescript)$|\/typescript$/)) return ".ts";
  return has(/jsx$/) ? ".jsx" : ".js";
}

/** Splits a component's text into its script view and the rest (see {@link ComponentViews}). */
export function componentViews(text: string): ComponentViews {
  const { blocks, langs } = scriptBlocks(text);
  return {
    script: blanked(text, blocks, false),
    ext: scriptExtension(langs),
    rest: blanked(text, blocks, true),
    blocks,
    guarded: blocks.map(([start, end]) => text.slice(start, end)).join("\n"),
  };
}
