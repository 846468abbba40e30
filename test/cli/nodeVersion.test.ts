// Engines enforced before anything half works (issue 25 item 5): the `acs-baseline` executable compares the running
// Node.js with package.json's engines.node before it loads the CLI, and refuses with a message naming both
// versions. The end-to-end case runs the built executable (npm run build) with process.versions.node set to an
// older version by a preload, and the supported case runs it for real.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { minimumNodeMajor, unsupportedNodeMessage } from "../../packages/cli/src/nodeVersion.js";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "packages", "cli", "dist", "esm", "bin.js");
const { engines, version } = JSON.parse(readFileSync(join(ROOT, "packages", "cli", "package.json"), "utf8")) as {
  engines: { node: string };
  version: string;
};

async function bin(args: string[], preload?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const flags = preload === undefined ? [] : ["--import", `data:text/javascript,${encodeURIComponent(preload)}`];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...flags, BIN, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("Node.js version check", () => {
  it("reads the minimum from engines ranges of the >=N form", () => {
    expect(engines.node).toBe(">=22");
    expect(minimumNodeMajor(">=22")).toBe(22);
    expect(minimumNodeMajor(">= 22.3.0")).toBe(22);
    expect(minimumNodeMajor("^22 || ^24")).toBeUndefined();
  });

  it("refuses older versions with the exact message, accepts 22 and later", () => {
    expect(unsupportedNodeMessage("20.20.2", ">=22")).toBe(
      "acs-baseline: Node.js >=22 is required (package.json engines); this is Node.js v20.20.2. Install Node.js 22 or later (Node 22 LTS or 24).",
    );
    expect(unsupportedNodeMessage("18.0.0", ">=22")).toContain("this is Node.js v18.0.0");
    for (const ok of ["22.0.0", "22.23.5", "24.22.3", "25.0.0"])
      expect(unsupportedNodeMessage(ok, ">=22")).toBeUndefined();
  });

  it("the built executable refuses Node 20 before loading the CLI, and runs on a supported Node", async () => {
    const old = await bin(["--version"], "Object.defineProperty(process.versions, 'node', { value: '20.11.1' });");
    expect(old.code).toBe(1);
    expect(old.stdout).toBe("");
    expect(old.stderr.trim()).toBe(unsupportedNodeMessage("20.11.1", engines.node));
    const current = Number(process.versions.node.split(".")[0]);
    const now = await bin(
      ["--version"],
      current >= 22 ? undefined : "Object.defineProperty(process.versions, 'node', { value: '22.23.5' });",
    );
    expect(now.stderr).toBe("");
    expect(now.stdout.trim()).toBe(version);
    expect(now.code).toBe(0);
  });
});
