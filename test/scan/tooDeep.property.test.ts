// The scan's guard against native-parser stack overflows (`tooDeep`) counts bracket depth, stretches without `;`, `{`
// or `}`, and `?`/`else` chained at one bracket level, with a tight table-driven loop that skips short texts; it must
// say exactly what a plain count says, on any text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProgram, tooDeep } from "../../packages/cli/src/scan/code/jsAnalysis.js";
import { sourceFindings } from "../../packages/cli/src/scan/code/sourceFindings.js";

/**
 * Which characters are string, template or regular expression literal contents, by sticky regular expressions (the
 * reference for the scan's hand-written lexer): comments are code; a quote closed on its line, and template text up to
 * `` ` `` or `${` (an unclosed one is code), are literals; a `}` that closes a `${…}` returns to template text; a `/`
 * where a regular expression may start (`mayStartRegex`) opens one when it closes on its line (`[…]` and `\`
 * escapes taken into account).
 */
function literalContents(text: string): boolean[] {
  const inside = new Array<boolean>(text.length).fill(false);
  const mark = (from: number, to: number) => inside.fill(true, from, to);
  const at = (re: RegExp, i: number) => {
    re.lastIndex = i;
    return re.exec(text);
  };
  const comment = /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y;
  const quoted = /'((?:[^'\\\n\r]|\\[\s\S])*)'|"((?:[^"\\\n\r]|\\[\s\S])*)"/y;
  const templateText = /((?:[^`\\$]|\\[\s\S]|\$(?!\{))*)(`|\$\{)/y;
  const regex = /\/(?:[^\\/[\n\r]|\\[^\n\r]|\[(?:[^\]\\\n\r]|\\[^\n\r])*\])+\//y;
  const braces: number[] = [];
  let prev = -1; // the last significant character outside comments and literal contents
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    let m: RegExpExecArray | null;
    if ((m = at(comment, i)) !== null && m[0].length > 0) i += m[0].length;
    else if ((ch === "'" || ch === '"') && (m = at(quoted, i)) !== null) {
      mark(i + 1, i + m[0].length - 1);
      prev = i + m[0].length - 1;
      i += m[0].length;
    } else if (ch === "`" || (ch === "}" && braces.length > 0 && braces[braces.length - 1] === 0)) {
      if (ch === "}") braces.pop();
      m = at(templateText, i + 1);
      if (m === null) prev = i++;
      else {
        mark(i + 1, i + 1 + m[1].length);
        if (m[2] === "${") braces.push(0);
        prev = i + m[0].length;
        i += 1 + m[0].length;
      }
    } else if (
      ch === "/" &&
      mayStartRegex(text.slice(Math.max(0, prev - 11), prev + 1)) &&
      (m = at(regex, i)) !== null
    ) {
      mark(i + 1, i + m[0].length - 1);
      prev = i + m[0].length - 1;
      i += m[0].length;
    } else {
      if (braces.length > 0 && (ch === "{" || ch === "}")) braces[braces.length - 1] += ch === "{" ? 1 : -1;
      if (!/\s/.test(ch)) prev = i;
      i++;
    }
  }
  return inside;
}

/**
 * Whether a `/` after `before` (the last 12 characters up to the last significant one: longer than any keyword) may start a regular expression: not after a
 * name or number (unless a keyword such as `return`), a closing bracket, a literal's end, `++`, `--` or `<`.
 */
function mayStartRegex(before: string): boolean {
  if (/[)\]}'"`/<]$|\+\+$|--$/.test(before)) return false;
  const word = /(?:[\w$]|(?!\s)[\u0080-\uffff])+$/.exec(before);
  if (word === null) return true;
  return [
    "return",
    "typeof",
    "case",
    "in",
    "of",
    "instanceof",
    "new",
    "delete",
    "void",
    "throw",
    "yield",
    "await",
    "do",
    "else",
    "extends",
  ].includes(word[0]);
}

/** The plain count, one character at a time: the reference the fast loop must match. */
function reference(text: string): string | undefined {
  const literal = literalContents(text);
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
    else if (!literal[i]) maxStretch = Math.max(maxStretch, ++stretch);
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

const piece = fc.constantFrom(
  ...[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    "a",
    "=>",
    "é",
    "\u2028",
    "😀",
    "~",
    "'",
    '"',
    "`",
    "${",
    "\\",
    "\n",
    "//",
    "/*",
    "/",
    " /",
    "return ",
    "x",
    "++",
    "<",
    " ",
  ],
);
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

/** Two long runs with anything (quotes, template parts, comments) around and between them: literals near the limit. */
const literalRuns = fc
  .tuple(
    fc.array(piece, { maxLength: 30 }),
    fc.integer({ min: 0, max: 24_100 }),
    fc.array(piece, { maxLength: 30 }),
    fc.integer({ min: 0, max: 24_100 }),
    fc.array(piece, { maxLength: 30 }),
  )
  .map(([a, n, b, m, c]) => a.join("") + "x".repeat(n) + b.join("") + "!".repeat(m) + c.join(""));

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

  it("agrees with a count that leaves literal contents out on generated texts with long literals", () => {
    fc.assert(
      fc.property(literalRuns, (t) => {
        expect(tooDeep(t)).toBe(reference(t));
      }),
      { numRuns: 300 },
    );
  });

  it("does not count a long string or template literal's contents, and still counts what nests around them", () => {
    const b64 = "QUJD".repeat(7_000); // 28,000 characters of base64, as a logo in an e-mail sample
    expect(tooDeep(`const logo = "${b64}";\nsend(logo)`)).toBeUndefined();
    expect(tooDeep(`const logo = '${b64}'`)).toBeUndefined();
    expect(tooDeep(`const logo = \`${b64}\${a}${b64}\`;`)).toBeUndefined();
    // The code of a substitution is counted; so is a quote never closed on its line (not a string).
    expect(tooDeep(`x = \`\${${"()=>".repeat(6_001)}1}\`;`)).toBe("24005 characters without ; { or }, over 24000");
    expect(tooDeep(`x = "\n${"!".repeat(24_001)}"`)).toBe("24008 characters without ; { or }, over 24000");
    // A literal's `;` still ends a stretch: never more than the plain count.
    expect(tooDeep(`${"!".repeat(20_000)}";"${"!".repeat(20_000)}`)).toBeUndefined();
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

describe("a sample with a long base64 string", () => {
  it("is analysed: the string is no stretch the parser recurses on", () => {
    const logo = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ".repeat(620); // about 27 KB
    const text =
      `const { EmailClient } = require("@azure/communication-email");\n` +
      `const client = new EmailClient(process.env["COMMUNICATION_SERVICES_CONNECTION_STRING"]);\n` +
      `const logo = "${logo}";\nclient.beginSend({ attachments: [{ contentInBase64: logo }] });\n`;
    const rules = sourceFindings("send-email.js", text, ".js").map((f) => `${f.line}:${f.ruleId}`);
    expect(rules).toEqual(["2:acs-baseline/no-key-auth"]);
  });
});

describe("regular expression literals and other quotes outside literals", () => {
  const b64 = "QUJD".repeat(6_600); // 26,400 characters
  it("a backtick in a regular expression opens no template (a reviewer's sample: no-key-auth was missed)", () => {
    const text =
      `import { SmsClient } from "@azure/communication-sms";\n` +
      `import { AzureKeyCredential } from "@azure/core-auth";\n` +
      "const re = /`/;\n" +
      `export const logo = \`data:image/png;base64,${b64}\`;\n` +
      `export const client = new SmsClient("https://x.communication.azure.com", new AzureKeyCredential(process.env.ACS_KEY));\n`;
    expect(tooDeep(text)).toBeUndefined();
    const rules = sourceFindings("attack.ts", text, ".ts").map((f) => `${f.line}:${f.ruleId}`);
    expect(rules).toEqual(["5:acs-baseline/no-key-auth"]);
  });

  it("reads a regular expression where one may start, closed on its line, with classes and escapes", () => {
    for (const re of ["/`/", "/'/", "/[/`]/", "/\\/`/", "/[\\]`]/"]) {
      expect(tooDeep(`x = ${re};\ny = \`${b64}\`;`), re).toBeUndefined();
      expect(tooDeep(`return ${re}.test(s) ? \`${b64}\` : 0`), re).toBeUndefined();
    }
    // A division is no regular expression: the quote after it is one (here a string, so nothing is counted).
    expect(tooDeep(`a = b / c; d = (e) / 2 + '${b64}' / 3`)).toBeUndefined();
    // Not closed on its line: no regular expression, the `/` is code, and so is the unclosed backtick after it.
    expect(tooDeep(`x = /\`\n${"!".repeat(24_001)}`)).toBe("24008 characters without ; { or }, over 24000");
    // After a name, `)` or `]` a `/` divides: a quote further on the line still opens a string.
    expect(tooDeep(`a = b /'/'${"!".repeat(24_001)}`)).toBe("24010 characters without ; { or }, over 24000");
  });

  it("leaves quotes in comments, JSX closing tags and nested templates where they belong", () => {
    expect(tooDeep(`// don't \`quote\` me\nconst s = "${b64}";`)).toBeUndefined();
    expect(tooDeep(`/* it's */ const s = '${b64}';`)).toBeUndefined();
    expect(tooDeep(`const p = <p>don't</p>;\nconst s = \`${b64}\`;`)).toBeUndefined();
    expect(tooDeep(`const p = <a href="/x">it's</a>;\nconst s = "${b64}";`)).toBeUndefined();
    expect(tooDeep(`const t = \`\${\`a\${b}${b64}\`}${b64}\`;`)).toBeUndefined();
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
