// A reader that stops early (`acs-baseline scan . | head`) closes the pipe: the CLI must not die with an unhandled
// EPIPE (a stack trace, exit 1 whatever it found), but finish and exit with the command's own code.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/tempDir.js";

const BIN = join(__dirname, "../../packages/cli/dist/esm/bin.js");

/** Runs `args`, reads the first bytes of stdout, closes the pipe; resolves with the exit code and stderr. */
function runAndClose(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("output closed early", () => {
  it("scan keeps its exit code (1: keys found) and prints no EPIPE stack when stdout closes after the first bytes", async () => {
    const dir = tempDir("acs-epipe-");
    for (let i = 0; i < 400; i++) {
      const key = randomBytes(32).toString("base64");
      writeFileSync(join(dir, `app${i}.env`), `ACS=endpoint=https://a${i}.communication.azure.com/;accesskey=${key}\n`);
    }
    const { code, stderr } = await runAndClose(["scan", dir, "--format", "json"]);
    expect(stderr).not.toMatch(/EPIPE|Error:/);
    expect(code).toBe(1);
  });
});
