// Property tests of the two extractors that read code out of other files, fed outside input: a component's script
// views (`componentViews`) and a notebook's code cells (`notebookPrograms`). Random text never makes them throw; the
// views keep the text's length and line breaks and split it in two without losing a character; every character of a
// notebook's code maps back to the character (or escape) of the notebook's text it was decoded from.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { componentSplitWork, componentViews } from "../../packages/cli/src/scan/code/componentScripts.js";
import { notebookPrograms } from "../../packages/cli/src/scan/languages/notebookCells.js";

const componentPieces = fc.constantFrom(
  "<script>",
  '<script setup lang="ts">',
  "<script lang='tsx' generics=\"T extends Record<string, unknown>\">",
  '<script type="text/x-template">',
  "<SCRIPT>",
  "</script>",
  "</script >",
  "<!--",
  "-->",
  "<template>",
  "</template>",
  ">",
  '"',
  "'",
  "\n",
  "\r\n",
  "new SmsClient(cs);",
  "<scripts>",
);
const componentText = fc
  .array(fc.oneof(componentPieces, fc.string({ maxLength: 8 }), fc.string({ unit: "grapheme", maxLength: 4 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(""));

describe("componentViews", () => {
  it("keeps the length and line breaks, and every character is in exactly one view (line breaks in both)", () => {
    fc.assert(
      fc.property(componentText, (text) => {
        const { script, rest, blocks } = componentViews(text);
        expect(script.length).toBe(text.length);
        expect(rest.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (c === "\n" || c === "\r") {
            expect(script[i]).toBe(c);
            expect(rest[i]).toBe(c);
          } else {
            const inScript = blocks.some(([a, b]) => i >= a && i < b);
            expect(script[i]).toBe(inScript ? c : " ");
            expect(rest[i]).toBe(inScript ? " " : c);
          }
        }
        for (const [a, b] of blocks) expect(0 <= a && a <= b && b <= text.length).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("reads adversarial markup of 200 KB in linear work (no quadratic rescans of unterminated tags)", () => {
    const adversarial = fc.constantFrom(
      "<script a\n",
      "<script ",
      '<p a="',
      "<p title='<script>'",
      "<!--",
      "<style>",
      "{{ '<!--",
      "{",
      "<script>",
      "</script",
      '<a x="<a x="',
    );
    fc.assert(
      fc.property(fc.array(adversarial, { minLength: 1, maxLength: 4 }), (pieces) => {
        const unit = pieces.join("");
        const text = unit.repeat(Math.ceil(200_000 / unit.length));
        expect(componentSplitWork(text)).toBeLessThanOrEqual(4 * text.length);
      }),
      { numRuns: 30 },
    );
  });

  it("finds a block's content exactly, whatever surrounds it", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (before, code) => {
        fc.pre(!/<\/script/i.test(code) && !/<script|<!--/i.test(before));
        const open = '<script lang="ts">';
        const text = `${before}${open}${code}</script>`;
        const { blocks, ext } = componentViews(text);
        expect(blocks).toEqual([[before.length + open.length, before.length + open.length + code.length]]);
        expect(ext).toBe(".ts");
      }),
    );
  });
});

/** The character an offset of a notebook's text stands for: itself, or the JSON escape starting there. */
function decodedAt(text: string, o: number): string {
  if (text[o] !== "\\") return text[o];
  const escape = text[o + 1] === "u" ? text.slice(o, o + 6) : text.slice(o, o + 2);
  return JSON.parse(`"${escape}"`) as string;
}

const cellSource = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 12 }));
const cell = fc.record({
  cell_type: fc.constantFrom("code", "code", "markdown", "raw"),
  metadata: fc.constant({}),
  source: fc.oneof(fc.array(cellSource, { maxLength: 4 }), cellSource),
});

describe("notebookPrograms", () => {
  it("never throws on random text, and never on JSON that is no notebook", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json().map(String)), (text) => {
        notebookPrograms(text);
      }),
      { numRuns: 500 },
    );
  });

  it("reads every code cell's source, each character mapped back to where the notebook's text holds it", () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 5 }), fc.constantFrom(0, 1, 2, "\t"), (cells, indent) => {
        const text = JSON.stringify({ cells, metadata: {}, nbformat: 4 }, null, indent);
        const read = notebookPrograms(text);
        if (!("programs" in read)) throw new Error("a notebook was not read");
        // IPython's shell (a `%%bash` cell, a `!` line) is read as shell: blanked in the Python program.
        const code = cells
          .filter((c) => c.cell_type === "code")
          .map((c) => `${Array.isArray(c.source) ? c.source.join("") : c.source}\n`)
          .filter((c) => !/^[ \t]*%%(?:bash|sh|script[ \t]+(?:bash|sh|zsh|ksh|dash))\b/.test(c))
          .map((c) => c.replace(/^[ \t]*!(?!=)[^\n]*/gm, (line) => " ".repeat(line.length)))
          .join("");
        const python = read.programs.find((p) => p.language === "python");
        expect(python?.code ?? "").toBe(code);
        if (python === undefined) return;
        expect(python.offsets).toHaveLength(python.code.length);
        python.offsets.forEach((o, i) => {
          // The line break that ends each cell points at the cell's last character (or its start when empty).
          if (python.code[i] === "\n" && decodedAt(text, o) !== "\n") return;
          if (python.code[i] === " " && decodedAt(text, o) !== " ") return; // a shell line's, blanked
          expect(decodedAt(text, o)).toBe(python.code[i]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
