/**
 * app-principal-least-privilege when ARM accepts `assignedTo('{oid}')` and lists no role assignment, although the app
 * read the resource with the same token (access through an Azure Lighthouse delegation, or an assignment outside the
 * listed scope): not "pass, roles: none", which contradicts the read, but unknown with evidence that says why. Enforce
 * mode does not start refusing because of it (it admits on local-auth-disabled and endpoint-matches only).
 * Real SDKs and credential against the emulator's ARM side; ARM's empty answer is served by the emulator's fault
 * injection (status 200, an empty `value`), since the emulator models no delegation.
 */
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { check, postureOptions, useReaderEmulator } from "../support/posture.js";

let emu: Emulator;
let app: TestApplication;

useReaderEmulator((started) => ({ emu, app } = started));

/** ARM lists no role assignment at the resource (whatever the filter), as for a principal with delegated access. */
const noAssignmentsListed = () =>
  emu.injectFault({
    side: "arm",
    path: /\/providers\/Microsoft\.Authorization\/roleAssignments$/i,
    status: 200,
    body: { value: [] },
  });

describe("app-principal-least-privilege: no listed role, yet the resource was read", () => {
  it("is unknown, not pass, and the evidence names access the listing does not explain (Azure Lighthouse)", async () => {
    noAssignmentsListed();
    const result = await checkPosture(postureOptions(emu, app));
    expect(check(result, "local-auth-disabled").status).toBe("fail"); // the resource was read: Azure's default
    const c = check(result, "app-principal-least-privilege");
    expect(c.status).toBe("unknown");
    expect(c.evidence).toContain(`The app principal ${app.objectId} could read the resource`);
    expect(c.evidence).toContain("ARM lists no role assignment for it");
    expect(c.evidence).toContain("Azure Lighthouse delegation");
    expect(c.evidence).toContain("whether it can read keys, delete or write role assignments is unknown");
    expect(c.details?.roles).toEqual([]);
    expect(c.remediation).toContain('"AssignableScopes"');
  });

  it("control: with the app's Reader listed it passes, naming the role", async () => {
    const c = check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege");
    expect(c.status).toBe("pass");
    expect(c.evidence).toContain(`Reader at ${emu.arm.resourceId}`);
  });

  it("control: no listed role and the resource not readable (403) is consistent, and still passes", async () => {
    noAssignmentsListed();
    emu.injectFault({ side: "arm", path: emu.arm.resourceId, status: 403 });
    const result = await checkPosture(postureOptions(emu, app));
    expect(check(result, "local-auth-disabled").status).toBe("unknown");
    const c = check(result, "app-principal-least-privilege");
    expect(c.status).toBe("pass");
    expect(c.evidence).toContain("(roles: none)");
  });

  it("enforce mode still sends: it admits on local-auth-disabled and endpoint-matches only", async () => {
    emu.arm.resource.disableLocalAuth = true;
    noAssignmentsListed();
    const factory = new AcsClientFactory(
      emulatorFactoryOptions(emu, app, {
        posture: { resourceId: emu.arm.resourceId, armEndpoint: emu.arm.endpoint, mode: "enforce" as const },
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    try {
      const result = await factory.checkPosture();
      expect(check(result, "app-principal-least-privilege").status).toBe("unknown");
      const sent = await factory
        .createSmsClient()
        .send({ from: "+14255550100", to: ["+14255550123"], message: "posture unknown app rights" });
      expect(sent).toHaveLength(1);
    } finally {
      await factory.close();
    }
  });
});
