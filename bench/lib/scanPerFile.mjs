// CPU per ACS-importing JavaScript/TypeScript file, in one process: ESLint's Linter with the no-key-auth rule (how
// the scan analysed code before) next to oxc-parser and the rule's shared analysis (how it does now).
import { readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export async function perFileCost(paths) {
  const require = createRequire(join(ROOT, "packages/cli/package.json"));
  const { Linter } = require("eslint");
  const tsParser = require("@typescript-eslint/parser");
  const plugin = (await import(join(ROOT, "packages/eslint-plugin/dist/esm/index.js"))).default;
  const { jsFindings } = await import(join(ROOT, "packages/cli/dist/esm/scan/code/jsAnalysis.js"));
  const linter = new Linter({ configType: "flat" });
  const plugins = { "acs-baseline": plugin };
  const rules = { "acs-baseline/no-key-auth": "error" };
  const jsx = { ecmaFeatures: { jsx: true } };
  const config = {
    ".js": [{ files: ["**/*.js"], plugins, rules, languageOptions: { sourceType: "module", parserOptions: jsx } }],
    ".ts": [{ files: ["**/*.ts"], plugins, rules, languageOptions: { parser: tsParser, parserOptions: jsx } }],
  };
  const sample = paths.map((p) => [p, readFileSync(p, "utf8")]);
  const cpuMs = (fn) => {
    for (const [p, t] of sample.slice(0, 20)) fn(p, t);
    const start = process.cpuUsage();
    for (const [p, t] of sample) fn(p, t);
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1000 / sample.length;
  };
  return {
    files: sample.length,
    eslintMs: cpuMs((p, t) => linter.verify(t, config[extname(p)], { filename: basename(p) })),
    oxcMs: cpuMs((p, t) => jsFindings(basename(p), t, extname(p))),
  };
}
