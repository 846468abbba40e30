// When queued `request` records reach the file: a batch is written by its timer at the documented 50 ms bound, whole.
// Node's timers and clock are faked (setImmediate stays real), so the test sees exactly which step wrote the batch.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder, verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir();
let n = 0;

/** One successful `request` record (queued, not written at once). */
function request(r: AuditRecorder, path: string): void {
  r.write({
    action: "request",
    outcome: "success",
    controls: ["IM-1", "LT-4"],
    client: "SmsClient",
    http: { method: "POST", path, status: 202, durationMs: 1 },
  });
}

const written = (file: string): string[] =>
  readRecords(file)
    .filter((r) => r.event.action === "request")
    .map((r) => r.http.path as string);

/** After the current callback and any `setImmediate` it scheduled (where a full batch would be written). */
const afterCallback = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("audit batches: written within 50 ms", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: Date.UTC(2026, 11, 6, 12) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a batch no record follows is written by its timer at 50 ms, not before", async () => {
    const file = join(dir, `idle-${n++}.log`);
    const r = createAuditRecorder({ destination: file });
    request(r, "/sms/1");
    vi.advanceTimersByTime(49);
    await afterCallback();
    expect(written(file)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written(file)).toEqual(["/sms/1"]);
    await r.close();
    expect(await verifyLog(file)).toMatchObject({ intact: true, closed: true });
  });

  it("a burst of 100 records within 10 ms waits for the bound, then is written together", async () => {
    const file = join(dir, `burst-${n++}.log`);
    const r = createAuditRecorder({ destination: file });
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) vi.setSystemTime(Date.now() + 1);
      request(r, `/sms/${i}`);
    }
    await afterCallback();
    expect(written(file)).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(written(file)).toHaveLength(100);
    await r.close();
    expect(await verifyLog(file)).toMatchObject({ intact: true, closed: true });
  });
});
