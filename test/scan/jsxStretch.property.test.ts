// The nesting guard's count of stretches outside literals reads JSX in a JSX dialect: a backtick or quote in an
// element's text or an attribute string opens no literal (before, `<p>Press ` to open</p>` opened a template that ran
// to the next backtick in the file, so a long literal after it was counted as code, or a long stretch was hidden).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProgram, tooDeep } from "../../packages/cli/src/scan/code/jsAnalysis.js";
import { stretchOutsideLiterals } from "../../packages/cli/src/scan/code/literalStretch.js";

/** The longest stretch without `;`, `{` or `}`, everything counted. */
function plainStretch(text: string): number {
  let max = 0;
  let run = 0;
  for (const c of text) {
    run = c === ";" || c === "{" || c === "}" ? 0 : run + c.length;
    max = Math.max(max, run);
  }
  return max;
}

const LONG = "QUJD".repeat(7_000); // 28,000 characters, over the 24,000 limit

describe("JSX text opens no literal", () => {
  it("a lone backtick in an element's text no longer pairs with a template literal after it", () => {
    const text = `const Tip = () => <p>Press \` to open the console</p>;\nconst logo = \`${LONG}\`;\n`;
    expect(tooDeep(text, false)).toBe("28002 characters without ; { or }, over 24000"); // as before: misread
    expect(tooDeep(text, true)).toBeUndefined();
    expect(parseProgram("tip.jsx", text, ".jsx")).toHaveProperty("program");
  });

  it("a long stretch after a lone backtick in JSX text is counted, not hidden as template text", () => {
    const arrows = "()=>".repeat(6_001);
    const text = `const Tip = () => <p>Press \` to open</p>;\nconst f = ${arrows}1;\nconst g = \`a\`;\n`;
    expect(tooDeep(text, false)).toBeUndefined(); // as before: the stretch hidden
    expect(tooDeep(text, true)).toBe("24016 characters without ; { or }, over 24000");
  });

  it("reads paired backticks, quotes and `${` in text and attribute strings as text", () => {
    const jsx = `<p title="it's \`x\`" data-x='say "hi"'>Use \`npm i\`, don't \${run} <b>it</b>{" ok"}</p>`;
    const text = `export const A = () => (${jsx});\nconst logo = "${LONG}";\n`;
    expect(stretchOutsideLiterals(text, true)).toBe(stretchOutsideLiterals(text.replace(jsx, neutral(jsx)), true));
    expect(tooDeep(text, true)).toBeUndefined();
    expect(parseProgram("a.jsx", text, ".jsx")).toHaveProperty("program");
  });

  it("leaves TypeScript's generic arrows in a .tsx file to the code count", () => {
    for (const head of ["const f = <T,>(x: T) => `", "const f = <T extends object>(x: T) => `"]) {
      const text = `${head}${LONG}\`;\nexport const p = <p>ok</p>;\n`;
      expect(tooDeep(text, true)).toBeUndefined();
      expect(parseProgram("f.tsx", text, ".tsx")).toHaveProperty("program");
    }
  });

  it("stays linear on hostile input", () => {
    for (const unit of ["(<a ", "(<a>`", "<a b=<a b=", "(<a>{`${<a>", "(<a '", "</a "]) {
      const text = unit.repeat(200_000 / unit.length);
      const started = performance.now();
      expect(stretchOutsideLiterals(text, true)).toBeLessThanOrEqual(plainStretch(text));
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});

/**
 * `jsx` with the text of its elements and the contents of its attribute strings replaced by `x`: `;`, `{` and `}`
 * kept, which end a stretch inside a literal too.
 */
function neutral(jsx: string): string {
  return jsx.replace(
    /(>)([^<{]*)|(=")([^"]*)|(=')([^']*)/g,
    (_, a?: string, b?: string, c?: string, d?: string, e?: string, f?: string) => {
      const [open, body] = a !== undefined ? [a, b ?? ""] : c !== undefined ? [c, d ?? ""] : [e ?? "", f ?? ""];
      return open + body.replace(/[^;{}]/g, "x");
    },
  );
}

/** A JSX tree and the same tree with its text and attribute string contents neutralised (see {@link neutral}). */
type Pair = [string, string];
const textChar = fc.constantFrom("a", " ", "`", "'", '"', "$", "\\", "/", "*", "\n", ";", "é", "(", ",");
const jsxText = fc
  .array(textChar, { maxLength: 30 })
  .map((cs): Pair => [cs.join(""), cs.map((c) => (c === ";" ? c : "x")).join("")]);
const attrString = fc
  .array(fc.constantFrom("a", "`", "'", "$", "{", "\\", "\n", ";", "<"), { maxLength: 12 })
  .map((cs): Pair => {
    const body = cs.join("");
    return [`"${body}"`, `"${cs.map((c) => (";{}".includes(c) ? c : "x")).join("")}"`];
  });
const code = fc.constantFrom<Pair>(
  ["x", "x"],
  ['"a`b"', '"a`b"'],
  ["`t${1}`", "`t${1}`"],
  ["{a: 1}", "{a: 1}"],
  ["a > b", "a > b"],
);
const tree: fc.Arbitrary<Pair> = fc.letrec<{ element: Pair; child: Pair }>((tie) => ({
  element: fc
    .tuple(
      fc.constantFrom("p", "div", "Foo.Bar", "my-tag", ""),
      fc.array(
        fc.tuple(
          fc.constantFrom("a", "data-x", "b"),
          fc.oneof(
            attrString,
            code.map(([o, n]): Pair => [`{${o}}`, `{${n}}`]),
          ),
        ),
        {
          maxLength: 2,
        },
      ),
      fc.array(tie("child"), { maxLength: 4 }),
    )
    .map(([name, attrs, children]): Pair => {
      const tagOf = (k: 0 | 1) => (name === "" ? "" : name + attrs.map(([n, v]) => ` ${n}=${v[k]}`).join(""));
      const side = (k: 0 | 1) => `<${tagOf(k)}>${children.map((c) => c[k]).join("")}</${name}>`;
      return [side(0), side(1)];
    }),
  child: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsxText,
    code.map(([o, n]): Pair => [`{${o}}`, `{${n}}`]),
    tie("element"),
  ),
})).element;

describe("JSX text and attribute strings do not change the count (property)", () => {
  it("gives a program the count of the same program with its JSX text neutralised", () => {
    const program = fc
      .tuple(tree, fc.integer({ min: 0, max: 3_000 }), fc.constantFrom("`", '"', "'"))
      .map(([[jsx, plain], n, q]): Pair => {
        const tail = `\nconst s = ${q}${"b".repeat(n)}${q};\nconst t = \`${"c".repeat(n)}\`;\n`;
        return [`export const A = () => (${jsx});${tail}`, `export const A = () => (${plain});${tail}`];
      });
    fc.assert(
      fc.property(program, ([text, plain]) => {
        expect(parseProgram("a.jsx", text, ".jsx")).toHaveProperty("program"); // the generator writes valid JSX
        const counted = stretchOutsideLiterals(text, true);
        expect(counted).toBe(stretchOutsideLiterals(plain, true));
        expect(counted).toBeLessThanOrEqual(plainStretch(text));
      }),
      { numRuns: 400 },
    );
  });

  it("is never above the plain count, and without `<` is the count without JSX, on any text", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom("<", ">", "/", "a", " ", "`", "'", '"', "{", "}", "$", ";", "=", ",", "(", "\n"),
          maxLength: 300,
        }),
        (text) => {
          expect(stretchOutsideLiterals(text, true)).toBeLessThanOrEqual(plainStretch(text));
          const noAngle = text.replace(/</g, "x");
          expect(stretchOutsideLiterals(noAngle, true)).toBe(stretchOutsideLiterals(noAngle, false));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
