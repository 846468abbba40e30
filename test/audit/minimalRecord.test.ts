// Issue 14, finding 5: a record that cannot be built is never dropped: a minimal record with an error marker
// (action, outcome, level, time, chain) is written in its place, and the chain still verifies.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { AUDIT_RECORD_INCOMPLETE } from "../../packages/acs-baseline/src/audit/record/serializeRecord.js";
import { verifyLog } from "../../packages/acs-baseline/src/audit/verify/verifyLog.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-minimal-");

describe("records that cannot be built", () => {
  it("are written as a minimal record with an error marker, between intact neighbours", async () => {
    const file = join(dir, "minimal.log");
    const recorder = createAuditRecorder({ destination: file });
    recorder.write({
      action: "config.warning",
      outcome: "success",
      controls: ["IM-1"],
      level: "warn",
      reason: "before",
    });
    // A BigInt cannot be serialised: the record as given cannot be built.
    recorder.write({
      action: "refuse",
      outcome: "failure",
      controls: ["IM-1", 1n] as unknown as AuditEventInput["controls"],
      reason: "the unbuildable one",
    });
    recorder.write({
      action: "config.warning",
      outcome: "success",
      controls: ["IM-1"],
      level: "warn",
      reason: "after",
    });
    await recorder.close();
    const records = readRecords(file);
    expect(records.map((r) => r.event.action as string)).toEqual([
      "config.warning",
      "refuse",
      "config.warning",
      "log.close",
    ]);
    const minimal = records[1];
    expect(minimal?.error).toMatchObject({ code: AUDIT_RECORD_INCOMPLETE });
    expect(minimal?.event).toMatchObject({ action: "refuse", outcome: "failure" });
    expect(minimal?.level).toBe("error");
    const result = await verifyLog(file);
    expect(result.intact).toBe(true);
    expect(result.records).toBe(4);
  });
});
