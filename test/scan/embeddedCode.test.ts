// Code inside other files: the `<script>` blocks of Vue and Svelte components are analysed as JavaScript/TypeScript
// (`lang="ts"` as TypeScript), and a Jupyter notebook's code cells as a file of the notebook's language, each
// finding placed at the component's or notebook's own line and column.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanPaths, scanText } from "../../packages/cli/src/scan/scan.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const at = (file: string, text: string) => scanText(file, text).map((f) => `${f.line}:${f.column} ${f.ruleId}`);

const VUE = `<template>
  <div>{{ msg }}</div>
</template>
<script setup lang="ts">
import { CommunicationIdentityClient } from "@azure/communication-identity";
const client: CommunicationIdentityClient = new CommunicationIdentityClient(import.meta.env.VITE_ACS_CONNECTION_STRING as string);
</script>
`;

const SVELTE = `<script context="module">
  export const prerender = false;
</script>
<script>
  import { SmsClient } from "@azure/communication-sms";
  const c = new SmsClient(connectionString);
</script>
<p>Send an SMS</p>
`;

describe("Vue and Svelte components: the script blocks are analysed", () => {
  it("reports a client built from a connection string in <script setup lang=ts>, at the .vue's line and column", () => {
    expect(at("Token.vue", VUE)).toEqual(["6:45 acs-baseline/no-key-auth"]);
  });

  it("reports it in a Svelte component's <script>, after a module-context block", () => {
    expect(at("Token.svelte", SVELTE)).toEqual(["6:13 acs-baseline/no-key-auth"]);
  });

  it("reports nothing for an Entra ID component", () => {
    const entra = VUE.replace(
      "import.meta.env.VITE_ACS_CONNECTION_STRING as string",
      "import.meta.env.VITE_ACS_ENDPOINT, new DefaultAzureCredential()",
    );
    expect(at("Token.vue", entra)).toEqual([]);
  });

  it("analyses a component's blocks as one module (an import in <script>, the client in <script setup>)", () => {
    const two = `<script>\nimport { SmsClient as S } from "@azure/communication-sms";\n</script>\n<template><p/></template>\n<script setup>\nconst c = new S(cs);\n</script>\n`;
    expect(at("Two.vue", two)).toEqual(["6:11 acs-baseline/no-key-auth"]);
  });

  it("leaves a commented-out block and a non-script type alone, and searches the template's text", () => {
    const vue = `<template>\n  <!-- <script>new SmsClient(cs)</script> -->\n  <p title="${CS}"></p>\n</template>\n<script type="text/x-template">\nimport { SmsClient } from "@azure/communication-sms"; new SmsClient(cs);\n</script>\n`;
    expect(at("Quiet.vue", vue)).toEqual(["3:13 acs-baseline/connection-string"]);
  });

  it("reports a syntax error in the script at the component's line", () => {
    const broken = `<template><p/></template>\n<script>\nimport { SmsClient } from "@azure/communication-sms";\nconst = ;\n</script>\n`;
    expect(at("Broken.svelte", broken)).toEqual(["4:7 acs-baseline/parse-error"]);
  });

  it("scans .vue and .svelte files in a tree, a long one in the parser sandbox too", () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-scan-components-"));
    dirs.push(dir);
    writeFileSync(join(dir, "Token.vue"), VUE);
    writeFileSync(join(dir, "Token.svelte"), SVELTE);
    writeFileSync(
      join(dir, "Long.vue"),
      `<template>\n${"  <p>text</p>\n".repeat(900)}</template>\n${VUE.slice(VUE.indexOf("<script"))}`,
    );
    const r = scanPaths(["."], { cwd: dir, useGit: false });
    expect(r.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "Long.vue:905 acs-baseline/no-key-auth",
      "Token.svelte:6 acs-baseline/no-key-auth",
      "Token.vue:6 acs-baseline/no-key-auth",
    ]);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A notebook as Jupyter writes it (one-space indent), cells given as [type, source lines]. */
function notebook(cells: [string, string[] | string][], metadata: object = { kernelspec: { name: "python3" } }) {
  const json = {
    cells: cells.map(([type, source]) => ({ cell_type: type, metadata: {}, outputs: [], source })),
    metadata,
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(json, null, 1);
}

describe("Jupyter notebooks: code cells get the language rules", () => {
  const cells: [string, string[]][] = [
    ["markdown", ["Call `EmailClient.from_connection_string(cs)` to start.\n"]],
    [
      "code",
      [
        "from azure.communication.email import EmailClient\n",
        'client = EmailClient.from_connection_string(os.environ["CS"])\n',
      ],
    ],
    [
      "code",
      [
        "from azure.core.credentials import AzureKeyCredential\n",
        "from azure.communication.sms import SmsClient\n",
        "sms = SmsClient(endpoint, AzureKeyCredential(key))\n",
      ],
    ],
  ];

  it("reports the Python key forms at the notebook's line and column, not in markdown cells", () => {
    const text = notebook(cells);
    const lines = text.split("\n");
    const lineOf = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
    const col = (s: string, what: string) => lines[lineOf(s) - 1].indexOf(what) + 1;
    expect(at("nb.ipynb", text)).toEqual([
      `${lineOf("client = ")}:${col("client = ", "EmailClient.from")} acs-baseline/python/key-auth`,
      `${lineOf("sms = ")}:${col("sms = ", "SmsClient(")} acs-baseline/python/key-auth`,
    ]);
  });

  it("maps through escapes and a cell source written as one string", () => {
    const text = notebook([
      ["code", 'import azure.communication.sms as s\nx = "\\t"; c = s.SmsClient.from_connection_string(cs)\n'],
    ]);
    const line = text.split("\n").findIndex((l) => l.includes("from_connection_string")) + 1;
    const raw = text.split("\n")[line - 1];
    expect(at("nb.ipynb", text)).toEqual([`${line}:${raw.indexOf("s.SmsClient") + 1} acs-baseline/python/key-auth`]);
  });

  it("reads a C# notebook's cells with the C# rules", () => {
    const text = notebook([["code", ['var c = new SmsClient(Environment.GetEnvironmentVariable("ACS"));\n']]], {
      kernelspec: { name: ".net-csharp", language: "C#" },
    });
    expect(at("dotnet.ipynb", text).map((f) => f.split(" ")[1])).toEqual(["acs-baseline/csharp/key-auth"]);
  });

  it("reports an assembled connection string in a cell once, and not the parsing of one", () => {
    const text = notebook([
      [
        "code",
        [
          "import azure.communication.email\n",
          'cs = "endpoint=" + e + ";accesskey=" + key\n',
          'ok = ";accesskey=" in cs\n',
        ],
      ],
    ]);
    expect(at("nb.ipynb", text).map((f) => f.split(" ")[1])).toEqual(["acs-baseline/connection-string-assembled"]);
  });

  it("gives a notebook that is not JSON a parse-error finding, and still searches its text", () => {
    const text = `{"cells": [{"cell_type": "code", "source": ["ACS = '${CS}'"]}\n`;
    expect(at("bad.ipynb", text).map((f) => f.split(" ")[1])).toEqual([
      "acs-baseline/connection-string",
      "acs-baseline/parse-error",
    ]);
  });

  it("reads a notebook up to the default file-size limit as one, and a larger one as text", () => {
    const big = notebook([
      ["code", ["EmailClient.from_connection_string(cs)\n", `# ${"x".repeat(2 * 1024 * 1024)}\n`]],
    ]);
    const found = scanText("big.ipynb", big);
    expect(found.map((f) => f.ruleId)).toEqual(["acs-baseline/parse-error"]);
    expect(found[0].message).toContain("larger than 2097152 characters");
  });
});
