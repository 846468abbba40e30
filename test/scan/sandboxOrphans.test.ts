// The attack: the scan ends while the parser sandbox works on a hostile file (a CI runner's SIGTERM to the scanning
// process, Ctrl-C, or the backstop's kill of the supervisor). The scanning process waits for the supervisor
// synchronously, so it cannot pass the signal on: the supervisor and its child used to live on, the child parsing (up
// to gigabytes of memory on a `f<A<…` file) until the supervisor's next write failed, up to a file's time (10 s) later.
// These tests use the build (npm run build), as the sandbox does.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sandboxOutcomes } from "../../packages/cli/src/scan/code/parserSandbox.js";
import { BUILT_ESM } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const SUPERVISOR = join(BUILT_ESM, "scan/code/sandboxSupervisor.js");
const HANGING_CHILD = join(__dirname, "fixtures/sandbox/hangingChild.mjs");
const HANGING_SUPERVISOR = join(__dirname, "fixtures/sandbox/hangingSupervisor.mjs");
const dir = tempDir("acs-sandbox-orphans-");
const started: number[] = [];

/** The pids of `pid`'s children (Linux and macOS `pgrep`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

afterEach(() => {
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

describe("the parser sandbox when the scan ends under it", () => {
  it.each(["SIGTERM", "SIGKILL"] as const)(
    "a scanning process ended by %s takes the supervisor and its hanging child with it",
    async (signal) => {
      const file = join(dir, "app.ts");
      writeFileSync(file, "// communication\n");
      const request = { files: [{ absolute: file, display: "app.ts", ext: ".ts" }], maxBytes: 1 << 20 };
      // a stand-in for the scanning process: starts the supervisor as parserSandbox.ts does, then waits
      const scanning = spawn(
        process.execPath,
        [
          "-e",
          `const s = require("node:child_process").spawn(process.execPath, [${JSON.stringify(SUPERVISOR)}], { stdio: ["pipe", "pipe", "ignore"] });
           s.stdin.end(${JSON.stringify(JSON.stringify({ ...request, child: HANGING_CHILD, timeoutMs: 60_000 }))});
           console.log(s.pid); setInterval(() => {}, 1000);`,
        ],
        { stdio: ["ignore", "pipe", "ignore"] },
      );
      started.push(scanning.pid!);
      const supervisor = await new Promise<number>((res) =>
        scanning.stdout.once("data", (d: Buffer) => res(Number(d))),
      );
      started.push(supervisor);
      expect(await until(() => childrenOf(supervisor).length > 0, 10_000)).toBe(true);
      const child = childrenOf(supervisor)[0];
      started.push(child);
      scanning.kill(signal);
      expect(await until(() => !alive(supervisor) && !alive(child), 3_000)).toBe(true);
    },
    30_000,
  );

  it("a supervisor the backstop kills takes its child with it", async () => {
    const file = join(dir, "backstop.ts");
    writeFileSync(file, "// communication\n");
    const outcomes = sandboxOutcomes([{ absolute: file, display: "backstop.ts", ext: ".ts" }], 1 << 20, {
      supervisor: HANGING_SUPERVISOR,
      child: HANGING_CHILD,
      timeoutMs: 100,
    });
    const child = Number(readFileSync(`${file}.pid`, "utf8"));
    started.push(child);
    expect(outcomes[0]).toMatchObject({ findings: [{ ruleId: "acs-baseline/parse-error" }] });
    expect(await until(() => !alive(child), 2_000)).toBe(true);
  }, 30_000);
});
