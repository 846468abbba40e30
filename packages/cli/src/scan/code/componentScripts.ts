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
}

/** The extensions whose files are components read through {@link componentViews}. */
export const COMPONENT_EXTENSIONS: ReadonlySet<string> = new Set([".vue", ".svelte"]);

/** An HTML comment (skipped: a commented-out block is not code), or a script start tag with its attributes. */
const TAG = /<!--[\s\S]*?(?:-->|$)|<script(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const CLOSE = /<\/script\s*>/gi;
/** A `type` that holds no JavaScript (`text/x-template`, `application/ld+json`) is not a script to analyse. */
const SCRIPT_TYPE = /^(?:module|(?:text|application)\/(?:java|type|ecma)script|text\/babel|text\/jsx|text\/tsx)$/i;

/** The value of attribute `name` in a start tag's attribute text, or undefined. */
function attribute(attributes: string, name: string): string | undefined {
  const m = new RegExp(String.raw`(?:^|\s)${name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>\x60]+))`, "i").exec(
    attributes,
  );
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

/** The script blocks' content ranges, and the dialects they ask for (`lang`). */
function scriptBlocks(text: string): { blocks: [number, number][]; langs: Set<string> } {
  const blocks: [number, number][] = [];
  const langs = new Set<string>();
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
    if (m[1] === undefined) continue; // a comment
    const start = m.index + m[0].length;
    CLOSE.lastIndex = start;
    const close = CLOSE.exec(text);
    const end = close === null ? text.length : close.index;
    TAG.lastIndex = close === null ? text.length : close.index + close[0].length;
    const type = attribute(m[1], "type");
    if (type !== undefined && !SCRIPT_TYPE.test(type.trim())) continue;
    langs.add((attribute(m[1], "lang") ?? type ?? "").toLowerCase());
    blocks.push([start, end]);
  }
  return { blocks, langs };
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
  };
}
