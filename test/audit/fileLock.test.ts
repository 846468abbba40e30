// `<file>.lock` that is not a small regular file (a FIFO, a symlink to one, a symlink, a large file) is refused with
// AUDIT_DESTINATION_REFUSED at once: reading a FIFO nobody writes blocked the constructor for good. A stale lock (its
// process gone) is still taken over.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-file-lock-");
const run = promisify(execFile);
const DIST = join(__dirname, "../../packages/acs-baseline/dist/esm/index.js");

const refusal = (f: () => unknown): BaselineViolationError | undefined => {
  try {
    f();
  } catch (e) {
    return e as BaselineViolationError;
  }
  return undefined;
};

/** Creates a recorder for `path` in a child (the built package); what it printed, or why it was killed. */
async function openInChild(path: string): Promise<string> {
  const script = `import(${JSON.stringify(DIST)}).then(({ createAuditRecorder }) => {
    try { const r = createAuditRecorder({ destination: ${JSON.stringify(path)} }); return r.close().then(() => console.log("opened")); }
    catch (e) { console.log(e.code, e.message); } })`;
  // before the fix the child blocked in open() of the FIFO for good: SIGKILL after 10 s
  return run(process.execPath, ["-e", script], { timeout: 10_000, killSignal: "SIGKILL" }).then(
    ({ stdout }) => stdout.trim(),
    (e: Error) => `failed: ${e.message}`,
  );
}

describe("the writer lock <file>.lock", () => {
  it.skipIf(process.platform === "win32")(
    "a FIFO, or a symlink to one, at <file>.lock is refused at once (child process)",
    async () => {
      const sub = join(dir, "fifo");
      mkdirSync(sub);
      execFileSync("mkfifo", [join(sub, "a.log.lock")]);
      execFileSync("mkfifo", [join(sub, "elsewhere.fifo")]);
      symlinkSync(join(sub, "elsewhere.fifo"), join(sub, "b.log.lock"));
      const [a, b] = await Promise.all([openInChild(join(sub, "a.log")), openInChild(join(sub, "b.log"))]);
      expect(a).toMatch(/^AUDIT_DESTINATION_REFUSED .*a\.log\.lock is a named pipe \(FIFO\)/);
      expect(b).toMatch(/^AUDIT_DESTINATION_REFUSED .*b\.log\.lock is a symbolic link/);
    },
  );

  it("a symlink or an oversized file at <file>.lock is refused, not followed or read", () => {
    const sub = join(dir, "other");
    mkdirSync(sub);
    writeFileSync(join(sub, "target"), "999999999\n");
    symlinkSync(join(sub, "target"), join(sub, "c.log.lock"));
    writeFileSync(join(sub, "d.log.lock"), "9".repeat(100_000));
    for (const [name, what] of [
      ["c.log", /symbolic link/],
      ["d.log", /100000 bytes long/],
    ] as const) {
      const e = refusal(() => createAuditRecorder({ destination: join(sub, name) }));
      expect(e).toMatchObject({ code: "AUDIT_DESTINATION_REFUSED", control: "LT-4" });
      expect(e?.message).toMatch(what);
    }
    expect(readFileSync(join(sub, "target"), "utf8")).toBe("999999999\n");
  });

  it("a stale lock (a regular file naming a process that is gone) is taken over", async () => {
    const path = join(dir, "stale.log");
    writeFileSync(`${path}.lock`, "999999999\n");
    const r = createAuditRecorder({ destination: path });
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(`${process.pid}\n`);
    await r.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
