// Issue 14, finding 8: a token whose expiresOnTimestamp is out of range (1e16, NaN, Infinity, in the past, not a
// number) used to give a failure record and then be served from the cache with no success record. The cache must
// never hold what the records call a failure. A real credential against the emulator, its expiry tampered with.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { ACS_TOKEN_SCOPE, AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-token-validity-");
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

/** The emulator's real token, with its expiry replaced. */
function tampered(expiresOnTimestamp: unknown): TokenCredential & { calls: number } {
  const upstream = certificateCredential(emu, app);
  const credential = {
    calls: 0,
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential.calls++;
      const token = await upstream.getToken(scopes, options);
      return token === null ? null : ({ ...token, expiresOnTimestamp } as AccessToken);
    },
  };
  return credential;
}

describe("tokens with an out-of-range expiry", () => {
  it.each([
    ["1e16", 1e16],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["in the past", Date.now() - 60_000],
    ["a string", "2099-01-01"],
  ])(
    "expiresOnTimestamp %s: every use is a failure record, the cache never serves it, nothing reaches ACS",
    async (_name, expiry) => {
      const file = join(dir, `audit-${String(_name).replace(/\W/g, "")}.log`);
      const credential = tampered(expiry);
      const o = emulatorFactoryOptions(emu, app, { audit: { destination: file } });
      const factory = new AcsClientFactory({
        ...o,
        certificate: undefined,
        credential,
        clientOptions: { ...o.clientOptions, retryOptions: { maxRetries: 0 } },
      });
      const sms = factory.createSmsClient();
      const acsBefore = emu.requests.filter((r) => r.side === "acs").length;
      for (let i = 0; i < 3; i++) {
        await expect(factory.credential.getToken(ACS_TOKEN_SCOPE)).rejects.toBeDefined();
        await expect(sms.send({ from: "+14255550100", to: ["+14255550123"], message: "x" })).rejects.toBeDefined();
      }
      expect(credential.calls).toBeGreaterThanOrEqual(6); // every use fetched again: nothing was cached
      expect(emu.requests.filter((r) => r.side === "acs").length).toBe(acsBefore);
      await factory.close();
      const tokenRecords = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { event: { action: string; outcome: string } })
        .filter((r) => r.event.action === "token.acquire");
      expect(tokenRecords.length).toBe(credential.calls);
      expect(tokenRecords.every((r) => r.event.outcome === "failure")).toBe(true);
    },
  );

  it("a sane token is cached and recorded once as a success", async () => {
    const file = join(dir, "audit-sane.log");
    const credential = tampered(Date.now() + 3_600_000);
    const factory = new AcsClientFactory({
      ...emulatorFactoryOptions(emu, app, { audit: { destination: file } }),
      certificate: undefined,
      credential,
    });
    await factory.credential.getToken(ACS_TOKEN_SCOPE);
    await factory.credential.getToken(ACS_TOKEN_SCOPE);
    expect(credential.calls).toBe(1);
    await factory.close();
    expect(readFileSync(file, "utf8").match(/"action":"token.acquire"/g)).toHaveLength(1);
  });
});
