// A connection string cut in two literals the language joins — Python's implicit concatenation
// `("endpoint=…;accesskey=" "<key>")`, `+`, a `\` line continuation — with a real key in the second: one
// `connection-string` error over both literals, not a template warning that calls the key a placeholder beside a
// legacy-key error. A placeholder or nothing in the next literal keeps the template warning.
import { describe, expect, it } from "vitest";
import { scanText } from "../../packages/cli/src/scan/scan.js";

const KEY = "TMzS4Z5XAqDpFK4SRX/3k8kYmuyx7FQH95OevT788yPNIeb9WptlwSJCWx4JsmX0VbE2det/pm88ca60KZG+tw==";
const HEAD = "endpoint=https://sudoku.unitedstates.communication.azure.com/;accesskey=";
const found = (file: string, text: string) => {
  const all = scanText(file, text);
  expect(JSON.stringify(all)).not.toContain(KEY.slice(0, 20));
  return all.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId}`);
};

describe("a key in the literal after an empty accesskey=", () => {
  it("is one connection-string error over both literals (Python implicit concatenation)", () => {
    const py = `from azure.communication.email import EmailClient\ncs = ("${HEAD}"\n      "${KEY}")\n`;
    expect(found("sudoku.py", py)).toEqual(["2:8-3:96 acs-baseline/connection-string"]);
  });

  it.each([
    ["a.cs", `var cs = "${HEAD}" +\n    "${KEY}";\n`],
    ["a.sh", `CS="${HEAD}"\\\n"${KEY}"\n`],
    ["a.java", `String cs = "${HEAD}"+"${KEY}";\n`],
  ])("is one error in %s", (file, text) => {
    expect(found(file, text).map((f) => f.split(" ")[1])).toEqual(["acs-baseline/connection-string"]);
  });

  it("keeps the template warning when the next literal is a placeholder or no key", () => {
    expect(found("a.py", `cs = ("${HEAD}"\n      "<your-access-key>")\n`).map((f) => f.split(" ")[1])).toEqual([
      "acs-baseline/connection-string-template",
    ]);
    expect(found("a.py", `cs = ("${HEAD}" "${"x".repeat(88)}")\n`).map((f) => f.split(" ")[1])).toEqual([
      "acs-baseline/connection-string-template",
    ]);
  });

  it("leaves a key that is not joined to it to the legacy-key rule", () => {
    const py = `cs = "${HEAD}"\nkey = "${KEY}"\n`;
    expect(found("a.py", py).map((f) => f.split(" ")[1])).toEqual([
      "acs-baseline/connection-string-template",
      "acs-baseline/legacy-key",
    ]);
  });
});
