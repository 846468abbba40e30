// The scan parses TypeScript to TS-ESTree (oxc-parser's astType "ts"), as typescript-eslint does for the rule, so
// nothing TypeScript-only hides a finding from the scan that the rule reports (a parameter decorator's argument), and
// the type nodes now in the AST do not make the result depend on the thread that analysed a file.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Linter } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../packages/eslint-plugin/src/index.js";
import { codeOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import type { CodeFile } from "../../packages/cli/src/scan/code/codeOutcome.js";
import { CodeWorkerPool } from "../../packages/cli/src/scan/code/codeWorkerPool.js";
import { jsFindings } from "../../packages/cli/src/scan/code/jsAnalysis.js";
import { BUILT_ESM } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const SMS = `import { SmsClient } from "@azure/communication-sms";\n`;
const KEY_CREDENTIAL = `import { AzureKeyCredential } from "@azure/core-auth";\n`;
const DECORATED = `${SMS}${KEY_CREDENTIAL}class M { m(@Inject(new SmsClient(e, new AzureKeyCredential(k))) p: string) {} }\n`;
const KEY_AUTH = `export const sms = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`;
// A class decorator at a line's start: the file is handed over with its types (a parameter decorator could follow).
const DECORATOR = `@Injectable()\nexport class Service {}\n`;

describe("TypeScript as TS-ESTree", () => {
  it("finds key auth in a parameter decorator, where the ESLint rule finds it", () => {
    for (const name of ["m.ts", "m.tsx", "m.mts", "m.cts"]) {
      const scan = jsFindings(name, DECORATED, name.slice(name.indexOf(".")));
      const messages = new Linter({ configType: "flat" }).verify(DECORATED, [plugin.configs.recommended], {
        filename: name,
      });
      expect(messages.map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual(
        scan.map((f) => `${f.line}:${f.column} ${f.message}`),
      );
      expect(scan.map((f) => f.ruleId)).toEqual(["acs-baseline/no-key-auth"]);
    }
  });

  it("finds a parameter decorator behind a comment", () => {
    const hidden = `${SMS}class K {\n  m(/* a */ @Inject(new SmsClient(cs)) p: string, // b\n    @Inject(new SmsClient(cs)) q: string) {}\n}\n`;
    expect(jsFindings("k.ts", hidden, ".ts").map((f) => `${f.line}:${f.column}`)).toEqual(["3:21", "4:13"]);
  });

  it("gives files that nest deep through `<` the same outcome on a worker thread as on the main thread", async () => {
    const dir = tempDir("acs-typescript-ast-");
    const texts: Record<string, string> = {
      // Type arguments 1,000 deep: too deep for the main thread's stack while the AST is handed over.
      "intersections.ts": `${SMS}${DECORATOR}type T = ${"A<{}&".repeat(1_000)}B${">&{}".repeat(1_000)};\n${KEY_AUTH}`,
      "unions.tsx": `${SMS}${DECORATOR}type T = ${"{} | A<".repeat(1_000)}X${">".repeat(1_000)};\n${KEY_AUTH}`,
      "functions.ts": `${SMS}${DECORATOR}type T = ${"(a: {}) => ".repeat(800)}X;\n${KEY_AUTH}`,
      "shallow.ts": `${SMS}${DECORATOR}type T = ${"A<{}&".repeat(150)}B${">&{}".repeat(150)};\n${KEY_AUTH}`,
      "plain.ts": SMS + KEY_AUTH,
      // JSX attributes nesting through `<` (a .jsx file: ESTree).
      "attributes.jsx": `${SMS}let x = ${"<a b=".repeat(800)}<a />${">{}</a>".repeat(800)};\n${KEY_AUTH}`,
      // The same types without a decorator (handed over as ESTree, a type alias's types still in it).
      "undecorated.ts": `${SMS}type T = ${"A<{}&".repeat(1_000)}B${">&{}".repeat(1_000)};\n${KEY_AUTH}`,
    };
    const files: CodeFile[] = Object.entries(texts).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return { absolute: join(dir, name), display: name, ext: name.slice(name.indexOf(".")) };
    });
    const pool = new CodeWorkerPool(files, 1 << 20, 2, join(BUILT_ESM, "scan/code/codeWorker.js"));
    expect(pool.workers).toBe(2);
    await pool.workersExited(); // the workers took every file (and left the deep ones to the main thread)
    expect(await pool.finish()).toEqual(files.map((f) => codeOutcome(f, 1 << 20)));
    const first = (name: string) => {
      const o = codeOutcome(files.find((f) => f.display === name)!, 1 << 20);
      return o !== null && o !== "sandbox" && "findings" in o ? o.findings[0] : undefined;
    };
    expect(first("intersections.ts")?.message).toBe(
      "The file could not be parsed (nested too deep to analyse); only its text was searched.",
    );
    expect(first("shallow.ts")?.ruleId).toBe("acs-baseline/no-key-auth");
    expect(first("undecorated.ts")?.ruleId).toBe("acs-baseline/parse-error");
  });
});
