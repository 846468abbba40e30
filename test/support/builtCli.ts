/**
 * The built CLI (packages/cli/dist, made by `npm run build`): its entry point and module folders, and a run of its
 * `scan` command as a child process, for tests that need what only the build has (worker threads, the parser sandbox).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** packages/cli/dist/esm and packages/cli/dist/commonjs. */
export const BUILT_ESM = join(__dirname, "../../packages/cli/dist/esm");
export const BUILT_CJS = join(__dirname, "../../packages/cli/dist/commonjs");

/** What a run of the built CLI printed, and how it ended. */
export interface BuiltRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `acs-baseline scan …args` from the build (`dialect`: which build's bin.js) in `cwd`. */
export function runBuiltScan(cwd: string, args: readonly string[], dialect: "esm" | "cjs" = "esm"): BuiltRun {
  const bin = join(dialect === "esm" ? BUILT_ESM : BUILT_CJS, "bin.js");
  const r = spawnSync(process.execPath, [bin, "scan", ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
