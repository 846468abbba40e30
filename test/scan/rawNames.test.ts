// File names that are not UTF-8 (a byte 0xff, Latin-1 `caf\xe9`): a key in such a file is found like any other, through
// git's listing, the walk, worker threads and the parser sandbox, and the name is shown with each such byte as `\xNN`
// (text, JSON) or `%NN` (a SARIF URI), never as the raw byte or a replacement character.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePath, pathBytes, shownPath } from "../../packages/cli/src/scan/rawNames.js";
import { codeOutcome } from "../../packages/cli/src/scan/code/codeOutcome.js";
import { CodeWorkerPool } from "../../packages/cli/src/scan/code/codeWorkerPool.js";
import { needsSandbox } from "../../packages/cli/src/scan/code/sandboxRisk.js";
import { MIN_PARSED_FILES_FOR_WORKERS, scanPaths } from "../../packages/cli/src/scan/scan.js";
import { toSarif } from "../../packages/cli/src/scan/sarif.js";
import { BUILT_ESM } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const ACS = `import { SmsClient } from "@azure/communication-sms";\n`;
const latin1 = (s: string) => Buffer.from(s, "latin1");
/** Oracle for {@link decodePath}: the longest prefix the WHATWG decoder takes as one code point, else one raw byte. */
function oracle(bytes: Uint8Array): string {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    let taken = 0;
    for (let n = 1; n <= 4 && i + n <= bytes.length && taken === 0; n++) {
      try {
        const c = fatal.decode(bytes.subarray(i, i + n));
        if ([...c].length === 1) [out, taken] = [out + c, n];
      } catch {
        // not a whole sequence (yet)
      }
    }
    if (taken === 0) out += String.fromCharCode(0xdc00 + bytes[i]);
    i += taken || 1;
  }
  return out;
}

const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;

describe("decodePath, pathBytes and shownPath", () => {
  it("keep every byte sequence, decode well-formed UTF-8 as UTF-8, and show only well-formed text", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: "binary", maxLength: 12 }).map((s) => new Uint8Array(Buffer.from(s))),
      fc
        .array(fc.oneof(fc.string({ unit: "binary", maxLength: 3 }), fc.integer({ min: 0x80, max: 0xff })))
        .map(
          (parts) =>
            new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.of(p))))),
        ),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const text = decodePath(b);
        expect(text).toBe(oracle(b));
        expect(pathBytes(text).equals(Buffer.from(b))).toBe(true);
        const shown = shownPath(text);
        expect(wellFormed(shown)).toBe(true);
        if (wellFormed(text)) expect(shown).toBe(Buffer.from(b).toString("utf8"));
      }),
      { numRuns: 3000 },
    );
  });

  it("concrete cases", () => {
    expect(shownPath(decodePath(latin1("r\xe9sum\xe9.env")))).toBe("r\\xe9sum\\xe9.env");
    expect(shownPath(decodePath(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe2, 0x82])))).toBe("a\\xffé\\xe2\\x82");
    expect(shownPath(decodePath(Buffer.from("😀\ufffd")))).toBe("😀\ufffd"); // a real U+FFFD and a pair stay
    expect(shownPath(decodePath(Buffer.from([0xed, 0xa0, 0x80])))).toBe("\\xed\\xa0\\x80"); // a surrogate's UTF-8
  });
});

/** The tree both listings scan: raw names in a file, a directory and a .gitignore pattern. */
function rawTree(dir: string): void {
  writeFileSync(join(dir, ".gitignore"), Buffer.concat([latin1("ign\xff*.env\n")]));
  writeFileSync(latin1(join(dir, "\xff.env")), `ACS=${CS}\n`);
  writeFileSync(latin1(join(dir, "caf\xe9.js")), `${ACS}export const c = new SmsClient("${CS}");\n`);
  writeFileSync(latin1(join(dir, "ign\xff1.env")), `ACS=${CS}\n`); // ignored by the raw-byte pattern
  mkdirSync(latin1(join(dir, "d\xfer")));
  writeFileSync(latin1(join(dir, "d\xfer", "settings.env")), `ACS=${CS}\n`);
  writeFileSync(join(dir, "plain.env"), `ACS=${CS}\n`);
}

const git = (cwd: string, ...args: string[]) => {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd, env });
  if (r.status !== 0) throw new Error(r.stderr.toString());
};

const EXPECTED = ["caf\\xe9.js", "d\\xfer/settings.env", "plain.env", "\\xff.env"].sort();

describe("a key in a file whose name is not UTF-8 is found (from sources)", () => {
  const walked = tempDir("acs-raw-walk-");
  rawTree(walked);
  const repo = tempDir("acs-raw-git-");
  rawTree(repo);
  git(repo, "init", "-q");
  git(repo, "add", ":(glob)*.env", ":(glob)*.js", ".gitignore"); // d\xfer/ stays untracked
  git(repo, "commit", "-qm", "init");

  it.each([
    ["the walk (no git)", walked, false],
    ["git ls-files", repo, true],
  ])("through %s", (_, cwd, useGit) => {
    const r = scanPaths(["."], { cwd, useGit });
    expect(r.skipped).toEqual([]);
    expect([...new Set(r.findings.map((f) => f.file))].sort()).toEqual(EXPECTED);
    expect(r.filesScanned).toBe(5); // the four above and the .gitignore; ign\xff1.env is ignored
  });

  it("a SARIF URI names the file's bytes (%NN), and the log validates", () => {
    const sarif = toSarif(scanPaths(["."], { cwd: walked, useGit: false }), "0.0.0");
    const schema = JSON.parse(readFileSync(join(__dirname, "fixtures", "sarif-schema-2.1.0.json"), "utf8")) as object;
    const validate = new AjvDraft04.default({ strict: false, validateFormats: false }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(sarif)))).toBe(true);
    const uris = (
      sarif.runs as { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[]
    )[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
    expect([...new Set(uris)].sort()).toEqual(["%FF.env", "caf%E9.js", "d%FEr/settings.env", "plain.env"]);
    for (const uri of uris) {
      expect(uri).toMatch(/^([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/);
      const bytes = Buffer.from(
        uri.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        "latin1",
      );
      expect(existsSync(Buffer.concat([Buffer.from(`${walked}/`), bytes]))).toBe(true);
    }
  });
});

/** {@link rawTree}, with enough raw-named ACS files for worker threads and one long enough for the parser sandbox. */
function largeRawTree(dir: string): void {
  rawTree(dir);
  mkdirSync(join(dir, "w"));
  for (let i = 0; i < MIN_PARSED_FILES_FOR_WORKERS + 10; i++) {
    const body = i % 50 === 7 ? `new SmsClient("${CS}");\n` : `export const n${i} = ${i};\n`;
    writeFileSync(latin1(join(dir, "w", `w\xff${i}.js`)), ACS + body);
  }
  writeFileSync(latin1(join(dir, "s\xe9.js")), `${ACS}${"// padding\n".repeat(1_000)}new SmsClient("${CS}");\n`);
}

const BIN = join(BUILT_ESM, "bin.js");
/** The built CLI's `scan`, its output as bytes. */
function scanCli(cwd: string, ...args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, "scan", ".", ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe("a key in a file whose name is not UTF-8 is found (the built CLI)", () => {
  const walked = tempDir("acs-raw-cli-walk-");
  largeRawTree(walked);
  const repo = tempDir("acs-raw-cli-git-");
  largeRawTree(repo);
  git(repo, "init", "-q");
  git(repo, "add", ":(glob)*.env", ":(glob)*.js", ".gitignore", "w");
  git(repo, "commit", "-qm", "init");
  const expected = [...EXPECTED, "s\\xe9.js", ...[7, 57, 107, 157, 207, 257].map((i) => `w/w\\xff${i}.js`)].sort();

  it.each([
    ["the walk (no git)", walked],
    ["git ls-files", repo],
  ])("through %s, in text, JSON and SARIF, on one thread and two", (_, cwd) => {
    expect(existsSync(BIN), "build the packages first (npm run build)").toBe(true);
    expect(needsSandbox(readFileSync(latin1(join(cwd, "s\xe9.js")), "utf8"))).toBe(true); // for the parser sandbox
    const json = ["1", "2"].map((jobs) => scanCli(cwd, "--format", "json", "--jobs", jobs));
    for (const r of json) {
      expect([r.status, r.stderr]).toEqual([1, ""]);
      const report = JSON.parse(r.stdout.toString("utf8")) as { skipped: unknown[]; findings: { file: string }[] };
      expect(report.skipped).toEqual([]);
      expect([...new Set(report.findings.map((f) => f.file))].sort()).toEqual(expected);
    }
    expect(json[1].stdout.equals(json[0].stdout)).toBe(true);
    for (const jobs of ["1", "2"]) {
      const text = scanCli(cwd, "--jobs", jobs);
      expect(text.status).toBe(1);
      const out = text.stdout.toString("utf8");
      expect(Buffer.from(out, "utf8").equals(text.stdout)).toBe(true); // well-formed UTF-8: no raw byte
      const unsafe = [...out].filter(
        (c) => c === "\ufffd" || (c < " " && c !== "\n") || (c >= "\u007f" && c <= "\u009f"),
      );
      expect(unsafe).toEqual([]); // no control character or replacement character either
      for (const file of expected) expect(out).toContain(`${file}:`);
      const sarif = scanCli(cwd, "--format", "sarif", "--jobs", jobs);
      expect(sarif.status).toBe(1);
      const log = JSON.parse(sarif.stdout.toString("utf8")) as { runs: { results: unknown[] }[] };
      const uris = JSON.stringify(log.runs[0].results);
      for (const uri of ["%FF.env", "caf%E9.js", "d%FEr/settings.env", "s%E9.js", "w/w%FF257.js"]) {
        expect(uris).toContain(`"uri":"${uri}"`);
      }
    }
  });

  it("worker threads read such files themselves", async () => {
    const files = Array.from({ length: 40 }, (_, i) => {
      const display = `w/w\\xff${i}.js`;
      return { absolute: join(walked, "w", decodePath(latin1(`w\xff${i}.js`))), display, ext: ".js" };
    });
    const pool = new CodeWorkerPool(files, 1024 * 1024, 2, join(BUILT_ESM, "scan/code/codeWorker.js"));
    expect(pool.workers).toBe(2);
    await pool.workersExited();
    expect(pool.fromWorkers).toBe(files.length);
    const outcomes = await pool.finish();
    expect(outcomes).toEqual(files.map((f) => codeOutcome(f, 1024 * 1024)));
    expect(
      outcomes.filter((o) => o !== null && o !== "sandbox" && "findings" in o && o.findings.length > 0),
    ).toHaveLength(1);
  });
});
