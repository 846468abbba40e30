/**
 * Issue 22 item 4, written as the attacks: the posture gate removed from a client's pipeline or replaced by a
 * look-alike, a top-level `disableLocalAuth` in the ARM document, the ARM resource of another endpoint, and a key
 * echoed in an ARM error body. Each has its positive control. Real clients, the emulator's ARM and ACS.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, EmulatorRoleAssignment, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { resetArm } from "../support/posture.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
let keep: EmulatorRoleAssignment[];
const dir = tempDir("acs-posture-gate-");
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "posture gate" };

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  keep = [emu.arm.assignRole({ principalId: app.objectId, role: "Reader" })];
});
beforeEach(() => resetArm(emu, keep));

const enforcing = () =>
  new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      posture: { resourceId: emu.arm.resourceId, armEndpoint: emu.arm.endpoint, mode: "enforce" as const },
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
    }),
  );

type Pipeline = { removePolicy(o: { name: string }): unknown; addPolicy(p: PipelinePolicy, o?: object): void };
/** The pipelines a client holds (SmsClient keeps its generated client's one level down). */
function pipelines(client: object): Pipeline[] {
  const found: Pipeline[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== "object" || value === null || depth > 3) return;
    if (typeof (value as Pipeline).removePolicy === "function") return void found.push(value as Pipeline);
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  visit(client, 0);
  return found;
}

describe("the gate inside the HttpClient: removing or replacing the policy changes nothing", () => {
  it.each(["removed", "replaced by a look-alike"])(
    "gate %s: still refused while local auth is enabled, nothing reaches ACS",
    async (how) => {
      const factory = enforcing();
      const sms = factory.createSmsClient();
      const found = pipelines(sms);
      expect(found.length).toBeGreaterThan(0);
      for (const p of found) {
        p.removePolicy({ name: "acsBaselinePostureGate" });
        if (how !== "removed")
          p.addPolicy({ name: "acsBaselinePostureGate", sendRequest: (request, next) => next(request) });
      }
      const before = emu.stats.acsRequests;
      await expect(sms.send(SMS)).rejects.toMatchObject({ code: "LOCAL_AUTH_ENABLED" });
      expect(emu.stats.acsRequests).toBe(before);
      // Positive control: once ARM confirms disableLocalAuth, the same tampered client sends.
      emu.arm.resource.disableLocalAuth = true;
      await expect(sms.send(SMS)).resolves.toHaveLength(1);
      await factory.close();
    },
  );
});

describe("enforce reads disableLocalAuth only from properties, and only JSON true", () => {
  const document = (extra: Record<string, unknown>, properties: Record<string, unknown>) => ({
    id: emu.arm.resourceId,
    name: emu.arm.resourceId.split("/").pop(),
    type: "Microsoft.Communication/CommunicationServices",
    location: "global",
    ...extra,
    properties: { provisioningState: "Succeeded", hostName: "127.0.0.1", dataLocation: "United States", ...properties },
  });
  const serve = (body: unknown) => emu.injectFault({ side: "arm", path: emu.arm.resourceId, status: 200, body });

  it.each([
    ["top-level disableLocalAuth: true", () => document({ disableLocalAuth: true }, {})],
    ['properties.disableLocalAuth: "true" (a string)', () => document({}, { disableLocalAuth: "true" })],
    ["properties.disableLocalAuth: 1", () => document({}, { disableLocalAuth: 1 })],
  ])("%s does not pass: LOCAL_AUTH_ENABLED, nothing sent", async (_name, body) => {
    serve(body());
    const factory = enforcing();
    const before = emu.stats.acsRequests;
    await expect(factory.createSmsClient().send(SMS)).rejects.toMatchObject({ code: "LOCAL_AUTH_ENABLED" });
    expect(emu.stats.acsRequests).toBe(before);
    await factory.close();
  });

  it("positive control: properties.disableLocalAuth: true in the same document passes", async () => {
    serve(document({}, { disableLocalAuth: true }));
    const factory = enforcing();
    await expect(factory.createSmsClient().send(SMS)).resolves.toHaveLength(1);
    await factory.close();
  });
});

describe("POSTURE_UNVERIFIED: could not verify is not 'local auth enabled'", () => {
  it("the resource is another endpoint's (endpoint-matches fails): refused although its disableLocalAuth is true", async () => {
    emu.arm.resource.disableLocalAuth = true;
    emu.arm.resource.hostName = "other-resource.communication.azure.com";
    const factory = enforcing();
    const before = emu.stats.acsRequests;
    await expect(factory.createSmsClient().send(SMS)).rejects.toMatchObject({
      code: "POSTURE_UNVERIFIED",
      message: expect.stringContaining("endpoint"),
    });
    expect(emu.stats.acsRequests).toBe(before);
    await factory.close();
  });

  it("a key in an ARM error body never reaches the message, inspect() or JSON", async () => {
    const key = randomBytes(64).toString("base64");
    emu.injectFault({
      side: "arm",
      status: 400,
      body: { error: { code: key.slice(0, 60), message: `bad request ${key}` } },
    });
    const factory = enforcing();
    const error = await factory
      .createSmsClient()
      .send(SMS)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: "POSTURE_UNVERIFIED" });
    for (const text of [String((error as Error).message), inspect(error), JSON.stringify(error)]) {
      for (let i = 0; i + 12 <= key.length; i += 6) expect(text).not.toContain(key.slice(i, i + 12));
    }
    await factory.close();
  });
});
