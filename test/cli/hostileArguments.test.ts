// Review attacks on the CLI's own input: an argument with terminal escapes in any command's usage error, a report
// (--output) that cannot be written, and a --public-key that is a FIFO or a device. Each must end in a clear,
// terminal-safe usage error (exit 2), never raw control characters, a crash (exit 1) or a hang.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { runCaptured } from "../support/captureOutput.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-cli-hostile-args-");
/** An argument that would clear the screen and forge a line if echoed raw. */
const HOSTILE = "--x\x1b[2J\rok: 0 findings\u202e";
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u202e]/;

async function run(argv: string[]) {
  return runCaptured((io) => runCli(argv, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
}

describe("usage errors of every command", () => {
  const commands = ["scan", "posture", "doctor", "report", "emulator", "sweep", "readiness", "verify-log"];

  it.each(commands)("%s: an unknown flag is echoed escaped, exit 2", async (command) => {
    const { code, out, err } = await run([command, HOSTILE]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).not.toMatch(RAW_CONTROL);
    expect(err).toContain("\\u{001b}[2J");
  });

  it.each(commands)("%s: the help after a usage error keeps its line breaks", async (command) => {
    const { err } = await run([command, "--no-such-flag"]);
    expect(err).toMatch(new RegExp(`^acs-baseline ${command}: .*no-such-flag.*\\n`));
    expect(err).toContain("\nUsage: acs-baseline ");
    expect(err).not.toContain("\\u{000a}");
  });

  it("a line break in an argument cannot forge a line of output; parseArgs's own message stays readable", async () => {
    for (const command of commands) {
      const { err } = await run([command, "--x\nacs-baseline: all good"]);
      expect(err.split("\n")[0], command).toContain("--x\\u{000a}acs-baseline: all good");
    }
    const { err } = await run(["scan", "--jobs", "-1"]);
    expect(err.split("\n")[0]).toMatch(/argument is ambiguous\. Did you forget to specify the option argument/);
  });

  it("a value echoed in a usage error is escaped (--format, --plan)", async () => {
    for (const argv of [
      ["sweep", "--format", "\x1b]0;pwned\x07"],
      ["readiness", "--resource-id", "/x", "--plan", "\x1b]0;pwned\x07"],
      ["posture", "--format", "\x1b]0;pwned\x07"],
    ]) {
      const { code, err } = await run(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(err, argv.join(" ")).not.toMatch(RAW_CONTROL);
    }
  });
});

describe("--output that cannot be written", () => {
  const tree = join(dir, "tree");
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, "clean.js"), "export const x = 1;\n");

  it("scan: a missing folder or a directory is a usage error naming it escaped, exit 2", async () => {
    for (const output of [join(dir, "missing\x1b[31m", "report.json"), dir]) {
      const { code, out, err } = await run(["scan", tree, "--format", "json", "--output", output]);
      expect(code, output).toBe(2);
      expect(out).toBe("");
      expect(err).toMatch(/^acs-baseline scan: cannot write --output .* \((ENOENT|EISDIR)\)/);
      expect(err).not.toMatch(RAW_CONTROL);
    }
  });

  it("scan: a relative --output is written in the command's working directory", async () => {
    const { code } = await run(["scan", tree, "--format", "json", "--output", "relative-report.json"]);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "relative-report.json"), "utf8")).toContain('"findings"');
  });
});

describe("JSON and SARIF outputs of outside text", () => {
  it("scan: a file name with a C1 CSI, a bidi override and a zero-width space is escaped, and parses back", async () => {
    const tree = join(dir, "c1-tree");
    mkdirSync(tree, { recursive: true });
    const name = "a\u009b2Jb\u202ec\u200bd.env";
    writeFileSync(
      join(tree, name),
      `ACS=endpoint=https://x.communication.azure.com/;accesskey=${"k".repeat(20)}Q2F${"z".repeat(70)}==\n`,
    );
    for (const format of ["json", "sarif"]) {
      const { out } = await run(["scan", tree, "--format", format]);
      expect(out, format).not.toMatch(/[\u0080-\u009f\u202e\u200b]/);
      expect(JSON.parse(out), format).toBeTruthy();
    }
    const { out } = await run(["scan", tree, "--format", "json"]);
    expect(out).toContain(String.raw`a\u009b2Jb\u202ec\u200bd.env`);
    expect((JSON.parse(out) as { findings: { file: string }[] }).findings[0].file).toContain(name);
  });
});

describe.runIf(process.platform === "linux")("verify-log --public-key that is not a key file", () => {
  const log = join(dir, "empty.log");
  writeFileSync(log, "");

  it("a FIFO or a device is refused at once (ENOTREG), not read until it ends", async () => {
    const fifo = join(dir, "key.fifo");
    execFileSync("mkfifo", [fifo]);
    for (const key of [fifo, "/dev/zero"]) {
      const started = Date.now();
      const { code, err } = await run(["verify-log", log, "--public-key", key]);
      expect(code, key).toBe(2);
      expect(err, key).toContain("(ENOTREG)");
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it("a file that holds a path, not a PEM block, is not followed to that path", async () => {
    const pointer = join(dir, "pointer.pem");
    writeFileSync(pointer, "/dev/zero");
    const { code, err } = await run(["verify-log", log, "--public-key", pointer]);
    expect(code).toBe(2);
    expect(err).toContain("(ENOTPEM)");
  });
});
