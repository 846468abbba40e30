/**
 * `checkReadiness` and `acs-baseline readiness` against the emulator's ARM side and Activity Log: ready,
 * not-ready with two callers grouped (Started and Succeeded of one call count once), already-disabled, an Activity
 * Log 403 giving unknown, --days bounds, --plan, and no write in the request log.
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createReadinessCommand } from "../../packages/cli/src/commands/readiness.js";
import type { ReadinessOptions } from "../../packages/cli/src/estate/readiness.js";
import { checkReadiness } from "../../packages/cli/src/estate/readiness.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { certificateCredential } from "../support/certificateCredential.js";
import { estateSessionOptions, runEstateCommand } from "../support/estateSession.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;

const options = (): ReadinessOptions => ({ resourceId: emu.arm.resourceId, ...estateSessionOptions(emu, app) });

/** A real key user: an application that lists the keys through the ARM SDK. */
async function listKeysAs(user: TestApplication): Promise<void> {
  const client = new CommunicationServiceManagementClient(certificateCredential(emu, user), emu.arm.subscriptionId, {
    endpoint: emu.arm.endpoint,
    $host: emu.arm.endpoint,
    credentialScopes: [emu.arm.tokenScope],
    tlsOptions: { ca: emu.caCertificatePem },
  });
  await client.communicationServices.listKeys(emu.arm.resourceGroup, emu.arm.resource.name);
}

const run = (args: string[]) =>
  runEstateCommand(createReadinessCommand, { emu, app, cwd: process.cwd(), resourceId: emu.arm.resourceId }, args);

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "subscription" });
});
beforeEach(() => {
  emu.arm.resource.disableLocalAuth = false;
  emu.clearFaults();
});

describe("checkReadiness", () => {
  it("ready: local auth on and nobody fetched keys in the window", async () => {
    const result = await checkReadiness(options());
    expect(result).toMatchObject({
      schema: "acs-baseline/readiness/v1",
      resourceId: emu.arm.resourceId,
      localAuth: "enabled",
      verdict: "ready",
      keyAccess: [],
    });
    expect(Date.parse(result.window.to) - Date.parse(result.window.from)).toBe(30 * 86_400_000);
    expect((await run([])).code).toBe(0);
  });

  it("not-ready: two callers, each grouped with its count (one call = Started + Succeeded)", async () => {
    const first = await emu.createTestApplication();
    const second = await emu.createTestApplication();
    for (const user of [first, second]) emu.arm.assignRole({ principalId: user.objectId, role: "Contributor" });
    await listKeysAs(first);
    await listKeysAs(first);
    await listKeysAs(second);
    const result = await checkReadiness(options());
    expect(result.verdict).toBe("not-ready");
    expect(result.keyAccess).toEqual([
      expect.objectContaining({ operation: "listKeys", appId: first.clientId, objectId: first.objectId, count: 2 }),
      expect.objectContaining({ operation: "listKeys", appId: second.clientId, objectId: second.objectId, count: 1 }),
    ]);
    const cli = await run(["--format", "json"]);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.out)).toMatchObject({ verdict: "not-ready" });
    const text = await run(["--plan", "az"]);
    expect(text.out).toContain(`appid ${first.clientId}`);
    expect(text.out).toContain("fc264132-db9c-4302-bb7d-3994c36461fe");
    expect(text.out).toContain("disableLocalAuth=true");
    // A window that ends before the calls sees nobody.
    expect((await checkReadiness({ ...options(), now: new Date(Date.now() - 86_400_000) })).verdict).toBe("ready");
  });

  it("already-disabled", async () => {
    emu.arm.resource.disableLocalAuth = true;
    expect((await checkReadiness(options())).verdict).toBe("already-disabled");
    expect((await run([])).code).toBe(0);
  });

  it("unknown when the Activity Log answers 403", async () => {
    const stranger = await emu.createTestApplication();
    emu.arm.assignRole({ principalId: stranger.objectId, role: "Reader" }); // the resource only, not the subscription
    const result = await checkReadiness({
      ...options(),
      clientId: stranger.clientId,
      certificate: { path: stranger.certificatePath },
    });
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toContain("403");
  });

  it("a nextLink page that never answers: unknown once timeoutMs has passed, not a hang", async () => {
    emu.arm.setPageSize(1); // the earlier tests' key events span several pages
    // The first Activity Log page answers (a fault that only waits 1 ms); the next one answers after a minute.
    emu.injectFault({ side: "arm", path: /\/eventtypes\/management\/values$/i, delayMs: 1, count: 1 });
    emu.injectFault({ side: "arm", path: /\/eventtypes\/management\/values$/i, delayMs: 60_000, count: 1 });
    try {
      const started = Date.now();
      const result = await checkReadiness({ ...options(), timeoutMs: 1500 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result).toMatchObject({ verdict: "unknown", reason: expect.stringContaining("did not answer in time") });
    } finally {
      emu.arm.setPageSize(100);
    }
  });

  it("--days is 1 to 90", async () => {
    for (const days of ["0", "91", "-1", "1.5", "x"]) expect((await run(["--days", days])).code).toBe(2);
    // In bounds: a verdict (the earlier test's key users make it not-ready), never a usage error.
    expect((await run(["--days", "1"])).code).toBe(1);
    expect((await run(["--days", "90"])).code).toBe(1);
    await expect(checkReadiness({ ...options(), days: 91 })).rejects.toThrow(RangeError);
  });

  it("writes nothing: no PUT, PATCH or DELETE from readiness", () => {
    const writes = emu.requests.filter((r) => r.side === "arm" && ["PUT", "PATCH", "DELETE"].includes(r.method));
    expect(writes).toEqual([]);
  });
});
