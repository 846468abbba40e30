// The CLI turns on Node.js's module compile cache only where that is safe: a cache folder of the user's own, on a
// file system where mkdir behaves (Node.js's recursive mkdir loops forever under /proc, which would hang the CLI).
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/tempDir.js";

const BIN = join(__dirname, "../../packages/cli/dist/esm/bin.js");
const root = tempDir("acs-compile-cache-");
const linux = process.platform === "linux";

/** Runs `acs-baseline scan --help` with TMPDIR set; a hang is killed after 20 s (status null). */
function help(tmp: string): number | null {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return spawnSync(process.execPath, [BIN, "scan", "--help"], { env, timeout: 20_000, stdio: "ignore" }).status;
}

describe("the CLI's compile cache", () => {
  it("is made in the temporary folder, private to the user, and filled", () => {
    expect(existsSync(BIN), "build the packages first (npm run build)").toBe(true);
    const tmp = join(root, "fresh");
    mkdirSync(tmp);
    expect(help(tmp)).toBe(0);
    const cache = join(tmp, "acs-baseline-compile-cache");
    if (process.platform !== "win32") expect(lstatSync(cache).mode & 0o777).toBe(0o700);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
  });

  it.runIf(linux)("never hangs the CLI when the temporary folder is under /proc", () => {
    expect(help("/proc/self")).toBe(0);
    expect(help("/proc/self/no-such-folder")).toBe(0);
  });

  it.runIf(linux)("is not used through a link planted in its place", () => {
    const tmp = join(root, "linked");
    mkdirSync(tmp);
    symlinkSync("/proc/self", join(tmp, "acs-baseline-compile-cache"));
    expect(help(tmp)).toBe(0);
  });

  it.runIf(linux)("is not used when others can enter or write into the folder", () => {
    for (const mode of [0o777, 0o755, 0o710]) {
      const tmp = join(root, `open-${mode.toString(8)}`);
      const cache = join(tmp, "acs-baseline-compile-cache");
      mkdirSync(cache, { recursive: true });
      chmodSync(cache, mode);
      expect(help(tmp)).toBe(0);
      expect(readdirSync(cache), mode.toString(8)).toEqual([]);
    }
  });

  it.runIf(linux && process.getuid?.() === 0)("is not used when another user owns the folder", () => {
    const tmp = join(root, "planted");
    const cache = join(tmp, "acs-baseline-compile-cache");
    mkdirSync(cache, { recursive: true, mode: 0o777 });
    chownSync(cache, 65534, 65534);
    expect(help(tmp)).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
  });
});
