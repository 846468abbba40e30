// emulatorFactoryOptions: a factory built from it reaches the emulator with the application's certificate; `extra`
// replaces top-level options.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-emu-options-");

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

describe("emulatorFactoryOptions", () => {
  it("builds a certificate factory that sends through the emulator, with extra options added", async () => {
    const audit = join(dir, "audit.log");
    const options = emulatorFactoryOptions(emu, app, { audit: { destination: audit } });
    expect(options).toMatchObject({
      endpoint: emu.endpoint,
      tenantId: emu.tenantId,
      clientId: app.clientId,
      certificate: { path: app.certificatePath },
      authorityHost: emu.authorityHost,
      allowedAuthorityHosts: ["localhost"], // the emulator's own authority, allowed explicitly
      disableInstanceDiscovery: true,
      allowedHosts: ["127.0.0.1"],
    });
    const factory = new AcsClientFactory(options);
    expect(factory.credentialType).toBe("certificate");
    const sent = emu.stats.acsRequests;
    const [result] = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "options" });
    await factory.close();
    expect(result?.successful).toBe(true);
    expect(emu.stats.acsRequests).toBe(sent + 1);
    expect(existsSync(audit)).toBe(true);
  });

  it("extra replaces a top-level option as a whole", () => {
    const options = emulatorFactoryOptions(emu, app, { clientOptions: { retryOptions: { maxRetries: 0 } } });
    expect(options.clientOptions).toEqual({ retryOptions: { maxRetries: 0 } });
  });
});
