// `acs-baseline scan` loads only what scanning needs: not the estate commands' modules nor the Azure SDKs (their
// HTTP stack alone takes longer to load than a small scan takes). The CLI is run as users run it (the built bin), with
// a module resolution hook that reports every module it loads; `sweep --help` is the control that the hook sees them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/tempDir.js";

const BIN = join(__dirname, "../../packages/cli/dist/esm/bin.js");
const root = tempDir("acs-scan-startup-");
const HOOK = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process._rawDebug("LOADED " + resolved.url);
  return resolved;
}`;
const REGISTER = `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOK)}));
`;

/** The URLs of the modules the CLI loads for `args` (run in an empty folder). */
function loadedBy(args: string[]): string[] {
  const hook = join(root, "hook.mjs");
  writeFileSync(hook, REGISTER);
  const cwd = join(root, "empty");
  mkdirSync(cwd, { recursive: true });
  const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], { cwd, encoding: "utf8", timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr
    .split("\n")
    .filter((line) => line.startsWith("LOADED "))
    .map((line) => line.slice("LOADED ".length));
}

const heavy = (urls: string[]) =>
  urls.filter((u) => /\/node_modules\/@azure\/|\/undici\/|\/cli\/dist\/esm\/estate\//.test(u));

describe("scan's start-up", () => {
  it("loads neither the Azure SDKs nor the estate commands", () => {
    expect(existsSync(BIN), "build the packages first (npm run build)").toBe(true);
    const loaded = loadedBy(["scan", ".", "--format", "json"]);
    expect(loaded.some((u) => u.endsWith("/scan/scan.js"))).toBe(true);
    expect(heavy(loaded)).toEqual([]);
  });

  it("is told apart from a command that does load them (the hook sees them)", () => {
    expect(heavy(loadedBy(["sweep", "--help"])).length).toBeGreaterThan(0);
  });
});
