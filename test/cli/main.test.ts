// The CLI's entry: version, help, typo suggestions, terminal-safe echo of arguments, colour policy.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeForTerminal, paint, shouldColour } from "../../packages/cli/src/io.js";
import { runCli, suggestCommand } from "../../packages/cli/src/main.js";
import { runCaptured } from "../support/captureOutput.js";

async function run(argv: string[]) {
  return runCaptured((io) => runCli(argv, { ...io, env: {}, cwd: process.cwd(), stderrIsTTY: false }));
}

describe("acs-baseline (entry)", () => {
  it("--version, -v and version print package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, "../../packages/cli/package.json"), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-v", "version"]) {
      const { code, out } = await run([flag]);
      expect(code).toBe(0);
      expect(out.trim()).toBe(version);
    }
  });

  it("suggests the nearest command for a typo and exits 2", async () => {
    expect(suggestCommand("scna")).toBe("scan");
    expect(suggestCommand("docter")).toBe("doctor");
    expect(suggestCommand("verify")).toBe("verify-log");
    expect(suggestCommand("emu")).toBe("emulator");
    expect(suggestCommand("xyzzy-plugh")).toBeUndefined();
    const { code, err } = await run(["reprot"]);
    expect(code).toBe(2);
    expect(err).toContain('Did you mean "report"?');
  });

  it("never echoes an argument's control characters raw", async () => {
    const { err } = await run(["\x1b[2J\r\nacs-baseline: 0 findings\u202e"]);
    // eslint-disable-next-line no-control-regex
    expect(err).not.toMatch(/[\x1b\r\u202e]/);
    expect(err).toContain("\\u{001b}[2J");
    expect(escapeForTerminal("a\u2066b\u0007c\u009bd")).toBe("a\\u{2066}b\\u{0007}c\\u{009b}d");
  });

  it("every command answers --help with exit 0, and `help <command>` does the same", async () => {
    for (const command of ["scan", "doctor", "report", "verify-log", "emulator"]) {
      const direct = await run([command, "--help"]);
      expect(direct.code, command).toBe(0);
      expect(direct.out, command).toMatch(/^Usage: acs-baseline /);
      const viaHelp = await run(["help", command]);
      expect(viaHelp.out).toBe(direct.out);
    }
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toContain("--version");
  });

  it("`help <not a command>` is an unknown command (exit 2), also for inherited names, never a crash", async () => {
    for (const topic of ["constructor", "__proto__", "toString", "scna"]) {
      const { code, out, err } = await run(["help", topic]);
      expect(code, topic).toBe(2);
      expect(out, topic).toBe("");
      expect(err, topic).toContain(`acs-baseline: unknown command "${topic}".`);
    }
    expect((await run(["help", "scna"])).err).toContain('Did you mean "scan"?');
  });

  it("colours only on a terminal, never with NO_COLOR, and FORCE_COLOR forces it", () => {
    expect(shouldColour({}, true)).toBe(true);
    expect(shouldColour({}, false)).toBe(false);
    expect(shouldColour({ NO_COLOR: "1" }, true)).toBe(false);
    expect(shouldColour({ NO_COLOR: "" }, true)).toBe(true);
    expect(shouldColour({ TERM: "dumb" }, true)).toBe(false);
    expect(shouldColour({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(shouldColour({ FORCE_COLOR: "0" }, false)).toBe(false);
    expect(paint({ colour: false }, "red", "x")).toBe("x");
    expect(paint({ colour: true }, "red", "x")).toBe("\x1b[31mx\x1b[0m");
  });
});
