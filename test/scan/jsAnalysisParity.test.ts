// The scan (oxc-parser) and the ESLint rule (espree / typescript-eslint) run one analysis, so they must agree: on
// every JavaScript/TypeScript fixture of the lint and scan corpora, and on generated programs, both report the same
// findings at the same places with the same messages.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { Linter } from "eslint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import plugin from "../../packages/eslint-plugin/src/index.js";
import { jsFindings } from "../../packages/cli/src/scan/code/jsAnalysis.js";

const CODE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const linter = new Linter({ configType: "flat" });

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : CODE.test(name) ? [path] : [];
  });
}

/** `line:column message` of the rule's findings, through ESLint with the recommended config (or undefined: no parse). */
function viaEslint(name: string, text: string): string[] | undefined {
  const messages = linter.verify(text, [plugin.configs.recommended], { filename: name });
  if (messages.some((m) => m.fatal === true)) return undefined;
  return messages.map((m) => `${m.line}:${m.column} ${m.message}`).sort();
}

function viaScan(name: string, text: string): string[] | undefined {
  const found = jsFindings(name, text, extname(name));
  if (found.some((f) => f.kind === "parse-error")) return undefined;
  return found.map((f) => `${f.line}:${f.column} ${f.message}`).sort();
}

describe("scan and rule parity", () => {
  const corpus = [...files(join(__dirname, "fixtures")), ...files(join(__dirname, "..", "lint", "fixtures"))];

  it("agrees on every fixture both parsers read, and they read nearly all of them", () => {
    let compared = 0;
    let findings = 0;
    for (const path of corpus) {
      const text = readFileSync(path, "utf8");
      const name = path.split("/").pop()!;
      const eslint = viaEslint(name, text);
      const scan = viaScan(name, text);
      if (eslint === undefined || scan === undefined) continue;
      expect({ path, findings: scan }).toEqual({ path, findings: eslint });
      compared++;
      findings += scan.length;
    }
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(compared).toBeGreaterThanOrEqual(corpus.length * 0.9);
    expect(findings).toBeGreaterThanOrEqual(10);
  });

  it("agrees on generated programs", () => {
    const callee = fc.constantFrom("SmsClient", "C", "sms.SmsClient", "(0, SmsClient)", "sms[`SmsClient`]");
    const arg = fc.constantFrom(
      "cs",
      "process.env.ACS_CONNECTION_STRING",
      "endpoint, credential",
      "endpoint, new AzureKeyCredential(k)",
      "...args",
      "{ retry: 1 }",
      "endpoint, { key: k }",
    );
    const form = fc.constantFrom("new %c(%a)", "Reflect.construct(%c, [%a])", "const args = [%a]; new %c(...args)");
    const literal = fc.constantFrom(
      "",
      `const s = "endpoint=https://x.communication.azure.com/;accesskey=<key>";`,
      "const t = `endpoint=${h};accesskey=${k}`;",
      // spellings only the ACS SDKs' parser accepts, quoted values, look-alikes, base64 (a real key)
      `const q = "ACS_ENDPOINT=https://x.communication.azure.com/?a;b;accesskey=" + k;`,
      `const e = 'Endpoint="https://x.communication.azure.com/";AccessKey="<key>"';`,
      `const f = "ｅｎｄｐｏｉｎｔ＝https://x.communication.azure.com/；ａｃｃｅｓｓｋｅｙ＝<key>";`,
      `const b = "${Buffer.from(`endpoint=https://x.communication.azure.com/;accesskey=${"Kx9/aB3+Qw7Zp2Lm".repeat(6)}`).toString("base64")}";`,
    );
    fc.assert(
      fc.property(callee, arg, form, literal, (c, a, f, lit) => {
        const code = [
          'import { SmsClient } from "@azure/communication-sms";',
          'import * as sms from "@azure/communication-sms";',
          'import { AzureKeyCredential } from "@azure/core-auth";',
          "const C = SmsClient;",
          lit,
          f.replace("%c", c).replace("%a", a).replace("%c", c).replace("%a", a),
        ].join("\n");
        expect(viaScan("a.ts", code)).toEqual(viaEslint("a.ts", code));
      }),
      { numRuns: 150 },
    );
  });
});
