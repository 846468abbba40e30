// Issue 14, finding 6: a phone number in a URL path is percent-encoded (`/phoneNumbers/%2B1425…`). Neither the audit
// record's http.path nor the emulator's request log may hold it in full: real PhoneNumbersClient, emulator.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { describe, expect, it } from "vitest";
import { scrubText } from "../../packages/acs-baseline/src/audit/record/redaction.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-phone-path-");
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

describe("phone numbers in URL paths", () => {
  it("are masked in the audit http.path and in the emulator's request log", async () => {
    const file = join(dir, "audit.log");
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        audit: { destination: file },
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    const numbers = factory.createClient(PhoneNumbersClient);
    const from = emu.requests.length;
    await numbers.getPurchasedPhoneNumber("+14255550123").catch(() => undefined);
    await factory.close();
    const log = readFileSync(file, "utf8");
    const paths = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: { action: string }; http?: { path: string } })
      .filter((r) => r.event.action === "request")
      .map((r) => r.http?.path);
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(/^\/phoneNumbers\/\*\*\*0123$/);
    expect(log).not.toContain("4255550123");
    const seen = emu.requests.slice(from).filter((r) => r.side === "acs");
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(r.path).not.toContain("4255550123");
    expect(seen.map((r) => r.path)).toContain("/phoneNumbers/***0123");
  });

  it.each([
    "%2B14255550123",
    "%2b14255550123",
    "%252B14255550123",
    "%2B1%20425%20555%200123",
    "tel%3A%2B14255550123",
    "+1%20425%20555%200123",
  ])("scrubText masks %s", (encoded) => {
    const out = scrubText(`/phoneNumbers/${encoded}`);
    expect(out).not.toContain("4255550123");
    expect(out).not.toContain("555");
    expect(out).toContain("0123");
  });
});
