// A rotation or reopen whose new file cannot be opened (a non-empty directory at `<file>.1`, a symlink put at the path
// before SIGHUP) must lose no record and throw nothing: the log goes on in the file it was writing, says why (a
// config.warning record and a process warning), and reopen() rejects instead of throwing synchronously. A write to a
// closed file is a failure (onWriteError applies), never a silent drop.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import type { BlockingRecorder } from "../../packages/acs-baseline/src/audit/write/recorder.js";
import { AUDIT_BLOCKED } from "../../packages/acs-baseline/src/audit/write/recorder.js";
import { openFileSink } from "../../packages/acs-baseline/src/audit/write/fileSink.js";
import { readRecords, REQUEST } from "../support/auditRecords.js";
import { signingKeyFiles } from "../support/signingKeyFiles.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-reopen-failure-");
const { publicKeyPem: PUBLIC_PEM, keyPath } = signingKeyFiles("acs-reopen-failure-keys-");
const signing = { privateKey: keyPath, keyId: "reopen-test" };

const warnings: string[] = [];
const onWarning = (w: Error & { code?: string }): void => void warnings.push(w.code ?? "");
process.on("warning", onWarning);
afterEach(() => void (warnings.length = 0));

const requests = (path: string): number =>
  readRecords(path).filter((r) => r.event?.action === "request" || r.http !== undefined).length;
const failures = (path: string): string[] =>
  readRecords(path)
    .filter((r) => r.event?.action === "config.warning")
    .map((r) => String(r.event.reason));
const blocked = (r: unknown): boolean => (r as BlockingRecorder)[AUDIT_BLOCKED]();
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe("a rotation or reopen that cannot open the new file", () => {
  it("size rotation onto a non-empty directory at <file>.1: the log goes on in the file, every record kept", async () => {
    const sub = join(dir, "rotate");
    const path = join(sub, "audit.log");
    mkdirSync(`${path}.1`, { recursive: true });
    writeFileSync(join(`${path}.1`, "x"), "x");
    const r = createAuditRecorder({
      destination: path,
      signing,
      checkpoint: { everyRecords: 10, everyMs: 0 },
      rotate: { maxBytes: 4096, keep: 1 },
    });
    for (let i = 0; i < 60; i++) {
      r.write(REQUEST(i));
      await tick(); // one batch each: rotation is tried between batches
    }
    expect(blocked(r)).toBe(false); // the file is still written: requests go on
    await r.close();
    expect(requests(path)).toBe(60);
    const why = failures(path);
    expect(why[0]).toMatch(/rotating the audit file failed \((EISDIR|ENOTEMPTY|EEXIST)\): the log goes on/);
    expect(why.length).toBeLessThan(10); // tried again after another maxBytes, not on every batch
    expect(warnings).toContain("ACS_BASELINE_AUDIT_REOPEN_FAILED");
    expect(await verifyLog(path, { publicKey: PUBLIC_PEM })).toMatchObject({ status: "intact", closed: true });
    // the directory removed, rotation works again and the files verify as one chain
    rmSync(`${path}.1`, { recursive: true });
    const r2 = createAuditRecorder({ destination: path, signing, rotate: { maxBytes: 4096, keep: 1 } });
    for (let i = 0; i < 20; i++) {
      r2.write(REQUEST(i));
      await tick();
    }
    await r2.close();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(await verifyLog([`${path}.1`, path], { publicKey: PUBLIC_PEM })).toMatchObject({ status: "intact" });
  });

  it("reopen() after a rename, with a symlink put at the path: rejects (never throws), records go on in the old file", async () => {
    const sub = join(dir, "reopen");
    const path = join(sub, "audit.log");
    const r = createAuditRecorder({ destination: path, signing, checkpoint: { everyRecords: 5, everyMs: 0 } });
    for (let i = 0; i < 7; i++) r.write(REQUEST(i));
    await tick();
    renameSync(path, `${path}.1`);
    symlinkSync(join(sub, "elsewhere.log"), path);
    let reopened: Promise<void> | undefined;
    expect(() => (reopened = r.reopen())).not.toThrow();
    await expect(reopened).rejects.toMatchObject({ code: "AUDIT_DESTINATION_REFUSED" });
    await tick();
    expect(warnings).toContain("ACS_BASELINE_AUDIT_REOPEN_FAILED");
    for (let i = 7; i < 20; i++) r.write(REQUEST(i));
    expect(blocked(r)).toBe(false);
    await r.close();
    expect(existsSync(join(sub, "elsewhere.log"))).toBe(false);
    expect(requests(`${path}.1`)).toBe(20);
    expect(failures(`${path}.1`)[0]).toMatch(/reopening the audit file failed \(AUDIT_DESTINATION_REFUSED\)/);
    expect(await verifyLog(`${path}.1`, { publicKey: PUBLIC_PEM })).toMatchObject({ status: "intact", closed: true });
  });

  it("SIGHUP (reopenOnSighup) with a symlink at the path: nothing is thrown, records go on in the old file", async () => {
    const sub = join(dir, "hup");
    const path = join(sub, "audit.log");
    const r = createAuditRecorder({ destination: path, signing, reopenOnSighup: true });
    r.write(REQUEST(0));
    await tick();
    renameSync(path, `${path}.1`);
    symlinkSync(join(sub, "elsewhere.log"), path);
    expect(() => process.emit("SIGHUP", "SIGHUP")).not.toThrow();
    await tick();
    for (let i = 1; i < 10; i++) r.write(REQUEST(i));
    await r.close();
    expect(readdirSync(sub).sort()).toEqual(["audit.log", "audit.log.1"]);
    expect(requests(`${path}.1`)).toBe(10);
    expect(await verifyLog(`${path}.1`, { publicKey: PUBLIC_PEM })).toMatchObject({ status: "intact", closed: true });
  });
});

describe("a write to a closed audit file", () => {
  it("is a failure: failed is set (onWriteError applies), the bytes are counted as dropped, one warning", async () => {
    const { sink } = openFileSink(join(dir, "closed.log"));
    await sink.close();
    sink.write(Buffer.from('{"x":1}\n'));
    sink.write(Buffer.from('{"x":2}\n'));
    await tick();
    expect(sink.failed).toBe(true);
    expect(sink.droppedBytes).toBe(16);
    expect(warnings.filter((w) => w === "ACS_BASELINE_AUDIT_WRITE_FAILED")).toHaveLength(1);
  });
});
