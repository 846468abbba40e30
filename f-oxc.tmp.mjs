import { parseSync, rawTransferSupported } from "oxc-parser";
import { Linter } from "eslint";
import tsParser from "@typescript-eslint/parser";
import plugin from "eslint-plugin-acs-baseline";
console.log("raw", rawTransferSupported(), process.version);
const lines = [`import { SmsClient } from "@azure/communication-sms";`, `import { readFile } from "node:fs/promises";`];
for (let f = 0; f < 12; f++) lines.push(`export async function handler_${f}(path, options = {}) {`, `  const text = await readFile(path, "utf8");`, `  if (text.startsWith("00")) { return { ok: false, reason: "unlucky", path }; }`, `  return { ok: true, size: text.length, items: text.split("\\n").map((l) => l.trim()).filter(Boolean) };`, `}`, "");
const src = lines.join("\n");
function time(name, fn, n = 1000) { for (let i = 0; i < 50; i++) fn(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); console.log(name, (Number(process.hrtime.bigint() - t) / 1e3 / n).toFixed(1), "us"); }
time("oxc default", () => parseSync("a.ts", src));
if (rawTransferSupported()) time("oxc raw", () => parseSync("a.ts", src, { experimentalRawTransfer: true, preserveParens: false }));
time("oxc noparens", () => parseSync("a.ts", src, { preserveParens: false }));
const linter = new Linter({ configType: "flat" });
const config = [{ files: ["**/*.ts"], plugins: { "acs-baseline": plugin }, rules: { "acs-baseline/no-key-auth": "error" }, languageOptions: { parser: tsParser } }];
time("eslint ts", () => linter.verify(src, config, { filename: "a.ts" }), 200);
const cj = [{ files: ["**/*.js"], plugins: { "acs-baseline": plugin }, rules: { "acs-baseline/no-key-auth": "error" }, languageOptions: { sourceType: "module" } }];
time("eslint js", () => linter.verify(src, cj, { filename: "a.js" }), 200);
time("regex", () => /accesskey/i.test(src + "x"), 10000);
