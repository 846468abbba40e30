/**
 * checkPosture end to end: the real management SDKs over TLS against the emulator's ARM side, a real
 * @azure/identity certificate credential, every check and every status.
 */
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { RecordingCredential, check, postureOptions, useReaderEmulator } from "../support/posture.js";
import { certificateCredential } from "../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
const WORKSPACE = () =>
  `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/ws`;

useReaderEmulator((started) => ({ emu, app } = started));

describe("checkPosture against a resource with Azure's defaults", () => {
  it("fails local-auth-disabled and resource-logs, warns auth-logs and managed-identity, passes the Reader-only app", async () => {
    const result = await checkPosture(postureOptions(emu, app, { clients: ["sms"] }));
    expect(result).toMatchObject({
      schema: "acs-baseline.posture/1",
      resourceId: emu.arm.resourceId,
      principal: { tenantId: emu.tenantId, clientId: app.clientId, objectId: app.objectId },
    });
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ["local-auth-disabled", "fail"],
      ["key-access-principals", "pass"],
      ["app-principal-least-privilege", "pass"],
      ["resource-logs", "fail"],
      ["auth-logs", "warn"],
      ["managed-identity", "warn"],
    ]);
    expect(result.summary).toEqual({ pass: 2, fail: 2, warn: 2, unknown: 0 });
    expect(check(result, "local-auth-disabled")).toMatchObject({
      control: "IM-1",
      evidence: expect.stringContaining("disableLocalAuth is false"),
    });
    expect(check(result, "auth-logs").evidence).toContain("AuthOperational is not sent");
    expect(check(result, "auth-logs").evidence).toContain("SMSOperational is not sent");
  });

  it("sends the assertion only to an allowed authority: a non-Microsoft authority without the allow-list is AUTHORITY_NOT_ALLOWED, nothing sent", async () => {
    const before = emu.stats.tokenRequests;
    await expect(checkPosture(postureOptions(emu, app, { allowedAuthorityHosts: [] }))).rejects.toMatchObject({
      code: "AUTHORITY_NOT_ALLOWED",
    });
    await expect(checkPosture(postureOptions(emu, app, { authorityHost: "http://localhost:1" }))).rejects.toMatchObject(
      { code: "AUTHORITY_NOT_ALLOWED" },
    );
    await expect(
      checkPosture(postureOptions(emu, app, { clientOptions: { tlsOptions: { rejectUnauthorized: false } as never } })),
    ).rejects.toMatchObject({ code: "TLS_VERIFICATION_DISABLED" });
    expect(emu.stats.tokenRequests).toBe(before);
  });

  it("asks for tokens only at {armEndpoint}/.default: none for management.azure.com", async () => {
    const recording = new RecordingCredential(certificateCredential(emu, app));
    const before = emu.requests.length;
    const result = await checkPosture(
      postureOptions(emu, app, {
        certificate: undefined,
        tenantId: undefined,
        clientId: undefined,
        credential: recording,
      }),
    );
    expect(result.summary.unknown).toBe(0);
    expect(recording.scopes.length).toBeGreaterThan(0);
    expect(new Set(recording.scopes)).toEqual(new Set([`${emu.arm.endpoint}/.default`]));
    expect(emu.requests.slice(before).filter((r) => r.side === "entra" && r.status !== 200)).toEqual([]);
  });
});

describe("local-auth-disabled and key-access-principals", () => {
  it("key access through Owner inherited from the subscription and Contributor from the resource group fails while local auth is on, and passes (still listed) once it is off", async () => {
    emu.arm.assignRole({
      principalId: "11111111-1111-1111-1111-111111111111",
      role: "Owner",
      scope: "subscription",
      principalType: "User",
    });
    emu.arm.assignRole({
      principalId: "22222222-2222-2222-2222-222222222222",
      role: "Contributor",
      scope: "resourceGroup",
      principalType: "Group",
    });
    emu.arm.assignRole({
      principalId: "33333333-3333-3333-3333-333333333333",
      role: "Communication and Email Service Owner",
      scope: "managementGroup",
    });
    emu.arm.assignRole({ principalId: "44444444-4444-4444-4444-444444444444", role: "Reader", scope: "subscription" });
    emu.arm.setPageSize(2); // the assignments come back over several nextLink pages
    const on = await checkPosture(postureOptions(emu, app));
    const keyAccess = check(on, "key-access-principals");
    expect(keyAccess.status).toBe("fail");
    const principals = keyAccess.details?.principals as {
      principalId: string;
      principalType: string;
      roleName: string;
      scope: string;
    }[];
    expect(principals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principalId: "11111111-1111-1111-1111-111111111111",
          principalType: "User",
          roleName: "Owner",
          scope: emu.arm.scopes.subscription,
        }),
        expect.objectContaining({
          principalId: "22222222-2222-2222-2222-222222222222",
          principalType: "Group",
          roleName: "Contributor",
          scope: emu.arm.scopes.resourceGroup,
        }),
        expect.objectContaining({
          principalId: "33333333-3333-3333-3333-333333333333",
          roleName: "Communication and Email Service Owner",
          scope: emu.arm.scopes.managementGroup,
        }),
      ]),
    );
    expect(principals.map((p) => p.principalId)).not.toContain("44444444-4444-4444-4444-444444444444");
    expect(principals.map((p) => p.principalId)).not.toContain(app.objectId);

    emu.arm.resource.disableLocalAuth = true;
    const off = await checkPosture(postureOptions(emu, app));
    expect(check(off, "local-auth-disabled").status).toBe("pass");
    expect(check(off, "key-access-principals").status).toBe("pass");
    expect(check(off, "key-access-principals").evidence).toContain("11111111-1111-1111-1111-111111111111");
  });

  it("custom roles: wildcards count, notActions subtract (ARM matching is case-insensitive)", async () => {
    const wide = emu.arm.defineRole({
      roleName: "ACS everything but listKeys",
      actions: ["microsoft.communication/*"],
      notActions: ["Microsoft.Communication/communicationServices/LISTKEYS/action"],
    });
    const none = emu.arm.defineRole({
      roleName: "ACS no keys",
      actions: ["Microsoft.Communication/communicationServices/*"],
      notActions: ["*/listKeys/action", "*/regenerateKey/action"],
    });
    const star = emu.arm.defineRole({ roleName: "Key lister", actions: ["*/ListKeys/*"] });
    emu.arm.assignRole({
      principalId: "55555555-5555-5555-5555-555555555555",
      role: wide.name,
      scope: "resourceGroup",
    });
    emu.arm.assignRole({ principalId: "66666666-6666-6666-6666-666666666666", role: none.name });
    emu.arm.assignRole({ principalId: "77777777-7777-7777-7777-777777777777", role: star.name, scope: "subscription" });
    const result = await checkPosture(postureOptions(emu, app));
    const principals = check(result, "key-access-principals").details?.principals as {
      principalId: string;
      actions: string[];
    }[];
    expect(principals.find((p) => p.principalId === "55555555-5555-5555-5555-555555555555")?.actions).toEqual([
      "Microsoft.Communication/communicationServices/regenerateKey/action",
    ]);
    expect(principals.find((p) => p.principalId === "77777777-7777-7777-7777-777777777777")?.actions).toEqual([
      "Microsoft.Communication/communicationServices/listKeys/action",
    ]);
    expect(principals.map((p) => p.principalId)).not.toContain("66666666-6666-6666-6666-666666666666");
    expect(check(result, "key-access-principals").status).toBe("fail");
  });

  it("unknown when role definitions cannot be read (403), whatever the local-auth state", async () => {
    emu.arm.resource.disableLocalAuth = true;
    emu.arm.assignRole({ principalId: "11111111-1111-1111-1111-111111111111", role: "Owner", scope: "subscription" });
    emu.injectFault({ side: "arm", path: /roleDefinitions/i, status: 403 });
    const result = await checkPosture(postureOptions(emu, app));
    expect(check(result, "local-auth-disabled").status).toBe("pass");
    expect(check(result, "key-access-principals")).toMatchObject({
      status: "unknown",
      evidence: expect.stringContaining("403"),
    });
    expect(check(result, "app-principal-least-privilege").status).toBe("unknown");
  });
});

describe("403 and ARM down give unknown, never pass", () => {
  it("a principal without any role gets 403 everywhere: every check is unknown with the reason", async () => {
    const stranger = await emu.createTestApplication({ armReader: false }); // no role at all
    const result = await checkPosture(
      postureOptions(emu, stranger, { endpoint: "https://127.0.0.1", dataLocations: ["United States"] }),
    );
    expect(result.checks.map((c) => c.status)).toEqual(result.checks.map(() => "unknown"));
    expect(result.checks).toHaveLength(8);
    expect(check(result, "local-auth-disabled").evidence).toContain("ARM answered 403 (AuthorizationFailed)");
  });

  it("ARM unreachable (connections dropped) gives unknown for every check", async () => {
    emu.injectFault({ side: "arm", drop: true });
    const result = await checkPosture(
      postureOptions(emu, app, {
        clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      }),
    );
    expect(result.summary).toEqual({ pass: 0, fail: 0, warn: 0, unknown: 6 });
    expect(check(result, "resource-logs").evidence).toMatch(/unreachable/);
  });

  it("no token (Entra refuses the scope of an unknown ARM endpoint) gives unknown for every check", async () => {
    const result = await checkPosture(postureOptions(emu, app, { armEndpoint: "https://127.0.0.1:9" }));
    expect(result.summary.unknown).toBe(result.checks.length);
    expect(check(result, "local-auth-disabled").evidence).toContain("no token for https://127.0.0.1:9/.default");
  });
});

describe("app-principal-least-privilege", () => {
  it("fails when the app can read keys (Owner at the resource group), with a custom role as remediation", async () => {
    emu.arm.assignRole({
      principalId: app.objectId,
      role: "Communication and Email Service Owner",
      scope: "resourceGroup",
    });
    const result = await checkPosture(postureOptions(emu, app, { clients: ["sms", "email"] }));
    const c = check(result, "app-principal-least-privilege");
    expect(c.status).toBe("fail");
    expect(c.evidence).toMatch(/read the access keys, regenerate the access keys, delete the resource/);
    const role = JSON.parse(c.remediation.slice(c.remediation.indexOf("{"))) as {
      Actions: string[];
      NotActions: string[];
      AssignableScopes: string[];
    };
    expect(role.AssignableScopes).toEqual([emu.arm.scopes.resourceGroup]);
    expect(role.Actions).toEqual(
      expect.arrayContaining([
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
        "Microsoft.Communication/EmailServices/write",
      ]),
    );
    expect(role.Actions.join(" ")).not.toMatch(/ListKeys|RegenerateKey|Delete|\*/);
  });

  it("fails for role-assignment write (Owner at the subscription); warns for write only, naming which clients need it", async () => {
    const owner = emu.arm.assignRole({ principalId: app.objectId, role: "Owner", scope: "subscription" });
    expect(check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege").evidence).toContain(
      "write role assignments",
    );
    emu.arm.removeRoleAssignment(owner.id);
    const writer = emu.arm.defineRole({
      roleName: "ACS writer",
      actions: [
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
      ],
    });
    emu.arm.assignRole({ principalId: app.objectId, role: writer.name });
    const c = check(
      await checkPosture(postureOptions(emu, app, { clients: ["email", "sms"] })),
      "app-principal-least-privilege",
    );
    expect(c.status).toBe("warn");
    expect(c.evidence).toContain("email: needs Write (documented");
    expect(c.evidence).toContain("sms: Write assumed (undocumented");
  });

  it("ignores the app's assignments below the resource (ARM's principalId filter returns them too)", async () => {
    emu.arm.assignRole({ principalId: app.objectId, role: "Owner", scope: `${emu.arm.resourceId}/smtpUsernames/x` });
    expect(check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege").status).toBe("pass");
  });
});

describe("resource-logs and auth-logs", () => {
  it("allLogs to a workspace passes both (allLogs covers every category)", async () => {
    emu.arm.setDiagnosticSetting("all", {
      workspaceId: WORKSPACE(),
      logs: [{ categoryGroup: "allLogs", enabled: true }],
    });
    const result = await checkPosture(postureOptions(emu, app, { clients: ["sms", "email", "rooms"] }));
    expect(check(result, "resource-logs").status).toBe("pass");
    expect(check(result, "auth-logs")).toMatchObject({
      status: "pass",
      evidence: expect.stringContaining("through category group allLogs"),
    });
  });

  it("explicit categories: AuthOperational alone passes resource-logs and warns for each missing client category", async () => {
    emu.arm.setDiagnosticSetting("auth", {
      storageAccountId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z",
      logs: [{ category: "AuthOperational", enabled: true }],
    });
    const result = await checkPosture(postureOptions(emu, app, { clients: ["sms", "chat", "identity"] }));
    expect(check(result, "resource-logs").status).toBe("pass");
    const c = check(result, "auth-logs");
    expect(c.status).toBe("warn");
    expect(c.evidence).toContain("AuthOperational is sent explicitly");
    expect(c.details?.missing).toEqual(["SMSOperational", "ChatOperational"]);
  });

  it("audit category group: logs are sent, and the evidence says the docs do not say whether audit covers AuthOperational", async () => {
    emu.arm.setDiagnosticSetting("audit", {
      eventHubAuthorizationRuleId:
        "/subscriptions/x/resourceGroups/y/providers/Microsoft.EventHub/namespaces/n/authorizationRules/r",
      logs: [{ categoryGroup: "audit", enabled: true }],
    });
    const result = await checkPosture(postureOptions(emu, app));
    expect(check(result, "resource-logs").status).toBe("pass");
    expect(check(result, "auth-logs")).toMatchObject({
      status: "warn",
      evidence: expect.stringContaining("does not say whether the audit group"),
    });
  });

  it("a setting whose logs are all disabled does not count", async () => {
    emu.arm.setDiagnosticSetting("off", {
      workspaceId: WORKSPACE(),
      logs: [{ categoryGroup: "allLogs", enabled: false }],
    });
    expect(check(await checkPosture(postureOptions(emu, app)), "resource-logs").status).toBe("fail");
  });

  it("403 on diagnostic settings gives unknown for both", async () => {
    emu.injectFault({ side: "arm", path: /diagnosticSettings/i, status: 403 });
    const result = await checkPosture(postureOptions(emu, app));
    expect(check(result, "resource-logs").status).toBe("unknown");
    expect(check(result, "auth-logs").status).toBe("unknown");
    expect(check(result, "local-auth-disabled").status).toBe("fail");
  });
});

describe("endpoint-matches, managed-identity, data-location", () => {
  it("pass and fail", async () => {
    emu.arm.resource.identityType = "SystemAssigned";
    const good = await checkPosture(
      postureOptions(emu, app, { endpoint: emu.endpoint, dataLocations: ["Europe", "united states"] }),
    );
    expect(check(good, "endpoint-matches")).toMatchObject({ status: "pass", control: "DP-3" });
    expect(check(good, "managed-identity").status).toBe("pass");
    expect(check(good, "data-location")).toMatchObject({ status: "pass", control: null });
    const bad = await checkPosture(
      postureOptions(emu, app, { endpoint: "https://contoso.communication.azure.com", dataLocations: ["Europe"] }),
    );
    expect(check(bad, "endpoint-matches")).toMatchObject({
      status: "fail",
      evidence: expect.stringContaining("contoso.communication.azure.com"),
    });
    expect(check(bad, "data-location")).toMatchObject({
      status: "fail",
      evidence: expect.stringContaining("United States"),
    });
  });
});

describe("input validation", () => {
  it("refuses a malformed resource id and a non-https ARM endpoint before anything is sent", async () => {
    const before = emu.stats.armRequests;
    await expect(
      checkPosture(postureOptions(emu, app, { resourceId: "/subscriptions/x/resourceGroups/g" })),
    ).rejects.toThrow(TypeError);
    await expect(checkPosture(postureOptions(emu, app, { armEndpoint: "http://127.0.0.1:1" }))).rejects.toThrow(
      /https/,
    );
    expect(emu.stats.armRequests).toBe(before);
  });
});
