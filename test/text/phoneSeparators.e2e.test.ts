// Review finding (r1), end to end: a real PhoneNumbersClient sends a number written with `|` or `[ ]` between its
// groups; the SDK percent-encodes it into the path (`%2B1%7C425%7C555%7C0199`), and the failed call's error
// (`request.url`, message, inspect), the audit record and the emulator's request log must hold its last four digits only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-phone-separators-");
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

/** The digits a reader could recover from `text`, percent-decoded as far as it goes. */
function digitsIn(text: string): string {
  let out = text;
  for (let i = 0; i < 5; i++) {
    try {
      out = decodeURIComponent(out);
    } catch {
      break;
    }
  }
  return out.normalize("NFKC").replace(/\D/g, "");
}

describe("a number with unusual separators, through a real PhoneNumbersClient", () => {
  it.each([
    ["+1|425|555|0199", "0199"],
    ["+1 [425] 555 0166", "0166"],
    ["+1\uFF08425\uFF09555\uFF0D0177", "0177"],
    ["+1\u00AD425\u00AD555\u00AD0188", "0188"],
  ])("%s: the error, the audit record and the emulator's log hold the last four digits only", async (number, line) => {
    const file = join(dir, `${line}.log`);
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        audit: { destination: file },
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    const from = emu.requests.length;
    const error: unknown = await factory
      .createClient(PhoneNumbersClient)
      .getPurchasedPhoneNumber(number)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await factory.close();
    const url = String((error as { request?: { url?: string } } | undefined)?.request?.url);
    expect(url).toMatch(/\/phoneNumbers\//);
    expect(digitsIn(url.slice(url.indexOf("/phoneNumbers/")).split("?")[0] ?? "")).toBe(line);
    expect(digitsIn(inspect(error, { depth: 6 }))).not.toContain("4255550");
    const log = readFileSync(file, "utf8");
    expect(digitsIn(log)).not.toContain("4255550");
    const seen = emu.requests.slice(from).filter((r) => r.side === "acs");
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(digitsIn(r.path)).toBe(line);
  });
});
