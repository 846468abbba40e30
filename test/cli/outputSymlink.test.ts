// The attack: a repository plants its report's name as a symbolic link (`acs-baseline.sarif -> ~/.bashrc`), and CI
// runs `scan . --output acs-baseline.sarif` in the checkout. Following the link overwrote whatever it named, or
// created a file where the link points. A link to a device or a pipe (`/dev/stdout`) is still followed.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { runCaptured } from "../support/captureOutput.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-cli-output-link-");
const tree = join(dir, "tree");
writeFileSync(join(dir, "victim"), "precious\n");
symlinkSync(join(dir, "victim"), join(dir, "to-file.json"));
symlinkSync(join(dir, "created-elsewhere"), join(dir, "dangling.json"));
symlinkSync("/dev/null", join(dir, "to-device.json"));
mkdirSync(tree);
writeFileSync(join(tree, "app.ts"), "export const a = 1;\n");

async function run(argv: string[]) {
  return runCaptured((io) => runCli(argv, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
}

describe("--output that is a symbolic link", () => {
  it("to a file, or to nothing yet: bad usage (exit 2), the target untouched, nothing created", async () => {
    for (const output of ["to-file.json", "dangling.json"]) {
      const { code, err } = await run(["scan", tree, "--format", "json", "--output", output]);
      expect(code, output).toBe(2);
      expect(err).toMatch(/^acs-baseline scan: cannot write --output .* \(ELOOP\)/);
    }
    expect(readFileSync(join(dir, "victim"), "utf8")).toBe("precious\n");
    expect(existsSync(join(dir, "created-elsewhere"))).toBe(false);
  });

  it("to a device (as /dev/stdout is): written", async () => {
    const { code } = await run(["scan", tree, "--format", "json", "--output", "to-device.json"]);
    expect(code).toBe(0);
  });
});
