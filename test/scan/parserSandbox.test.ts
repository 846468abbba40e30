// The attack: a source file that crashes oxc-parser's native parser (SIGSEGV, or an abort on an arena "out of
// memory" panic) used to take the whole scan down with it: no output, no findings. Files the parser could crash on are
// analysed in the parser sandbox (a supervised child process): the scan finishes, reports every other finding, and
// gives each such file a parse-error finding. These tests use the build (npm run build): the sandbox's scripts are
// only there (run from sources, the scan uses the build's when it exists, else analyses such files in process).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyseCode } from "../../packages/cli/src/scan/code/codeOutcome.js";
import type { CodeFile, FileOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import { sandboxOutcomes } from "../../packages/cli/src/scan/code/parserSandbox.js";
import type { ScanFinding, ScanResult } from "../../packages/cli/src/scan/scan.js";
import { MIN_PARSED_FILES_FOR_WORKERS } from "../../packages/cli/src/scan/scan.js";
import { BUILT_ESM, runBuiltScan } from "../support/builtCli.js";
import { HOSTILE_SOURCES, writeHostileSources } from "../support/hostileSources.js";
import { tempDir } from "../support/tempDir.js";

const SUPERVISOR = join(BUILT_ESM, "scan/code/sandboxSupervisor.js");
const CHILD = join(BUILT_ESM, "scan/code/sandboxChild.js");
const HANGING_CHILD = join(__dirname, "fixtures/sandbox/hangingChild.mjs");
const GARBAGE_CHILD = join(__dirname, "fixtures/sandbox/garbageChild.mjs");
const KEY = "Rml4dHVyZUZha2VLZXlGaXh0dXJlRmFrZUtleUZpeHR1cmU=";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const HEADER = `import { SmsClient } from "@azure/communication-sms";\nimport { DefaultAzureCredential } from "@azure/identity";\n`;
const KEY_AUTH = `export const sms = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`;
const CLEAN = `export const sms = new SmsClient("https://contoso.communication.azure.com", new DefaultAzureCredential());\n`;
// Each scan here crashes the parser a few times (about 1 s each, more on a loaded machine). A shape that allocates
// until the parser aborts (SIGABRT) may first go past the sandbox's memory limit (sandboxMemory.test.ts), and is
// killed then.
const FAILED = String.raw`(crashed with SIG[A-Z]+|went past its memory limit of \d+ MiB)`;
const CRASHED = new RegExp(
  String.raw`^The file could not be parsed \(the parser ${FAILED}\); only its text was searched\.$`,
);

interface ScanModule {
  scanPaths(paths: readonly string[], options?: object): ScanResult;
  scanPathsInParallel(paths: readonly string[], options?: object): Promise<ScanResult>;
}
interface OutcomeModule {
  codeOutcome(file: CodeFile, maxBytes: number): unknown;
}
const built = async <T>(path: string): Promise<T> => (await import(join(BUILT_ESM, path))) as T;

/** A tree with enough files to parse for worker threads, one in four with key auth, and every hostile file. */
function generateTree(root: string): { keyAuth: string[]; hostile: string[] } {
  const keyAuth: string[] = [];
  for (let i = 0; i < MIN_PARSED_FILES_FOR_WORKERS + 30; i++) {
    const name = `src/m${i % 7}/file${i}.${i % 2 === 0 ? "ts" : "js"}`;
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), HEADER + (i % 4 === 0 ? KEY_AUTH : CLEAN));
    if (i % 4 === 0) keyAuth.push(name);
  }
  const hostile = writeHostileSources(join(root, "hostile")).map((name) => `hostile/${name}`);
  // A hostile file with a connection string: the text rules still search it.
  writeFileSync(join(root, "hostile/angles.ts"), `${HOSTILE_SOURCES[3].text}const cs = "${CS}";\n`);
  return { keyAuth: keyAuth.sort(), hostile: hostile.sort() };
}

const tree = tempDir("acs-parser-sandbox-");
const expected = generateTree(tree);

/** The files with a finding of `ruleId`, sorted, each once. */
const filesWith = (findings: readonly ScanFinding[], ruleId: string): string[] =>
  [...new Set(findings.filter((f) => f.ruleId === ruleId).map((f) => f.file))].sort();

function expectSandboxed(findings: readonly ScanFinding[]): void {
  expect(filesWith(findings, "acs-baseline/no-key-auth")).toEqual(expected.keyAuth);
  expect(findings.filter((f) => f.ruleId === "acs-baseline/no-key-auth")).toHaveLength(expected.keyAuth.length);
  const parseErrors = findings.filter((f) => f.ruleId === "acs-baseline/parse-error");
  expect(parseErrors.map((f) => f.file).sort()).toEqual(expected.hostile);
  for (const f of parseErrors) expect(f.message).toMatch(CRASHED);
  expect(filesWith(findings, "acs-baseline/connection-string")).toEqual(["hostile/angles.ts"]);
}

describe("a scan with files that crash the native parser", () => {
  it("finishes and reports every finding, with a parse error for each hostile file (built CLI, --jobs 1 and 2)", () => {
    expect(existsSync(SUPERVISOR), "build the packages first (npm run build)").toBe(true);
    const one = runBuiltScan(tree, [".", "--format", "json", "--jobs", "1"]);
    expect(one.signal).toBeNull();
    expect(one.stderr).toBe("");
    expect(one.status).toBe(1); // findings other than parse errors: docs/scan.md, exit codes
    expectSandboxed((JSON.parse(one.stdout) as { findings: ScanFinding[] }).findings);
    // No file text, stack trace or panic message in the output, and the key masked.
    expect(one.stdout).not.toContain("a<a<");
    expect(one.stdout).not.toMatch(/ at |panicked|\.rs:/);
    expect(one.stdout).not.toContain(KEY);
    // With a worker thread (more than MIN_PARSED_FILES_FOR_WORKERS files to parse), and from the CommonJS build.
    expect(runBuiltScan(tree, [".", "--format", "json", "--jobs", "2"])).toEqual(one);
    expect(runBuiltScan(tree, [".", "--format", "json", "--jobs", "1"], "cjs")).toEqual(one);
  }, 180_000);

  it("gives the programmatic scanPaths and scanPathsInParallel the same result", async () => {
    const { scanPaths, scanPathsInParallel } = await built<ScanModule>("scan/scan.js");
    const sync = scanPaths(["."], { cwd: tree, useGit: false });
    expectSandboxed(sync.findings);
    expect(await scanPathsInParallel(["."], { cwd: tree, useGit: false, jobs: 2 })).toEqual(sync);
  }, 180_000);
});

describe("the sandbox finds what the scanning process finds", () => {
  const dir = tempDir("acs-parser-sandbox-benign-");
  const padding = Array.from({ length: 600 }, (_, i) => `export const value${i} = ${i};\n`).join("");
  const angles = `export const less = [${"a < b, ".repeat(1_100)}];\n`;
  writeFileSync(join(dir, "small.ts"), HEADER + KEY_AUTH);
  writeFileSync(join(dir, "large.ts"), HEADER + padding + KEY_AUTH);
  writeFileSync(join(dir, "angles.ts"), HEADER + angles + KEY_AUTH);
  const file = (name: string): CodeFile => ({ absolute: join(dir, name), display: name, ext: ".ts" });
  const MAX = 2 * 1024 * 1024;

  it("gives a large file and one with many `<` exactly the finding a small file gets", async () => {
    const { codeOutcome } = await built<OutcomeModule>("scan/code/codeOutcome.js");
    expect(padding.length).toBeGreaterThan(10_000);
    expect(codeOutcome(file("small.ts"), MAX)).not.toBe("sandbox");
    expect(codeOutcome(file("large.ts"), MAX)).toBe("sandbox");
    expect(codeOutcome(file("angles.ts"), MAX)).toBe("sandbox");
    const [small] = sandboxOutcomes([file("small.ts")], MAX, { supervisor: SUPERVISOR, child: CHILD });
    const [large, many] = sandboxOutcomes([file("large.ts"), file("angles.ts")], MAX, {
      supervisor: SUPERVISOR,
      child: CHILD,
    });
    const only = (o: FileOutcome, name: string): ScanFinding => {
      expect(o !== null && "findings" in o && o.findings.length === 1, JSON.stringify(o)).toBe(true);
      const found = (o as { findings: ScanFinding[] }).findings[0];
      expect(found.file).toBe(name);
      return found;
    };
    const reference = only(small, "small.ts");
    expect(only(large, "large.ts")).toEqual({
      ...reference,
      file: "large.ts",
      line: reference.line + 600,
      endLine: reference.endLine + 600,
    });
    expect(only(many, "angles.ts")).toEqual({
      ...reference,
      file: "angles.ts",
      line: reference.line + 1,
      endLine: reference.endLine + 1,
    });
    // In process (the scanning process's own analysis) the same files give the same outcomes.
    expect(large).toEqual(analyseCode(file("large.ts"), MAX));
    expect(many).toEqual(analyseCode(file("angles.ts"), MAX));
  });
});

describe("the sandbox's supervisor", () => {
  const dir = tempDir("acs-parser-sandbox-supervised-");
  writeHostileSources(dir);
  writeFileSync(join(dir, "app.ts"), HEADER + KEY_AUTH);
  writeFileSync(join(dir, "clean.ts"), HEADER + CLEAN);
  const file = (name: string): CodeFile => ({ absolute: join(dir, name), display: name, ext: name.slice(-3) });
  const MAX = 2 * 1024 * 1024;
  const message = (o: FileOutcome): string | undefined =>
    o !== null && "findings" in o ? o.findings.find((f) => f.ruleId === "acs-baseline/parse-error")?.message : "none";

  it("starts a fresh child after each crash and goes on with the files after it", () => {
    const files = ["generics.ts", "app.ts", "sequence.js", "clean.ts", "angles.ts"].map(file);
    const outcomes = sandboxOutcomes(files, MAX, { supervisor: SUPERVISOR, child: CHILD });
    expect(message(outcomes[0])).toMatch(CRASHED);
    expect(message(outcomes[2])).toMatch(CRASHED);
    expect(message(outcomes[4])).toMatch(CRASHED);
    expect(outcomes[1]).toEqual(analyseCode(files[1], MAX));
    expect(outcomes[3]).toEqual({ findings: [] });
  }, 180_000);

  it("kills a child that hangs, reports the file as unfinished, and never hangs the scan", () => {
    const started = Date.now();
    const outcomes = sandboxOutcomes([file("app.ts"), file("clean.ts")], MAX, {
      supervisor: SUPERVISOR,
      child: HANGING_CHILD,
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const o of outcomes)
      expect(message(o)).toBe(
        "The file could not be parsed (the parser did not finish within 0.3 s); only its text was searched.",
      );
  });

  it("takes nothing but the child's answer for the file it is on", () => {
    const outcomes = sandboxOutcomes([file("app.ts"), file("clean.ts")], MAX, {
      supervisor: SUPERVISOR,
      child: GARBAGE_CHILD,
    });
    for (const o of outcomes) expect(message(o)).toMatch(/\(the parser stopped early\)/);
  });

  it("reports every file when the supervisor cannot run", () => {
    const outcomes = sandboxOutcomes([file("app.ts"), file("clean.ts")], MAX, { supervisor: join(dir, "missing.js") });
    for (const o of outcomes) expect(message(o)).toMatch(/\(the parser sandbox did not answer\)/);
  });
});
