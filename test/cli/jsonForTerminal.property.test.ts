// The CLI's JSON and SARIF outputs carry outside text (file names, ARM names, Activity Log callers, audit reasons).
// JSON.stringify leaves DEL, the C1 controls (U+009B is CSI to a terminal), the line separators and the format
// characters raw: jsonForTerminal escapes them and the document still parses to the same value.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonForTerminal } from "../../packages/cli/src/io.js";

const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
/** Any text, with the dangerous characters made likely. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(
      fc.constantFrom("a", "\u009b", "\u202e", "\u200b", "\ufeff", "\u2028", "\u007f", "\u{e0041}", "\n", "\u001b"),
      {
        maxLength: 20,
      },
    )
    .map((parts) => parts.join("")),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(text, tie("node"), { maxKeys: 4 }),
  ),
})).node;

describe("jsonForTerminal", () => {
  it("property: nothing a terminal acts on is printed raw, and the JSON parses to the same value", () => {
    fc.assert(
      fc.property(value, (v) => {
        const out = jsonForTerminal(v);
        // Outside string literals JSON has only ASCII structure and the indentation's line breaks.
        expect(out.replace(/\n */g, "")).not.toMatch(UNSAFE);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
  });

  it("a CSI (U+009B), a bidi override and a tag character in a file name are escaped", () => {
    const out = jsonForTerminal({ file: "a\u009b2Jb\u202ec\u{e0041}" });
    expect(out).toContain(String.raw`"a\u009b2Jb\u202ec\udb40\udc41"`);
  });
});
