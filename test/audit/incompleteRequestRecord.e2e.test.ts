// Adversarial review B: a request reached ACS with no `request` record. A caller's policy turned request.requestId
// (or method, url) into a getter that throws once the request has been answered; the audit policy read it inside a
// try/catch and dropped the record. Now every attempt the emulator receives has its record: the fields that could be
// read, the outcome and the status, and `error.code: AUDIT_RECORD_INCOMPLETE` naming the field that could not.
import { join } from "node:path";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import type { Rec } from "../support/auditRecords.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const dir = tempDir("acs-incomplete-");
let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550199"], message: "x" };
const acsRequests = (): number => emu.requests.filter((r) => r.side === "acs").length;

/** A caller policy: `prop` reads as it is until the emulator has received the request, then its getter throws. */
function hideOnceReceived(prop: keyof PipelineRequest): PipelinePolicy {
  return {
    name: "hideOnceReceived",
    sendRequest: (req, next) => {
      const real = req[prop];
      const before = acsRequests();
      Object.defineProperty(req, prop, {
        configurable: true,
        enumerable: true,
        get: () => {
          if (acsRequests() > before) throw new Error("gone");
          return real;
        },
        set: () => undefined,
      });
      return next(req);
    },
  };
}

async function sendWith(prop: keyof PipelineRequest, file: string): Promise<{ reached: number; records: Rec[] }> {
  const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: file } }));
  const sms = factory.createSmsClient({
    additionalPolicies: [{ position: "perRetry", policy: hideOnceReceived(prop) }],
  });
  const before = acsRequests();
  await sms.send(SMS).catch(() => undefined); // the outcome for the caller is not what is tested here
  const reached = acsRequests() - before;
  await factory.close();
  return { reached, records: readRecords(file).filter((r) => r.event.action === "request") };
}

describe("a request field that cannot be read never costs the request its record", () => {
  it.each(["requestId", "method", "url"] as const)(
    "a throwing %s getter, HTTP 202: one record, with the marker, the outcome and the status",
    async (prop) => {
      const file = join(dir, `ok-${prop}.log`);
      const delivered = emu.smsMessages.length;
      const { reached, records } = await sendWith(prop, file);
      expect(emu.smsMessages.length - delivered).toBe(1);
      expect(reached).toBe(1);
      expect(records).toHaveLength(1);
      const [r] = records;
      expect(r.event).toMatchObject({ action: "request", outcome: "success" });
      expect(r.http.status).toBe(202);
      expect(r.error.code).toBe("AUDIT_RECORD_INCOMPLETE");
      expect(r.error.message).toContain(`request.${prop}`);
      // the fields that could be read are kept
      if (prop !== "method") expect(r.http.method).toBe("POST");
      if (prop !== "url") expect(r.http.path).toBe("/sms");
      if (prop !== "requestId") expect(r.http.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await verifyLog(file)).status).toBe("intact");
    },
  );

  it.each(["requestId", "method"] as const)(
    "a throwing %s getter, HTTP 403 from ACS: a failure record with the marker, the status and the service's code",
    async (prop) => {
      const file = join(dir, `403-${prop}.log`);
      const fault = emu.injectFault({ side: "acs", path: "/sms", status: 403, count: 1 });
      try {
        const { reached, records } = await sendWith(prop, file);
        expect(reached).toBe(1);
        expect(records).toHaveLength(1);
        const [r] = records;
        expect(r.event).toMatchObject({ action: "request", outcome: "failure", reason: "HTTP 403" });
        expect(r.level).toBe("error");
        expect(r.http.status).toBe(403);
        expect(r.error.code).toBe("AUDIT_RECORD_INCOMPLETE");
        expect(r.error.message).toContain(`request.${prop}`);
        expect(r.error.message).toMatch(/failed with \S+/);
      } finally {
        fault.remove();
      }
    },
  );

  it("a plain request: the usual record, no marker", async () => {
    const file = join(dir, "plain.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: file } }));
    await factory.createSmsClient().send(SMS);
    await factory.close();
    const [r] = readRecords(file).filter((x) => x.event.action === "request");
    expect(r).toMatchObject({ event: { outcome: "success" }, http: { method: "POST", path: "/sms", status: 202 } });
    expect(r.error).toBeUndefined();
  });
});
