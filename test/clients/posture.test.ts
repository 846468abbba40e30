/**
 * The factory's posture option against the emulator: enforce mode puts nothing on the wire (ACS receives 0 requests)
 * until local-auth-disabled passes, fails closed when ARM is unreachable or forbidden; warn mode keeps clients
 * working and writes warn records; every check is a posture.check audit record in an intact chain.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CommunicationServiceManagementClient } from "@azure/arm-communication";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError, verifyLog } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, EmulatorRoleAssignment, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { estateEnvironment } from "../support/estateSession.js";
import { resetArm } from "../support/posture.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
let admin: TestApplication;
let keep: EmulatorRoleAssignment[];
const dir = tempDir("acs-posture-factory-");
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "posture" };

function factory(
  mode: "warn" | "enforce",
  extra: { maxAgeMs?: number; audit?: string; application?: TestApplication } = {},
) {
  return new AcsClientFactory(
    emulatorFactoryOptions(emu, extra.application ?? app, {
      posture: {
        resourceId: emu.arm.resourceId,
        armEndpoint: emu.arm.endpoint,
        mode,
        ...(extra.maxAgeMs !== undefined ? { maxAgeMs: extra.maxAgeMs } : {}),
      },
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      ...(extra.audit !== undefined ? { audit: { destination: extra.audit } } : {}),
    }),
  );
}

async function disableLocalAuthThroughArm(): Promise<void> {
  const credential = certificateCredential(emu, admin);
  const arm = new CommunicationServiceManagementClient(credential, emu.arm.subscriptionId, {
    endpoint: emu.arm.endpoint,
    $host: emu.arm.endpoint,
    tlsOptions: { ca: emu.caCertificatePem },
  });
  const [, , , , rg, , , , name] = emu.arm.resourceId.split("/");
  await arm.communicationServices.update(rg ?? "", name ?? "", { disableLocalAuth: true });
}

const records = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  admin = await emu.createTestApplication({ directory: dir, armReader: false });
  keep = [
    emu.arm.assignRole({ principalId: app.objectId, role: "Reader" }),
    emu.arm.assignRole({ principalId: admin.objectId, role: "Owner", scope: "subscription" }),
  ];
});
beforeEach(() => resetArm(emu, keep));

describe("posture: enforce", () => {
  it("refuses with LOCAL_AUTH_ENABLED and sends nothing to ACS while local auth is enabled; after the PATCH it sends", async () => {
    const audit = join(dir, "enforce.log");
    const f = factory("enforce", { audit });
    const sms = f.createSmsClient();
    const acsBefore = emu.stats.acsRequests;
    const error = await sms.send(SMS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaselineViolationError);
    expect(error).toMatchObject({ code: "LOCAL_AUTH_ENABLED", control: "IM-1" });
    expect((error as Error).message).toContain("local (access-key) authentication is enabled");
    expect(emu.stats.acsRequests - acsBefore).toBe(0);

    await disableLocalAuthThroughArm();
    const [sent] = await sms.send(SMS);
    expect(sent?.successful).toBe(true);
    expect(emu.stats.acsRequests - acsBefore).toBe(1);
    await f.close();

    const log = records(audit);
    const posture = log.filter((r) => (r.event as { action: string }).action === "posture.check");
    expect(posture.length).toBeGreaterThanOrEqual(12); // two checks of six or more checks
    expect(posture[0]).toMatchObject({
      level: "error",
      posture: { check: "local-auth-disabled", status: "fail", resourceId: emu.arm.resourceId },
      baseline: { controls: ["IM-1"] },
    });
    expect(
      posture.some(
        (r) => r.level === "info" && (r.posture as { check: string; status: string }).check === "local-auth-disabled",
      ),
    ).toBe(true);
    expect(
      log.some(
        (r) =>
          (r.event as { action: string }).action === "refuse" &&
          (r.error as { code?: string } | undefined)?.code === "LOCAL_AUTH_ENABLED",
      ),
    ).toBe(true);
    // Before the refusal, the only token acquired was for ARM: no ACS token either.
    const firstRefusal = log.findIndex((r) => (r.event as { action: string }).action === "refuse");
    const tokens = log.slice(0, firstRefusal).filter((r) => (r.event as { action: string }).action === "token.acquire");
    expect(tokens.map((r) => (r.token as { scope: string }).scope)).toEqual([`${emu.arm.endpoint}/.default`]);
    const verdict = await verifyLog(audit);
    expect(verdict.intact).toBe(true);
  });

  it("fromEnvironment: a posture option without armEndpoint takes AZURE_RESOURCE_MANAGER_ENDPOINT, as `acs-baseline posture` does", async () => {
    const env = {
      ...estateEnvironment(emu, app),
      AZURE_COMMUNICATION_ENDPOINT: emu.endpoint,
      AZURE_COMMUNICATION_ALLOWED_HOSTS: new URL(emu.endpoint).hostname,
    };
    const f = AcsClientFactory.fromEnvironment(
      {
        posture: { resourceId: emu.arm.resourceId, mode: "enforce" },
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      },
      env,
    );
    const error = await f
      .createSmsClient()
      .send(SMS)
      .catch((e: unknown) => e);
    // ARM answered (the emulated resource keeps local auth on): not POSTURE_UNVERIFIED for management.azure.com.
    expect(error).toMatchObject({ code: "LOCAL_AUTH_ENABLED" });
    await f.close();
  });

  it("fails closed when ARM is unreachable, and when the app may not read the resource (403)", async () => {
    emu.injectFault({ side: "arm", drop: true });
    const f = factory("enforce");
    const before = emu.stats.acsRequests;
    await expect(f.createSmsClient().send(SMS)).rejects.toMatchObject({
      code: "POSTURE_UNVERIFIED",
      message: expect.stringContaining("could not be verified"),
    });
    emu.clearFaults();
    emu.arm.resource.disableLocalAuth = true;
    const stranger = await emu.createTestApplication({ directory: dir, armReader: false });
    const g = factory("enforce", { application: stranger });
    await expect(g.createIdentityClient().createUser()).rejects.toMatchObject({
      code: "POSTURE_UNVERIFIED",
      message: expect.stringContaining("403"),
    });
    expect(emu.stats.acsRequests - before).toBe(0);
    await Promise.all([f.close(), g.close()]);
  });

  it("reuses a pass for maxAgeMs, and re-checks with maxAgeMs 0", async () => {
    emu.arm.resource.disableLocalAuth = true;
    const cached = factory("enforce");
    const fresh = factory("enforce", { maxAgeMs: 0 });
    await cached.createSmsClient().send(SMS);
    await fresh.createSmsClient().send(SMS);
    emu.arm.resource.disableLocalAuth = false; // someone re-enables local auth
    await expect(cached.createSmsClient().send(SMS)).resolves.toHaveLength(1);
    await expect(fresh.createSmsClient().send(SMS)).rejects.toMatchObject({ code: "LOCAL_AUTH_ENABLED" });
    await Promise.all([cached.close(), fresh.close()]);
  });
});

describe("posture: warn", () => {
  it("clients keep working; failing checks become warn records", async () => {
    const audit = join(dir, "warn.log");
    const f = factory("warn", { audit });
    const result = await f.checkPosture();
    expect(result.checks.find((c) => c.id === "local-auth-disabled")?.status).toBe("fail");
    expect(result.checks.find((c) => c.id === "endpoint-matches")?.status).toBe("pass");
    const [sent] = await f.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    await f.close();
    const posture = records(audit).filter((r) => (r.event as { action: string }).action === "posture.check");
    expect(posture.find((r) => (r.posture as { check: string }).check === "local-auth-disabled")).toMatchObject({
      level: "warn",
      event: { outcome: "failure", category: "configuration" },
    });
    expect(posture.find((r) => (r.posture as { check: string }).check === "endpoint-matches")).toMatchObject({
      level: "info",
      event: { outcome: "success" },
    });
    expect((await verifyLog(audit)).intact).toBe(true);
  });

  it("the client types the factory created decide the log categories checked", async () => {
    const f = factory("warn");
    f.createSmsClient();
    const result = await f.checkPosture();
    expect(result.checks.find((c) => c.id === "auth-logs")?.evidence).toContain("SMSOperational");
    await f.close();
  });
});

describe("posture option validation", () => {
  it("refuses a malformed posture option at construction and checkPosture() without one", async () => {
    expect(
      () =>
        new AcsClientFactory(emulatorFactoryOptions(emu, app, { posture: { resourceId: "nope", mode: "enforce" } })),
    ).toThrow(TypeError);
    expect(
      () =>
        new AcsClientFactory(
          emulatorFactoryOptions(emu, app, { posture: { resourceId: emu.arm.resourceId, mode: "block" as "warn" } }),
        ),
    ).toThrow(/mode/);
    expect(
      () =>
        new AcsClientFactory(
          emulatorFactoryOptions(emu, app, {
            posture: { resourceId: emu.arm.resourceId, mode: "warn", armEndpoint: "http://x" },
          }),
        ),
    ).toThrow(/https/);
    const plain = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    await expect(plain.checkPosture()).rejects.toThrow(/no posture option/);
    await plain.close();
  });
});
