import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createAuditRecorder, formatAuditLog, formatAuditRecord } from "../../packages/acs-baseline/src/audit/index.js";
import { CLIENT, THUMB } from "./helpers.js";

describe("formatAuditRecord / formatAuditLog", () => {
  it("renders each record on one readable line", async () => {
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const r = createAuditRecorder({ destination: stream });
    r.setPrincipal({ clientId: CLIENT, credentialType: "certificate", certificateThumbprint: THUMB });
    r.write({ action: "request", outcome: "success", controls: ["IM-1", "LT-4"], client: "SmsClient", http: { method: "POST", path: "/sms", status: 202, requestId: CLIENT, durationMs: 41 } });
    r.write({ action: "credential.resolve", outcome: "success", level: "warn", controls: ["IM-3"], reason: "client secret fallback in use" });
    r.write({ action: "token.acquire", outcome: "failure", controls: ["IM-1"], error: { code: "invalid_client", message: "AADSTS700027" } });
    await r.close();
    const lines = formatAuditLog(`${out}not json\n`).split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}#1 request ok SmsClient POST \/sms -> 202 41ms \[IM-1 LT-4\] \(certificate client 0b8c3a4e… cert 3f3f3f3f3f3f…\) req=0b8c3a4e-/);
    expect(lines[1]).toMatch(/WARN {2}#2 credential.resolve ok \[IM-3\] reason: client secret fallback in use/);
    expect(lines[2]).toMatch(/ERROR #3 token.acquire FAILED \[IM-1\] error: invalid_client AADSTS700027/);
    expect(lines[3]).toMatch(/#4 log.close ok \[LT-4\] 3 records/);
    expect(lines[4]).toBe("(unreadable line: 8 characters)");
    expect(formatAuditRecord({ hello: 1 })).toBe('{"hello":1}');
  });
});
