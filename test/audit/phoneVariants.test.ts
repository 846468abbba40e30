// Issue 14, finding 6 — variations found by a second adversarial pass: a full phone number must not reach an audit
// record (or the emulator's request log) in any encoding a caller or the SDK can produce: the `+` percent-encoded
// several times, full-width, as `\u002B` text, separators encoded, every digit encoded, national formats.
import { join } from "node:path";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { SmsClient } from "@azure/communication-sms";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scrubPath, scrubText } from "../../packages/acs-baseline/src/audit/record/redaction.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { maskPhoneNumbersInPath } from "../../packages/emulator/src/requestLog.js";
import { useEmulator } from "../support/useEmulator.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

/** Everything a reader could decode, then: is more than the last four digits of 425 555 0123 there? */
function leaks(text: string): boolean {
  let decoded = text;
  for (let i = 0; i < 5; i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  decoded = decoded.replace(/\\u002[Bb]/g, "+").normalize("NFKC");
  return decoded.replace(/\D/g, "").includes("4255550");
}

const VARIANTS = [
  "%25252B14255550123",
  "%2B1%2D425%2D555%2D0123",
  "%2B1%28425%29555%2D0123",
  "\\u002B14255550123",
  "\\u002b1 425 555 0123",
  "＋１４２５５５５０１２３",
  "+１４２５５５５０１２３",
  "+ 1 425 555 0123",
  "+(1) 425 555 0123",
  "001 425 555 0123",
  "(425) 555-0123",
  "425-555-0123",
  "+1/425/555/0123",
  "+1_425_555_0123",
  "tel:%2B1%2D425%2D555%2D0123;ext=1",
  "%2B%201%20425%20555%200123",
  "(425)%20555-0123",
  "%5Cu002B14255550123",
  "%2B%31%34%32%35%35%35%35%30%31%32%33",
  "%EF%BC%8B%EF%BC%91%EF%BC%94%EF%BC%92%EF%BC%95%EF%BC%95%EF%BC%95%EF%BC%95%EF%BC%90%EF%BC%91%EF%BC%92%EF%BC%93",
];

describe("phone numbers in any encoding", () => {
  it.each(VARIANTS)("masked in a record's path and in the emulator's log: %s", (v) => {
    const path = `/phoneNumbers/${v}`;
    expect(leaks(scrubPath(path))).toBe(false);
    expect(scrubPath(path)).toContain("0123");
    expect(leaks(maskPhoneNumbersInPath(path))).toBe(false);
  });

  // Free text is not URL-decoded: the percent-encoded forms it covers are those of an E.164 number (`%2B…`).
  it.each(VARIANTS.filter((v) => !v.includes("%") || (/%2B\d/.test(v) && !/%3\d/.test(v))))(
    "masked in free text: %s",
    (v) => {
      expect(leaks(scrubText(`could not find ${v} here`))).toBe(false);
    },
  );

  it.each([
    "2026-12-02T01:16:43.333Z",
    "4b0a3c1e-2d6f-4f7a-9b8e-1c2d3e4f5a6b",
    "192.168.100.200",
    "/sms?api-version=2021-03-07",
    "/identities/8:acs:72f988bf-86f1-41af-91ab-2d7cd011db47_0000001a-2b3c",
  ])("left alone: %s", (v) => {
    expect(scrubPath(v)).toBe(v);
    expect(scrubText(v)).toBe(v);
  });

  it("property: an E.164 number with any separators, percent-encoded 0–3 times, is masked in a path", () => {
    const separator = fc.constantFrom("", " ", "-", ".", "(", ")", "/", "_");
    fc.assert(
      fc.property(
        fc.array(separator, { minLength: 11, maxLength: 11 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (seps, times, fullWidth) => {
          let number =
            "+" +
            "14255550123"
              .split("")
              .map((d, i) => d + (seps[i] ?? ""))
              .join("");
          if (fullWidth) number = number.replace(/[0-9+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
          let segment = number;
          for (let i = 0; i < times; i++) segment = encodeURIComponent(segment);
          expect(leaks(scrubPath(`/phoneNumbers/${segment}`))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const env = useEmulator();
const dir = tempDir("acs-phone-variants-");

describe("end to end: PhoneNumbersClient paths through the factory", () => {
  it.each(["%252B14255550123", "＋１４２５５５５０１２３", "+ 1 425 555 0123", "(425) 555-0123", "\\u002B14255550123"])(
    "getPurchasedPhoneNumber(%s): neither the audit record nor the emulator's log holds the number",
    async (phone) => {
      const file = join(dir, `path-${Math.random().toString(36).slice(2)}.log`);
      const { emu, app } = env;
      const factory = new AcsClientFactory(
        emulatorFactoryOptions(emu, app, {
          audit: { destination: file },
          clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
        }),
      );
      const from = emu.requests.length;
      await factory
        .createClient(PhoneNumbersClient)
        .getPurchasedPhoneNumber(phone)
        .catch(() => undefined);
      await factory.close();
      const paths = readRecords(file)
        .filter((r) => r.event.action === "request")
        .map((r) => String(r.http?.path ?? ""));
      expect(paths).toHaveLength(1);
      expect(leaks(paths[0] ?? "")).toBe(false);
      const logged = emu.requests.slice(from).filter((r) => r.side === "acs");
      expect(logged.length).toBeGreaterThan(0);
      for (const r of logged) expect(leaks(r.path)).toBe(false);
    },
  );

  it("an SMS to a number still records the path without any number", async () => {
    const file = join(dir, "sms.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app, { audit: { destination: file } }));
    await factory.createClient(SmsClient).send({ from: "+14255550100", to: ["+14255550123"], message: "hi" });
    await factory.close();
    expect(JSON.stringify(readRecords(file))).not.toContain("4255550123");
  });
});
