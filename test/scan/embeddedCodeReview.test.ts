// Review fixes of the code read out of other files: a long template no longer trips the native parser's nesting
// guard; markup that mentions `<script` or `<!--` (an attribute, a style, an expression) hides no block; notebook
// language names that are Object.prototype's (`constructor`, `__proto__`) crash nothing; a notebook's shell (`!` lines,
// `%%bash` cells) gets the shell rules; a hand-written signer whose comment names the SDK's policy is still reported.
import { describe, expect, it } from "vitest";
import { componentViews } from "../../packages/cli/src/scan/code/componentScripts.js";
import { languageOf } from "../../packages/cli/src/scan/languages/analyse.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";

const at = (file: string, text: string) => scanText(file, text).map((f) => `${f.line}:${f.column} ${f.ruleId}`);
const SCRIPT = `<script>\nimport { SmsClient } from "@azure/communication-sms";\nconst c = new SmsClient(cs);\n</script>\n`;
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

describe("components: a long template keeps its script analysed", () => {
  it("reports the script of a .vue with 30,000 characters of template before it, at the file's line", () => {
    const vue = `<template>\n${"  <p>some text of the page</p>\n".repeat(1_000)}</template>\n${SCRIPT}`;
    expect(at("Long.vue", vue)).toEqual([`${lineOf(vue, "new SmsClient")}:11 acs-baseline/no-key-auth`]);
  });

  it("and of a .svelte with the markup after the script", () => {
    const svelte = `${SCRIPT}${"<p>some text of the page</p>\n".repeat(1_000)}`;
    expect(at("Long.svelte", svelte)).toEqual(["3:11 acs-baseline/no-key-auth"]);
  });
});

describe("components: markup that mentions a script or a comment hides no block", () => {
  const cases: [string, string][] = [
    ["attribute.vue", `<template><p title="<script>">x</p></template>\n${SCRIPT}`],
    ["style.svelte", `<style>\n  p::before { content: "<script>"; }\n</style>\n${SCRIPT}`],
    ["vue-expression.vue", `<template><p>{{ "<!--" }}</p></template>\n${SCRIPT}`],
    ["svelte-expression.svelte", `<p>{"<!--"}</p>\n${SCRIPT}`],
    ["malformed.vue", `<template><p/></template>\n<script a\n${SCRIPT}`],
  ];
  for (const [file, text] of cases)
    it(file, () => {
      expect(at(file, text)).toEqual([`${lineOf(text, "new SmsClient")}:11 acs-baseline/no-key-auth`]);
    });

  it("still leaves a commented-out block alone", () => {
    expect(componentViews(`<!-- ${SCRIPT} -->\n<p/>`).blocks).toEqual([]);
  });
});

/** A notebook of one Python code cell, the rest of its JSON given. */
function notebook(source: string[], metadata: object, cellMetadata: object = {}): string {
  const cells = [{ cell_type: "code", metadata: cellMetadata, outputs: [], source }];
  return JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1);
}
const PY = ["from azure.communication.sms import SmsClient\n", "c = SmsClient.from_connection_string(cs)\n"];

describe("notebooks: any language name, and the shell in a Python notebook", () => {
  it("reads no cell of a language named like an inherited property, and scans on", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(at("k.ipynb", notebook(PY, { kernelspec: { language: name } }))).toEqual([]);
      expect(at("c.ipynb", notebook(PY, {}, { vscode: { languageId: name } }))).toEqual([]);
    }
    expect(languageOf("x.constructor", "")).toBeUndefined();
    expect(at("x.__proto__", "c = SmsClient.from_connection_string(cs)\n")).toEqual([]);
  });

  it("reads `!` lines with the shell rules, at the notebook's line and column", () => {
    const text = notebook(["import os\n", "!az communication list-key --name x -g y\n"], {});
    const line = lineOf(text, "!az");
    const column = text.split("\n")[line - 1].indexOf("az communication") + 1;
    expect(at("magic.ipynb", text)).toEqual([`${line}:${column} acs-baseline/shell/key-fetch`]);
  });

  it("reads a %%bash cell (and %%script bash) with the shell rules, not the Python ones", () => {
    for (const magic of ["%%bash\n", "%%sh\n", "%%script bash\n"]) {
      const text = notebook([magic, "az communication list-key --name x -g y\n"], {});
      const line = lineOf(text, '"az communication');
      expect(at("bash.ipynb", text)).toEqual([`${line}:6 acs-baseline/shell/key-fetch`]);
    }
  });
});
