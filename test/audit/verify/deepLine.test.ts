// A line nested deeper than the record limit is named for what it is ("nested deeper than 64 levels"), also when it
// lacks a record's chain members: 50,000 levels of objects were reported as "unchained".
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog } from "../../../packages/acs-baseline/src/audit/index.js";
import { REQUEST } from "../../support/auditRecords.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-deep-line-");
const DEEP = 50_000;

describe("verify-log: a deeply nested line", () => {
  it.each([
    ["without hash", `{"schema":"acs-baseline.audit/1","x":${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}}`],
    [
      "without seq",
      `{"schema":"acs-baseline.audit/1","hash":"${"1".repeat(64)}","x":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`,
    ],
  ])("%s: malformed, nested deeper than 64 levels", async (_name, line) => {
    const path = join(dir, `${_name.replace(/ /g, "-")}.log`);
    const r = createAuditRecorder({ destination: path });
    r.write(REQUEST(1));
    await r.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}${line}\n`);
    const v = await verifyLog(path);
    expect(v.status).toBe("tampered");
    expect(v.problem).toMatchObject({ kind: "malformed" });
    expect(v.problem?.message).toMatch(/nested deeper than 64 levels/);
  });
});
