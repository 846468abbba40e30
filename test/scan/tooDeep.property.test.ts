// The scan's guard against native-parser stack overflows (`tooDeep`) counts bracket depth, stretches without `;`, `{`
// or `}`, and `?`/`else` chained at one bracket level, with a tight table-driven loop that skips short texts; it must
// say exactly what a plain count says, on any text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProgram, tooDeep } from "../../packages/cli/src/scan/code/jsAnalysis.js";

/** The plain count, one character at a time: the reference the fast loop must match. */
function reference(text: string): string | undefined {
  let depth = 0;
  let maxDepth = 0;
  let stretch = 0;
  let maxStretch = 0;
  // `?` and `else` per bracket level since the level was entered or its last `;` (levels past 1001 share one count).
  const chains = new Map<number, number>();
  const level = () => Math.min(depth, 1001);
  let maxChain = 0;
  const chars = text.split("");
  const word = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
  chars.forEach((ch, i) => {
    if (ch === ";" || ch === "{" || ch === "}") stretch = 0;
    else maxStretch = Math.max(maxStretch, ++stretch);
    if (ch === "(" || ch === "[" || ch === "{") {
      maxDepth = Math.max(maxDepth, ++depth);
      chains.set(level(), 0);
    } else if ((ch === ")" || ch === "]" || ch === "}") && depth > 0) depth--;
    else if (ch === ";") chains.set(level(), 0);
    else if (ch === "?" || (text.slice(i, i + 4) === "else" && !word(chars[i - 1]) && !word(chars[i + 4]))) {
      const count = (chains.get(level()) ?? 0) + 1;
      chains.set(level(), count);
      maxChain = Math.max(maxChain, count);
    }
  });
  if (maxDepth > 1000) return `brackets nested ${maxDepth} deep, over 1000`;
  if (maxStretch > 24_000) return `${maxStretch} characters without ; { or }, over 24000`;
  if (maxChain > 10_000) return `${maxChain} ? or else chained at one level, over 10000`;
  return undefined;
}

const piece = fc.constantFrom("(", ")", "[", "]", "{", "}", ";", "a", "=>", "é", "\u2028", "😀", "~", "'");
/** Texts around the limits: a run of one bracket kind, then anything, then a long stretch or not. */
const text = fc
  .tuple(
    fc.constantFrom("(", "[", "{", "a", "!"),
    fc.integer({ min: 0, max: 1200 }),
    fc.array(piece, { maxLength: 400 }),
    fc.integer({ min: 0, max: 24_100 }),
    fc.array(piece, { maxLength: 40 }),
  )
  .map(([open, n, middle, stretch, tail]) => open.repeat(n) + middle.join("") + "x".repeat(stretch) + tail.join(""));

const link = fc.constantFrom("a?", "b:", "{}else ", "}else{", "xelse ", "else$", " else", "é", ";", "(", ")", "{", "}");
/**
 * Texts around the chain limit: two runs of `?` or `else` links (with braces between) inside some brackets, cut by a
 * separator that may or may not restart the count at that level, then anything.
 */
const chained = fc
  .tuple(
    fc.constantFrom("", "{", "((", "[{"),
    fc.constantFrom("a?b:", "if(a){}else ", "?", "{}else "),
    fc.integer({ min: 4_900, max: 5_100 }),
    fc.constantFrom("", ";", "(", ")", "{", "}", "else", "a"),
    fc.integer({ min: 4_900, max: 5_100 }),
    fc.array(link, { maxLength: 300 }),
  )
  .map(([open, unit, n, cut, m, rest]) => open + unit.repeat(n) + cut + unit.repeat(m) + rest.join(""));

describe("tooDeep", () => {
  it("agrees with a plain count on generated texts near the chain limit", () => {
    fc.assert(
      fc.property(chained, (t) => {
        expect(tooDeep(t)).toBe(reference(t));
      }),
      { numRuns: 100 },
    );
  });

  it("agrees with a plain count on generated texts near both limits", () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(tooDeep(t)).toBe(reference(t));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3000 }), (t) => {
        expect(tooDeep(t)).toBe(reference(t));
      }),
    );
  });

  it("catches exactly one level over the depth limit and one character over the stretch limit", () => {
    expect(tooDeep("[".repeat(1000))).toBeUndefined();
    expect(tooDeep("[".repeat(1001))).toBe("brackets nested 1001 deep, over 1000");
    expect(tooDeep(`;${"!".repeat(24_000)};`)).toBeUndefined();
    expect(tooDeep(`;${"!".repeat(24_001)}`)).toBe("24001 characters without ; { or }, over 24000");
    const parsed = parseProgram("deep.js", `x = ${"(".repeat(1001)}1${")".repeat(1001)};`, ".js");
    expect(parsed).toEqual({ error: { message: "brackets nested 1001 deep, over 1000", labels: [] } });
  });
});

describe("parseProgram on a chain deeper than the call stack", () => {
  it("returns a parse error instead of throwing (oxc-parser hands the AST over recursively)", () => {
    const text = `x = ${"1+".repeat(11_000)}1;`;
    expect(tooDeep(text)).toBeUndefined();
    expect(parseProgram("chain.js", text, ".js")).toEqual({
      error: { message: "nested too deep to analyse", labels: [] },
    });
  });
});

describe("parseProgram's release", () => {
  // oxc-parser's result keeps its data reachable from the old generation until a full collection: release() must cut
  // the nodes off, or every file's AST is promoted (the collector took a third of the scan's time).
  it("cuts every statement off the parsed program", () => {
    const text = `#!/usr/bin/env node\n// c\nimport a from "a";\nexport const b = import("b");\n/* d */ a(b);\n`;
    const parsed = parseProgram("release.mjs", text, ".mjs");
    if (!("program" in parsed)) throw new Error(parsed.error.message);
    expect((parsed.program as { body: unknown[] }).body).toHaveLength(3);
    parsed.release();
    expect(parsed.program).toMatchObject({ type: "Program", body: [] });
  });
});
