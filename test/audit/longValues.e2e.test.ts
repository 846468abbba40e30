// Issue 14, finding 5, end to end: long values must never cost a record. A refusal with a long reason, a request
// with a 600-character caller-supplied id and a long tenantId, through the real SmsClient against the emulator.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { verifyLog } from "../../packages/acs-baseline/src/audit/verify/verifyLog.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-long-");

useEmulator({ onStarted: (started) => ({ emu, app } = started) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of parsed JSON
const lines = (file: string): Record<string, any>[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("long values never cost a record", () => {
  it("refusal reasons of 500 to 3,000 characters are all written (shortened), the chain verifies", async () => {
    const file = join(dir, "reasons.log");
    const recorder = createAuditRecorder({ destination: file });
    const lengths = [500, 512, 513, 600, 664, 1024, 2048, 2049, 3000];
    for (const n of lengths)
      recorder.write({
        action: "refuse",
        outcome: "failure",
        controls: ["IM-1"],
        reason: `r${"x".repeat(n - 1)}`,
        error: { code: "KEY_AUTH_BLOCKED", message: "m".repeat(n) },
      });
    await recorder.close();
    const refusals = lines(file).filter((r) => r.event.action === "refuse");
    expect(refusals).toHaveLength(lengths.length);
    for (const r of refusals) expect((r.event.reason as string).length).toBeLessThanOrEqual(513);
    expect((await verifyLog(file)).intact).toBe(true);
  });

  it("a request with a 600-character caller-supplied id and a factory with a long tenantId: every record is written, with its principal", async () => {
    const file = join(dir, "factory.log");
    const longTenant = `contoso-${"t".repeat(600)}.onmicrosoft.com`;
    const upstream = certificateCredential(emu, app);
    const o = emulatorFactoryOptions(emu, app, { audit: { destination: file } });
    const factory = new AcsClientFactory({ ...o, certificate: undefined, credential: upstream, tenantId: longTenant });
    const longId = "i".repeat(600);
    const sms = factory.createSmsClient({
      additionalPolicies: [
        {
          position: "perRetry",
          policy: { name: "long-id", sendRequest: (request, next) => ((request.requestId = longId), next(request)) },
        },
      ],
    });
    const [sent] = await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "long" });
    expect(sent?.successful).toBe(true);
    await factory.close();
    const records = lines(file);
    const request = records.filter((r) => r.event.action === "request");
    expect(request).toHaveLength(1);
    expect((request[0]?.http.requestId as string).length).toBeLessThanOrEqual(513);
    for (const r of records) expect(typeof r.principal?.tenantId).toBe("string");
    expect(records.map((r) => r.event.action as string)).toEqual(
      expect.arrayContaining(["credential.resolve", "client.create", "token.acquire", "request", "log.close"]),
    );
  });
});
