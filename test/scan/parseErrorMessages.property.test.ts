// The attack: a file that does not parse gets a parse-error finding, and oxc-parser's messages quote the file: a JSX
// tag's name (`Expected corresponding JSX closing tag for 'Foo'`), a private name, a declared name, a regular
// expression's flag. A file may hold a secret where a name would be (`<sk_live_…>` in a template, a generated name),
// and the finding went into the terminal, JSON and SARIF uploaded to code scanning. The finding now says the kind of
// error in fixed words, and the line and column where.
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseErrorKind } from "../../packages/cli/src/scan/code/parseErrorKinds.js";
import { toSarif } from "../../packages/cli/src/scan/sarif.js";
import type { ScanFinding } from "../../packages/cli/src/scan/scan.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";
import { runBuiltScan } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const ACS = `import { SmsClient } from "@azure/communication-sms";\n`;
const EXTENSIONS = [".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"];
/** Every parse-error message the scan gives for a parser error: fixed words, then the fixed frame. */
const FIXED = /^The file could not be parsed \((?:[a-zA-Z ]+)\); only its text was searched\.$/;

/** A secret-like token that is also a name: a letter, then 15 to 39 letters and digits (with one digit at least). */
const secret = fc
  .tuple(
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    fc.stringMatching(/^[A-Za-z0-9]{14,38}$/),
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([first, rest, digit]) => `${first}${rest}${digit}`);

/** Shapes where oxc-parser's message names what the file holds at `T` (each one an error). */
const QUOTING_SHAPES: readonly ((t: string) => string)[] = [
  (t) => `const a = <${t}></Other>;\n`,
  (t) => `const a = <div><${t}.x></${t}.y></div>;\n`,
  (t) => `class A { m() { return this.#${t}; } }\n`,
  (t) => `const o = { #${t}: 1 };\n`,
  (t) => `let ${t} = 1;\nlet ${t} = 2;\n`,
  (t) => `const r = /a/${t};\n`,
  (t) => `function f(${t}, ${t}) { "use strict"; }\n`,
  (t) => `const x = 1 ${t} 2;\n`,
  (t) => `import { a as ${t}, b as ${t} } from "x";\n`,
  (t) => `class ${t} { constructor() {} constructor() {} }\n`,
  (t) => `let x = "${t}\n`,
  (t) => `const s = \`${t}\${;\n`,
  (t) => `label: { break ${t}; }\n`,
  (t) => `enum E { ${t} = }\n`,
  (t) => `${t}: ${t}: x;\n`,
  (t) => `const o = { ${t} = 1 };\n`,
  (t) => `new.${t};\n`,
  (t) => `import.${t};\n`,
  (t) => `let a = 0x${t};\n`,
  (t) => `async function* f() { yield\n${t} await; }\n`,
];

/** Pieces of broken code mixed around the token, for shapes no one listed. */
const JUNK = fc.constantFrom(
  ..."( ) { } [ ] < > </ ' \" ` ; , . = => @ # \\ / * ? : ${ <> </> ?. ?? ** ++ 0x 1n 08 \n"
    .split(" ")
    .concat(["let", "class", "import", "export", "async", "await", "yield", "new", "enum", "interface", "private"])
    .concat(["abstract", "static", "readonly", "return", "break", "super", "this", "arguments", "as", "satisfies"]),
);

/** The parse-error findings of `text` (extension `ext`). */
const parseErrors = (text: string, ext: string): ScanFinding[] =>
  scanText(`src/file${ext}`, text).filter((f) => f.ruleId === "acs-baseline/parse-error");

/** The SARIF of those findings, as uploaded to code scanning. */
const sarifOf = (findings: ScanFinding[]): string =>
  JSON.stringify(toSarif({ findings, skipped: [], filesScanned: 1, filesSkipped: 0 }, "0.0.0"));

function expectNoEcho(text: string, ext: string, token: string): void {
  const errors = parseErrors(text, ext);
  for (const f of errors) {
    expect(f.message).toMatch(FIXED);
    expect(f.message).not.toContain(token);
  }
  expect(sarifOf(errors)).not.toContain(token);
}

describe("parse-error findings never quote the file", () => {
  it("say the kind of error, never a name the parser quoted (every shape that quotes one, every dialect)", () => {
    fc.assert(
      fc.property(secret, fc.constantFrom(...QUOTING_SHAPES), fc.constantFrom(...EXTENSIONS), (token, shape, ext) =>
        expectNoEcho(ACS + shape(token), ext, token),
      ),
      { numRuns: 1000 },
    );
  });

  it("never echo a token in random broken code", () => {
    const broken = fc.tuple(fc.array(JUNK, { maxLength: 12 }), fc.array(JUNK, { maxLength: 12 }));
    fc.assert(
      fc.property(secret, broken, fc.constantFrom(...EXTENSIONS), (token, [before, after], ext) =>
        expectNoEcho(`${ACS}${before.join(" ")}${token}${after.join("")}`, ext, token),
      ),
      { numRuns: 1000 },
    );
  });

  it("keep the line and column of the error", () => {
    const [error] = parseErrors(`${ACS}\nconst a = <Foo></Bar>;\n`, ".jsx");
    expect(error.message).toBe(
      "The file could not be parsed (JSX closing tag does not match its opening tag); only its text was searched.",
    );
    expect([error.line, error.column]).toEqual([3, 18]);
  });

  it("keep the token out of the built CLI's text, JSON and SARIF output", () => {
    const token = "sk9LiveTok3nQ7xWv2mZpR4tY8uB";
    const dir = tempDir("acs-parse-error-echo-");
    writeFileSync(join(dir, "view.jsx"), `${ACS}export const v = <${token}></Other>;\n`);
    writeFileSync(join(dir, "model.ts"), `${ACS}class A { m() { return this.#${token}; } }\n`);
    for (const format of ["text", "json", "sarif"]) {
      const run = runBuiltScan(dir, [".", "--format", format]);
      expect(run.status).toBe(0); // parse errors alone
      expect(run.stdout).toContain("could not be parsed");
      expect(run.stdout + run.stderr).not.toContain(token);
    }
  });

  it("map every kind to fixed words, and a message no one listed to 'syntax error'", () => {
    expect(parseErrorKind("Expected corresponding JSX closing tag for 'sk_live_123'")).toBe(
      "JSX closing tag does not match its opening tag",
    );
    expect(parseErrorKind("Identifier `tok3n` has already been declared")).toBe("name declared twice");
    expect(parseErrorKind("Unexpected flag x in regular expression literal")).toBe("invalid regular expression");
    expect(parseErrorKind("Private identifier '#tok3n' is not allowed in property names")).toBe(
      "private name not allowed here",
    );
    expect(parseErrorKind("A message from a future parser naming tok3n")).toBe("syntax error");
  });
});
