// The scan analyses the JavaScript/TypeScript files of a large scan on worker threads too: the result must be the
// same as on one thread (same findings, skips, order and counts), whatever a worker does, dies included.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import type { CodeFile } from "../../packages/cli/src/scan/code/codeOutcome.js";
import { CodeWorkerPool } from "../../packages/cli/src/scan/code/codeWorkerPool.js";
import { MIN_PARSED_FILES_FOR_WORKERS, scanPaths, scanPathsInParallel } from "../../packages/cli/src/scan/scan.js";
import { tempDir } from "../support/tempDir.js";

const CLI = join(__dirname, "../../packages/cli/dist/esm");
const BIN = join(CLI, "bin.js");
const BUILT_WORKER = join(CLI, "scan/code/codeWorker.js");
const DYING_WORKER = join(__dirname, "fixtures/workers/dyingCodeWorker.mjs");
const KEY = "Rml4dHVyZUZha2VLZXlGaXh0dXJlRmFrZUtleUZpeHR1cmU=";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const EXTENSIONS = [".js", ".ts", ".mjs", ".cjs", ".tsx", ".jsx", ".mts", ".cts"];

/** One source file of the generated tree: clean ACS code, key auth, a connection string or plain code. */
function source(i: number): string {
  const acs = `import { SmsClient } from "@azure/communication-sms";\nimport { DefaultAzureCredential } from "@azure/identity";\n`;
  switch (i % 6) {
    case 0:
      return `${acs}export const sms = new SmsClient("https://contoso.communication.azure.com", new DefaultAzureCredential());\n`;
    case 1:
      return `${acs}export const sms${i} = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`;
    case 2:
      return `export const cs = "${CS}";\n`;
    case 3:
      return `${acs}import { AzureKeyCredential } from "@azure/core-auth";\nconst k = new AzureKeyCredential("k");\nexport const c = new SmsClient("https://x.communication.azure.com", k);\n`;
    default:
      return `export function f${i}(a) {\n  return [a, ${i}].map((x) => x * 2);\n}\n`;
  }
}

/** A tree with more source files to parse than the worker threshold (4 in 6 name ACS), and every kind of outcome. */
function generateTree(root: string): void {
  for (let i = 0; i < MIN_PARSED_FILES_FOR_WORKERS * 2; i++) {
    const dir = join(root, `pkg${i % 9}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file${i}${EXTENSIONS[i % EXTENSIONS.length]}`), source(i));
    if (i % 25 === 0) writeFileSync(join(dir, `notes${i}.md`), `Connect with \`${CS}\`.\n`);
  }
  const odd = join(root, "odd");
  mkdirSync(odd);
  writeFileSync(join(odd, "broken.js"), `import "@azure/communication-sms";\nconst x = ;\nconst cs = "${CS}";\n`);
  // Deeper than the main thread's stack (a parse error there), and deep enough for workers to leave it to main.
  writeFileSync(join(odd, "chain.js"), `import "@azure/communication-sms";\nx = ${"1+".repeat(6_000)}"${CS}";\n`);
  // Deep trees whose brackets and stretches stay short (the braces break them): every thread gives the same answer
  // (a parse error past MAX_ANALYSIS_DEPTH), and past the chain limit the native parser is never handed them.
  writeFileSync(
    join(odd, "ternaries.js"),
    `import "@azure/communication-sms";\nx = ${"a?{}:".repeat(5_000)}0;\nnew SmsClient("${CS}");\n`,
  );
  writeFileSync(
    join(odd, "elseif.js"),
    `import "@azure/communication-sms";\nif(a){}${"else if(a){}".repeat(5_000)}\nnew SmsClient("${CS}");\n`,
  );
  writeFileSync(
    join(odd, "plus.js"),
    `import "@azure/communication-sms";\nx = a${"+{}".repeat(5_000)};\nnew SmsClient("${CS}");\n`,
  );
  writeFileSync(join(odd, "crash.js"), `import "@azure/communication-sms";\nx = ${"a?{}:".repeat(20_000)}0;\n`);
  // Past the workers' shallow limit, yet analysed in full on the main thread.
  writeFileSync(join(odd, "long.js"), `import "@azure/communication-sms";\nx = [${"1,".repeat(1500)}"${CS}"];\n`);
  writeFileSync(join(odd, "binary.js"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3, 0, 0, 0]));
  writeFileSync(join(odd, "large.ts"), `export const big = "${"x".repeat(300_000)}";\n`);
  symlinkSync(join(odd, "broken.js"), join(odd, "link.js"));
  writeFileSync(join(odd, "settings.json"), JSON.stringify({ acs: { connectionString: CS } }));
}

const tree = tempDir("acs-parallel-scan-");
generateTree(tree);

function runBuiltCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, "scan", ".", "--format", "json", "--max-file-size", "256k", ...args], {
    cwd: tree,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function codeFiles(): CodeFile[] {
  return scanPaths(["."], { cwd: tree, useGit: false })
    .findings.map((f) => f.file)
    .filter((file, i, all) => all.indexOf(file) === i && EXTENSIONS.includes(extname(file)))
    .map((file) => ({ absolute: join(tree, file), display: file, ext: extname(file) }));
}

describe("a scan on worker threads", () => {
  it("prints exactly what a one-thread scan prints, on a generated tree with every kind of outcome", () => {
    expect(existsSync(BIN), "build the packages first (npm run build)").toBe(true);
    const one = runBuiltCli("--jobs", "1");
    const four = runBuiltCli("--jobs", "4");
    const byDefault = runBuiltCli();
    expect(one.stderr).toBe("");
    expect(one.status).toBe(1);
    const report = JSON.parse(one.stdout) as { filesScanned: number; skipped: { file: string; reason: string }[] };
    expect(report.filesScanned).toBeGreaterThan(MIN_PARSED_FILES_FOR_WORKERS * 2);
    expect(report.skipped.map((s) => s.reason).sort()).toEqual(["binary", "symlink", "too-large"]);
    expect(one.stdout).toContain("nested too deep to analyse");
    expect(one.stdout).toContain("? or else chained at one level, over 10000");
    expect(four).toEqual(one);
    expect(byDefault).toEqual(one);
  });

  it("has workers analyse files, with the outcomes the main thread gives", async () => {
    const files = codeFiles();
    expect(files.length).toBeGreaterThan(100);
    const pool = new CodeWorkerPool(files, 256 * 1024, 2, BUILT_WORKER);
    expect(pool.workers).toBe(2);
    await pool.workersExited(); // the workers take every file: the main thread has not started
    expect(pool.fromWorkers).toBe(files.length);
    const outcomes = await pool.finish();
    expect(outcomes).toEqual(files.map((f) => codeOutcome(f, 256 * 1024)));
  });

  it("analyses on the main thread the files a dying worker claimed and never reported", async () => {
    const files = codeFiles();
    const pool = new CodeWorkerPool(files, 256 * 1024, 2, DYING_WORKER);
    expect(pool.workers).toBe(2);
    await pool.workersExited(); // each claimed two chunks and died before the main thread started
    const outcomes = await pool.finish();
    expect(pool.fromWorkers).toBe(0);
    expect(outcomes).toEqual(files.map((f) => codeOutcome(f, 256 * 1024)));
  });

  it("gives scanPaths' result when run from sources (no worker script there)", async () => {
    const options = { cwd: tree, useGit: false, maxFileBytes: 256 * 1024 };
    expect(await scanPathsInParallel(["."], { ...options, jobs: 4 })).toEqual(scanPaths(["."], options));
  });

  it("refuses a --jobs that is not a whole number from 1", () => {
    for (const bad of ["0", "-1", "two", "1.5", "65", "1000", "04"]) {
      const r = runBuiltCli(`--jobs=${bad}`);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--jobs must be a whole number from 1 to 64");
    }
  });
});
