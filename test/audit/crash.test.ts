/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
// The four ways a process ends (return, process.exit, uncaught exception, SIGTERM) plus SIGKILL mid-burst: a record
// for every operation completed before the end is on disk, and after SIGKILL the file is an intact prefix.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import { readRecords, parse } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-crash-");
const FIXTURE = join(__dirname, "fixtures", "crashWriter.mjs");
const COUNT = 53; // not a multiple of the batch: the last records sit in the buffer when the process ends

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(mode: string, destination: string, onReady?: (child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode, destination, String(COUNT)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (onReady !== undefined && stderr.includes("ready\n")) {
        const f = onReady;
        onReady = undefined;
        f(child);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function expectAllRecords(path: string): Promise<void> {
  const records = readRecords(path);
  expect(records.map((r) => r.event.action)).toEqual(["client.create", ...Array<string>(COUNT).fill("request")]);
  expect(records.at(-1)!.http.path).toBe(`/sms/${COUNT}`);
  const v = await verifyLog(path);
  expect(v).toMatchObject({ intact: true, records: COUNT + 1, closed: false });
  expect(v.warnings.join()).toMatch(/does not end with log.close/);
}

describe("crash safety (child processes on the built dist)", () => {
  it("normal return without close(): every record is on disk", async () => {
    const path = join(dir, "return.log");
    const end = await run("return", path);
    expect(end.code).toBe(0);
    await expectAllRecords(path);
  });

  it("process.exit(): every record is on disk and the exit code is kept", async () => {
    const path = join(dir, "exit.log");
    const end = await run("exit", path);
    expect(end.code).toBe(3);
    await expectAllRecords(path);
  });

  it("uncaught exception: every record is on disk, the process still dies of it", async () => {
    const path = join(dir, "throw.log");
    const end = await run("throw", path);
    expect(end.code).toBe(1);
    expect(end.stderr).toMatch(/uncaught in the app/);
    await expectAllRecords(path);
  });

  it("unhandled rejection: every record is on disk", async () => {
    const path = join(dir, "reject.log");
    const end = await run("reject", path);
    expect(end.code).toBe(1);
    await expectAllRecords(path);
  });

  it("SIGTERM with no handler of the app: flushed, then the process dies of SIGTERM as it would without us", async () => {
    const path = join(dir, "sigterm.log");
    const end = await run("sigterm", path, (child) => child.kill("SIGTERM"));
    expect(end.signal).toBe("SIGTERM");
    await expectAllRecords(path);
  });

  it("SIGINT: same", async () => {
    const path = join(dir, "sigint.log");
    const end = await run("sigint", path, (child) => child.kill("SIGINT"));
    expect(end.signal).toBe("SIGINT");
    await expectAllRecords(path);
  });

  it("SIGTERM with the app's own handler: the app decides (exit 0), records are on disk", async () => {
    const path = join(dir, "sigterm-app.log");
    const end = await run("sigterm-app-handler", path, (child) => child.kill("SIGTERM"));
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/app cleanup/);
    await expectAllRecords(path);
  });

  it("stdout destination + process.exit(): every record reaches the pipe", async () => {
    const end = await run("exit", "stdout");
    expect(end.code).toBe(3);
    const records = end.stdout.trim().split("\n").map(parse);
    expect(records).toHaveLength(COUNT + 1);
  });

  it("close(): ends with log.close and verifies closed", async () => {
    const path = join(dir, "close.log");
    const end = await run("close", path);
    expect(end.code).toBe(0);
    expect(await verifyLog(path)).toMatchObject({ intact: true, records: COUNT + 2, closed: true, warnings: [] });
  });

  it("SIGKILL mid-burst: the file is an intact prefix and verify-log reports the missing tail", async () => {
    const path = join(dir, "sigkill.log");
    const end = await run("sigkill", path, (child) => child.kill("SIGKILL"));
    expect(end.signal).toBe("SIGKILL");
    const v = await verifyLog(path);
    expect(v.intact).toBe(true);
    expect(v.problem).toBeUndefined();
    expect(v.closed).toBe(false);
    expect(v.records).toBeGreaterThan(1000);
    expect(v.warnings.join()).toMatch(/cannot be vouched for/);
    // and the command says so: exit 0, the intact prefix, a warning about the tail
    const cli = spawnSync(
      process.execPath,
      [join(__dirname, "../../packages/cli/dist/esm/bin.js"), "verify-log", path],
      { encoding: "utf8" },
    );
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^intact: ${v.records} records`));
    expect(cli.stdout).toMatch(/warning: .*(torn partial record|does not end with log.close)/);
  });

  it("SIGKILL after a synchronous burst: at most the documented 1,024 request records were still in memory", async () => {
    const path = join(dir, "sigkill-sync.log");
    const burst = 3000;
    const end = await new Promise<Ended>((resolve, reject) => {
      const child = spawn(process.execPath, [FIXTURE, "sigkill-sync", path, String(burst)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.once("error", reject);
      child.once("close", (code, signal) => resolve({ code, signal, stdout: "", stderr: "" }));
    });
    expect(end.signal).toBe("SIGKILL");
    const v = await verifyLog(path);
    expect(v.intact).toBe(true);
    // client.create + the requests written before the kill
    expect(v.records).toBeGreaterThanOrEqual(1 + burst - 1024);
    expect(v.records).toBeLessThan(1 + burst);
  });
});
