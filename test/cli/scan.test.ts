import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { SCAN_RULES } from "../../packages/cli/src/scan/rules.js";
import { scanPaths } from "../../packages/cli/src/scan/scan.js";
import { runCaptured } from "../support/captureOutput.js";
import { tempDir } from "../support/tempDir.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SARIF results are walked as plain JSON
type SarifResult = Record<string, any>;

const KEY = "Rml4dHVyZUZha2VLZXlGaXh0dXJlRmFrZUtleUZpeHR1cmU=";
const tree = tempDir("acs-scan-test-");

function cliPackageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, "../../packages/cli/package.json"), "utf8")) as { version: string })
    .version;
}

async function run(args: string[], cwd = tree): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCaptured((io) =>
    runCli(["scan", ...args], { ...io, env: {}, cwd, stderrIsTTY: false }),
  );
  return { code, stdout: out, stderr: err };
}

beforeAll(() => {
  cpSync(join(__dirname, "fixtures", "scan-tree"), tree, { recursive: true });
  // Directories that cannot be committed as fixtures: always skipped by the scanner.
  for (const dir of ["node_modules/pkg", ".git"]) {
    mkdirSync(join(tree, dir), { recursive: true });
    writeFileSync(
      join(tree, dir, "index.js"),
      `const cs = "endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}";\n`,
    );
  }
  // Files the fixture's own .gitignore ignores cannot be committed either: written here.
  mkdirSync(join(tree, "ignored"), { recursive: true });
  writeFileSync(
    join(tree, "ignored", "secret.yaml"),
    `cs: endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}\n`,
  );
  writeFileSync(join(tree, "debug.log"), `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}\n`);
  writeFileSync(join(tree, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
});

describe("scanPaths", () => {
  it("finds key auth in code and connection strings in text files, skipping ignored paths", () => {
    const result = scanPaths(["."], { cwd: tree });
    const byFile = (file: string) => result.findings.filter((f) => f.file === file).map((f) => f.kind);
    expect(byFile("src/send.mjs")).toEqual(["key-auth"]);
    expect(byFile("src/legacy.cjs")).toEqual(["key-auth"]);
    expect(byFile("src/good.ts")).toEqual([]);
    expect(byFile("src/broken.js")).toEqual(["parse-error", "connection-string"]);
    expect(byFile(".env")).toEqual(["connection-string"]);
    expect(byFile("config/app.json")).toEqual(["connection-string"]);
    expect(byFile("docs/setup.md")).toEqual(["connection-string"]);
    for (const skipped of ["ignored/secret.yaml", "debug.log", "node_modules/pkg/index.js", ".git/index.js"])
      expect(byFile(skipped)).toEqual([]);
    expect(result.filesSkipped).toBe(1); // image.png
    expect(JSON.stringify(result)).not.toContain(KEY);
    const env = result.findings.find((f) => f.file === ".env")!;
    expect(env).toMatchObject({ line: 1, column: 23, ruleId: "acs-baseline/connection-string" });
  });

  it("scans a file named explicitly even when it is ignored", () => {
    const result = scanPaths(["debug.log"], { cwd: tree });
    expect(result.findings.map((f) => f.kind)).toEqual(["connection-string"]);
  });
});

describe("acs-baseline scan", () => {
  it("text output, exit 1 on findings, keys masked", async () => {
    const { code, stdout } = await run(["."]);
    expect(code).toBe(1);
    expect(stdout).toContain("src/send.mjs:2:16  error  IM-1: SmsClient is constructed with a connection string");
    expect(stdout).toMatch(/✗ 6 finding\(s\) in 6 file\(s\)/);
    expect(stdout).toContain("accesskey=***");
    expect(stdout).not.toContain(KEY);
  });

  it("exit 0 on a clean tree", async () => {
    const { code, stdout } = await run(["src/good.ts", "README.md"]);
    expect(code).toBe(0);
    expect(stdout).toContain("✓ no key-based ACS authentication found (2 files scanned)");
  });

  it("parse errors alone do not fail the scan", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-scan-parse-"));
    writeFileSync(join(dir, "bad.js"), 'import { SmsClient } from "@azure/communication-sms"; const = ;');
    const { code, stdout } = await run(["."], dir);
    expect(code).toBe(0);
    expect(stdout).toContain("bad.js:1:");
    expect(stdout).toContain("could not be parsed");
    rmSync(dir, { recursive: true, force: true });
  });

  it("JSON output", async () => {
    const { code, stdout } = await run([".", "--format", "json"]);
    expect(code).toBe(1);
    const json = JSON.parse(stdout) as {
      filesScanned: number;
      findings: { file: string; kind: string; line: number }[];
    };
    expect(json.filesScanned).toBe(9);
    expect(json.findings).toHaveLength(7);
    expect(json.findings.filter((f) => f.kind === "parse-error")).toHaveLength(1);
    expect(stdout).not.toContain(KEY);
  });

  it("SARIF 2.1.0 output for GitHub code scanning", async () => {
    const { code, stdout } = await run(["--format", "sarif", "."]);
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout) as {
      version: string;
      $schema: string;
      runs: {
        tool: {
          driver: {
            name: string;
            rules: { id: string; helpUri?: string; help: { text: string }; shortDescription: { text: string } }[];
          };
        };
        results: SarifResult[];
      }[];
    };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toContain("sarif-2.1.0");
    const [runResult] = sarif.runs;
    expect(runResult.tool.driver.name).toBe("acs-baseline");
    // The version comes from package.json (it was once hard-coded as 0.1.0 while the package was 0.2.0).
    expect((runResult.tool.driver as { version?: string }).version).toBe(cliPackageVersion());
    const ruleIds = runResult.tool.driver.rules.map((r) => r.id);
    expect(ruleIds).toEqual(SCAN_RULES.map((r) => r.id));
    for (const r of runResult.tool.driver.rules) {
      expect(r.helpUri).toMatch(/^https:\/\//);
      expect(r.help.text.length).toBeGreaterThan(0);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
    }
    expect(runResult.results).toHaveLength(7);
    for (const result of runResult.results) {
      expect(ruleIds).toContain(result.ruleId);
      expect(runResult.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(["error", "warning"]).toContain(result.level);
      const location = result.locations[0].physicalLocation;
      expect(location.artifactLocation.uri).not.toMatch(/^\//);
      expect(location.artifactLocation.uriBaseId).toBe("SRCROOT");
      expect(location.region.startLine).toBeGreaterThanOrEqual(1);
      expect(location.region.startColumn).toBeGreaterThanOrEqual(1);
      expect(typeof result.partialFingerprints.primaryLocationLineHash).toBe("string");
    }
    expect(stdout).not.toContain(KEY);
  });

  it("--output writes to a file", async () => {
    const out = join(tree, "..", `scan-${Date.now()}.json`);
    const { code, stdout } = await run([".", "--format", "json", "--output", out]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const { readFileSync } = await import("node:fs");
    expect((JSON.parse(readFileSync(out, "utf8")) as { findings: unknown[] }).findings).toHaveLength(7);
    rmSync(out);
  });

  it("exit 2 on bad usage", async () => {
    expect((await run(["--bogus"])).code).toBe(2);
    expect((await run(["--format", "xml"])).code).toBe(2);
    const missing = await run(["does-not-exist"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or directory");
  });
});
