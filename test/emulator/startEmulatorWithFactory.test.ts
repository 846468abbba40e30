// One call to start: the emulator, a test application and a factory; the emulator package still depends on nothing.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SmsClient } from "@azure/communication-sms";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../packages/emulator/src/index.js";

describe("startEmulatorWithFactory", () => {
  it("returns a working factory for a fresh emulator, and close() stops both (twice is fine)", async () => {
    const { emulator, application, factory, close } = await startEmulatorWithFactory(AcsClientFactory);
    const [sent] = await factory
      .createClient(SmsClient)
      .send({ from: "+14255550100", to: ["+14255550123"], message: "two lines" });
    expect(sent?.successful).toBe(true);
    expect(emulator.requests.some((r) => r.side === "acs" && r.clientId === application.clientId)).toBe(true);
    await close();
    await close();
    await expect(fetch(`${emulator.endpoint}/sms?api-version=2021-03-07`)).rejects.toThrow();
  });

  it("passes extra factory options and the application's roles through", async () => {
    await using session = await startEmulatorWithFactory(AcsClientFactory, {
      application: { roles: [] },
      factory: { timeoutMs: 5000 },
    });
    await expect(
      session.factory.createClient(SmsClient).send({ from: "+14255550100", to: ["+14255550123"], message: "x" }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it("throws what the factory throws (and closes the emulator it started)", async () => {
    await expect(
      startEmulatorWithFactory(AcsClientFactory, { factory: { allowedHosts: ["*.communication.azure.com"] } }),
    ).rejects.toMatchObject({ code: "ENDPOINT_NOT_ALLOWED" });
    await expect(startEmulatorWithFactory(undefined as never)).rejects.toThrow(TypeError);
  });

  it("keeps the emulator package free of the runtime (emulator → nothing)", () => {
    const root = join(__dirname, "..", "..", "packages", "emulator");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"])
      expect(Object.keys(pkg[field] ?? {})).not.toContain("acs-baseline");
    const files = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    for (const file of files)
      expect(readFileSync(join(root, "src", file), "utf8"), file).not.toMatch(
        /^(?:import|export)[^;]*from "(?:acs-baseline|[./]*acs-baseline\/)|require\("acs-baseline|import\("acs-baseline/m,
      );
  });
});
