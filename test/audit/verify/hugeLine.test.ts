/**
 * Issue 23 item 5, "a 200 MB anchor line costs 700 MB of memory", shown fixed as the attack: one 200 MB line in the
 * log, and one in the anchor (appended to an honest one, and as the whole anchor). The built CLI runs in a child
 * process, as a user runs it; its peak RSS (`process.resourceUsage().maxRSS`, printed at exit) must stay within the
 * documented 200 MB goal of verify-log (docs/audit-log.md) and near a run on the honest files. The verdict is the
 * documented one, with a reason: never a crash, never exit 2. The 200 MB files are made in a temporary folder and
 * removed after each test.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { closeSync, copyFileSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAuditRecorder } from "../../../packages/acs-baseline/src/audit/index.js";
import { REQUEST } from "../../support/auditRecords.js";
import { tempDir } from "../../support/tempDir.js";

const run = promisify(execFile);
const BIN = join(__dirname, "../../../packages/cli/dist/esm/bin.js");
/** Prints the process's peak RSS (kB) on stderr when it exits, however it exits. */
const PEAK_RSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))`;
/** verify-log's documented memory goal (docs/audit-log.md: ≤ 200 MB RSS, also for a 526 MB log). */
const GOAL_KB = 200 * 1000;
const HUGE = 200 * 1024 * 1024;

const dir = tempDir("acs-huge-line-");
const keyDir = tempDir("acs-huge-line-key-");
const pub = join(keyDir, "audit.pub.pem");
const log = join(dir, "honest.log");
const anchor = join(dir, "honest.anchor");
let baselineKb = 0;

/** verify-log through the built CLI in a child process: exit code, output, and peak RSS in kB. */
async function verifyCli(args: string[]): Promise<{ code: number; out: string; maxRssKb: number }> {
  let code = 0;
  let stdout = "";
  let stderr = "";
  try {
    ({ stdout, stderr } = await run(process.execPath, ["--import", PEAK_RSS, BIN, "verify-log", ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
      timeout: 60_000,
      maxBuffer: 1 << 20,
    }));
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    ({ code } = e as { code: number });
    stdout = e.stdout ?? "";
    stderr = e.stderr ?? "";
  }
  const m = /maxrss=(\d+)/.exec(stderr);
  if (m === null) throw new Error(`no peak RSS reported: ${stderr.slice(-300)}`);
  return { code, out: `${stdout}${stderr.replace(/maxrss=\d+\n/, "")}`, maxRssKb: Number(m[1]) };
}

/** A copy of `from` at `to` with one line of 200 MiB appended (`newline: false` leaves it unterminated). */
function withHugeLine(from: string | undefined, to: string, newline = true): string {
  if (from !== undefined) copyFileSync(from, to);
  else writeFileSync(to, "");
  const fd = openSync(to, "a");
  try {
    const chunk = Buffer.alloc(1 << 20, "z");
    for (let written = 0; written < HUGE; written += chunk.length) writeSync(fd, chunk);
    if (newline) writeSync(fd, "\n");
  } finally {
    closeSync(fd);
  }
  return to;
}

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key = join(keyDir, "audit.pem");
  writeFileSync(key, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }).toString());
  const r = createAuditRecorder({
    destination: log,
    signing: { privateKey: key, keyId: "huge-line" },
    checkpoint: { everyRecords: 5, everyMs: 0 },
    anchor: { file: { path: anchor } },
  });
  for (let i = 0; i < 12; i++) r.write(REQUEST(i));
  await r.close();
  const honest = await verifyCli([log, "--public-key", pub, "--anchor", anchor]);
  expect(honest.code, honest.out).toBe(0);
  baselineKb = honest.maxRssKb;
}, 60_000);

afterEach(() => {
  for (const name of ["huge.log", "huge.anchor", "only-huge.anchor"]) rmSync(join(dir, name), { force: true });
});

/** The peak RSS stays within the goal, and within 100 MB of the honest run's: the 200 MB line was never held. */
function expectBoundedMemory(maxRssKb: number): void {
  expect(maxRssKb).toBeLessThanOrEqual(GOAL_KB);
  expect(maxRssKb - baselineKb).toBeLessThan(100 * 1000);
}

describe("one 200 MB line: a verdict with a reason, in bounded memory", () => {
  it("in the log: exit 1, tampered (overlong), rejected as soon as it is seen", async () => {
    const huge = withHugeLine(log, join(dir, "huge.log"));
    const v = await verifyCli([huge, "--public-key", pub, "--anchor", anchor]);
    expect(v.code, v.out).toBe(1);
    expect(v.out).toMatch(/TAMPERED: line 18: overlong: a line longer than 1048576 bytes/);
    expectBoundedMemory(v.maxRssKb);
  }, 60_000);

  it("appended to an honest anchor: skipped and counted, the honest log still verifies (exit 0, with the warning)", async () => {
    const huge = withHugeLine(anchor, join(dir, "huge.anchor"));
    const v = await verifyCli([log, "--public-key", pub, "--anchor", huge]);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/^intact: /);
    expect(v.out).toMatch(/warning: 1 of the anchor's \d+ lines are not valid audit lines/);
    expectBoundedMemory(v.maxRssKb);
  }, 60_000);

  it("as the whole anchor (unterminated): exit 1, incomplete, it corroborates nothing", async () => {
    const huge = withHugeLine(undefined, join(dir, "only-huge.anchor"), false);
    const v = await verifyCli([log, "--public-key", pub, "--anchor", huge]);
    expect(v.code, v.out).toBe(1);
    expect(v.out).toMatch(/^INCOMPLETE: /);
    expectBoundedMemory(v.maxRssKb);
  }, 60_000);
});
