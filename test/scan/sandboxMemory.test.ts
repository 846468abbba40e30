// The attack: a 10,000-character TypeScript file of `f<A<f<A<…` (each `<` after a name opens a speculative parse of
// type arguments) makes oxc-parser's arena take 1.6 GB within about 1.3 s, and a few such files at once take a small
// machine's memory. An address-space limit does not work (raw transfer reserves a large buffer up front), nor does
// V8's heap limit (the arena is native memory). The supervisor samples the sandbox child's resident memory and kills it
// past its limit: the file gets a parse-error finding that says so, and its text is still searched. These tests use
// the build (npm run build), as the sandbox does.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CodeFile, FileOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import {
  SANDBOX_MIN_MEMORY_BYTES,
  sandboxMemoryLimit,
  sandboxOutcomes,
} from "../../packages/cli/src/scan/code/parserSandbox.js";
import type { SandboxLine, SandboxRequest } from "../../packages/cli/src/scan/code/parserSandbox.js";
import type { ScanFinding } from "../../packages/cli/src/scan/scan.js";
import { BUILT_ESM, runBuiltScan } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const SUPERVISOR = join(BUILT_ESM, "scan/code/sandboxSupervisor.js");
const CHILD = join(BUILT_ESM, "scan/code/sandboxChild.js");
const MIB = 1024 * 1024;
const MAX = 2 * MIB;
const KEY = "Rml4dHVyZUZha2VLZXlGaXh0dXJlRmFrZUtleUZpeHR1cmU=";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const ACS_IMPORT = `import "@azure/communication-sms";\n`;
/** 10,045 characters; 1.6 GB peak in a fresh process without the limit (oxc-parser 0.158, Linux x64). */
const GREEDY = `${ACS_IMPORT}let x = ${"f<A<".repeat(2_500)};\n`;
/** What sampling may let through past the limit before the kill (about 1.2 GB/s of growth; timers lag under load). */
const OVERSHOOT = 384 * MIB;
const OVER_LIMIT =
  /^The file could not be parsed \(the parser went past its memory limit of \d+ MiB\); only its text was searched\.$/;

const dir = tempDir("acs-sandbox-memory-");
writeFileSync(join(dir, "greedy.ts"), `${GREEDY}const cs = "${CS}";\n`);
// A legitimate large file: 2 MB of ordinary code that names an ACS package (so it is parsed, in the sandbox).
const bundle = Array.from({ length: 24_000 }, (_, i) => `export const v${i} = { a: [${i}, "s${i}"], f: () => v${i} };`);
writeFileSync(join(dir, "bundle.js"), `${ACS_IMPORT}${bundle.join("\n")}\n`);
// Under the limit, but the parser's native memory (about 300 MiB) stays resident after it.
writeFileSync(join(dir, "heavy.ts"), `${ACS_IMPORT}let x = ${"f<A<".repeat(1_000)};\n${" ".repeat(6_000)}`);
const file = (name: string): CodeFile => ({ absolute: join(dir, name), display: name, ext: name.slice(-3) });
const parseError = (o: FileOutcome): ScanFinding | undefined =>
  o !== null && "findings" in o ? o.findings.find((f) => f.ruleId === "acs-baseline/parse-error") : undefined;

/** Runs the built supervisor on `files` with `memoryLimitBytes` and returns its output lines. */
function supervise(files: CodeFile[], memoryLimitBytes: number): SandboxLine[] {
  const request: SandboxRequest = { files, maxBytes: MAX, child: CHILD, timeoutMs: 10_000, memoryLimitBytes };
  const run = spawnSync(process.execPath, [SUPERVISOR], { input: JSON.stringify(request), encoding: "utf8" });
  return run.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SandboxLine);
}

describe.skipIf(process.platform !== "linux")("the sandbox child's memory limit (Linux: /proc)", () => {
  it("kills the child of a hostile file near its limit and reports the peak it saw", () => {
    const limit = 256 * MIB;
    const [greedy, after] = supervise([file("greedy.ts"), file("bundle.js")], limit);
    expect(greedy).toMatchObject({ i: 0, failed: "went past its memory limit of 256 MiB" });
    const peak = (greedy as { peakBytes?: number }).peakBytes ?? 0;
    expect(peak).toBeGreaterThan(limit);
    expect(peak).toBeLessThan(limit + OVERSHOOT);
    // A fresh child goes on with the next file.
    expect(after).toEqual({ i: 1, outcome: { findings: [] } });
  }, 60_000);

  it("gives the hostile file a parse-error finding naming the limit, and searches its text", () => {
    const [outcome] = sandboxOutcomes([file("greedy.ts")], MAX, { supervisor: SUPERVISOR, child: CHILD });
    expect(parseError(outcome)?.message).toMatch(OVER_LIMIT);
    expect(parseError(outcome)?.message).toContain(`of ${SANDBOX_MIN_MEMORY_BYTES / MIB} MiB`);
    const found = outcome !== null && "findings" in outcome ? outcome.findings : [];
    expect(found.map((f) => f.ruleId)).toContain("acs-baseline/connection-string");
    expect(JSON.stringify(outcome)).not.toContain(KEY);
  }, 60_000);

  it("gives the files after a heavy one a fresh child, so none of them is charged for its memory", () => {
    // Without a fresh child the third file went past 400 MiB (the first one's 308 MiB were still resident).
    const files = ["heavy.ts", "bundle.js", "bundle.js", "bundle.js"].map(file);
    const lines = supervise(files, 400 * MIB);
    expect(lines.map((line) => ("failed" in line ? line.failed : "answered"))).toEqual(files.map(() => "answered"));
    expect(lines.slice(1)).toEqual([1, 2, 3].map((i) => ({ i, outcome: { findings: [] } })));
  }, 60_000);

  it("leaves a legitimate 2 MB file under the default limit", () => {
    const [line] = supervise([file("bundle.js")], sandboxMemoryLimit(MAX));
    expect(line).toEqual({ i: 0, outcome: { findings: [] } });
  }, 60_000);

  it("ends the built CLI's scan normally: exit 1 for the connection string, the limit in the finding", () => {
    const run = runBuiltScan(dir, [".", "--format", "json"]);
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: ScanFinding[] }).findings;
    const errors = findings.filter((f) => f.ruleId === "acs-baseline/parse-error");
    expect(errors.map((f) => [f.file, f.message])).toEqual([
      ["greedy.ts", expect.stringMatching(OVER_LIMIT)],
      ["heavy.ts", "The file could not be parsed (unexpected token); only its text was searched."],
    ]);
    expect(run.stdout).not.toContain("f<A<");
  }, 60_000);
});

describe("the sandbox child's memory limit", () => {
  it("is at least 512 MiB and grows with the file size limit", () => {
    expect(sandboxMemoryLimit(MAX)).toBe(SANDBOX_MIN_MEMORY_BYTES);
    // 256 MiB and 64 bytes per byte, but not past half the machine's memory.
    expect(sandboxMemoryLimit(8 * MIB)).toBe(Math.max(SANDBOX_MIN_MEMORY_BYTES, Math.min(768 * MIB, totalmem() / 2)));
    expect(sandboxMemoryLimit(1024 * MIB)).toBe(Math.max(SANDBOX_MIN_MEMORY_BYTES, totalmem() / 2));
  });
});
