/**
 * The emulator's ARM side, driven only by the real management SDKs (@azure/arm-communication, @azure/arm-monitor,
 * @azure/arm-authorization) and a real @azure/identity credential; and the ACS data plane honouring disableLocalAuth
 * for a raw SmsClient built from the emulator's connection string.
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { MonitorClient } from "@azure/arm-monitor";
import { SmsClient } from "@azure/communication-sms";
import { createHash, createHmac } from "node:crypto";
import { request } from "node:https";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { certificateCredential } from "../support/certificateCredential.js";
import { armClientOptions } from "../support/armClientOptions.js";

let emu: Emulator;
let app: TestApplication;
let admin: TestApplication;

function credentialFor(a: TestApplication) {
  return certificateCredential(emu, a);
}
function clients(a: TestApplication) {
  const credential = credentialFor(a);
  const common = armClientOptions(emu);
  return {
    communication: new CommunicationServiceManagementClient(credential, emu.arm.subscriptionId, common),
    authorization: new AuthorizationManagementClient(credential, emu.arm.subscriptionId, common),
    monitor: new MonitorClient(credential, emu.arm.subscriptionId, {
      endpoint: emu.arm.endpoint,
      credentials: { scopes: [emu.arm.tokenScope] },
      tlsOptions: { ca: emu.caCertificatePem },
      retryOptions: { maxRetries: 0 },
    }),
  };
}
const rid = () => emu.arm.resourceId;
const rg = () => emu.arm.resourceGroup;
const name = () => rid().split("/").pop() as string;

useEmulator({ application: { armReader: false }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(async () => {
  admin = await emu.createTestApplication({ armReader: false });
  emu.arm.assignRole({ principalId: admin.objectId, role: "Owner", scope: "subscription" });
});

describe("emulator ARM: Microsoft.Communication/communicationServices", () => {
  it("403 AuthorizationFailed without a role; GET with Reader inherited from the resource group", async () => {
    const { communication } = clients(app);
    await expect(communication.communicationServices.get(rg(), name())).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    const assignment = emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "resourceGroup" });
    try {
      const resource = await communication.communicationServices.get(rg(), name());
      expect(resource).toMatchObject({
        id: rid(),
        disableLocalAuth: false,
        publicNetworkAccess: "Enabled",
        dataLocation: "United States",
        hostName: "127.0.0.1",
      });
      // Reader cannot list keys or write.
      await expect(communication.communicationServices.listKeys(rg(), name())).rejects.toMatchObject({
        statusCode: 403,
      });
      await expect(
        communication.communicationServices.update(rg(), name(), { disableLocalAuth: true }),
      ).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      emu.arm.removeRoleAssignment(assignment.name);
    }
  });

  it("listKeys returns working keys and connection strings; regenerateKey replaces one", async () => {
    const { communication } = clients(admin);
    const keys = await communication.communicationServices.listKeys(rg(), name());
    expect(keys.primaryConnectionString).toBe(emu.arm.connectionString("primary"));
    expect(Buffer.from(keys.primaryKey ?? "", "base64").length).toBe(64);
    const after = await communication.communicationServices.regenerateKey(rg(), name(), { keyType: "Secondary" });
    expect(after.primaryKey).toBe(keys.primaryKey);
    expect(after.secondaryKey).not.toBe(keys.secondaryKey);
  });

  it("a leaked connection string sends through a raw SmsClient until disableLocalAuth is PATCHed to true, then 401", async () => {
    const leaked = emu.arm.connectionString();
    const raw = new SmsClient(leaked, { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } });
    const [sent] = await raw.send({ from: "+14255550100", to: ["+14255550123"], message: "leaked" });
    expect(sent?.successful).toBe(true);
    expect(emu.requests.at(-1)).toMatchObject({
      side: "acs",
      status: 202,
      authScheme: "HMAC-SHA256",
      clientId: "access-key",
    });
    // A wrong key is refused even while local auth is enabled.
    const forged = new SmsClient(`endpoint=${emu.endpoint}/;accesskey=${Buffer.alloc(64, 7).toString("base64")}`, {
      tlsOptions: { ca: emu.caCertificatePem },
      retryOptions: { maxRetries: 0 },
    });
    await expect(forged.send({ from: "+14255550100", to: ["+14255550123"], message: "x" })).rejects.toMatchObject({
      statusCode: 401,
    });

    const { communication } = clients(admin);
    const updated = await communication.communicationServices.update(rg(), name(), { disableLocalAuth: true });
    expect(updated.disableLocalAuth).toBe(true);
    await expect(raw.send({ from: "+14255550100", to: ["+14255550123"], message: "leaked" })).rejects.toMatchObject({
      statusCode: 401,
      code: "LocalAuthDisabled",
    });
    await communication.communicationServices.update(rg(), name(), { disableLocalAuth: false });
  });

  it("takes identity.type in any case, as ARM does, and answers it in the spec's casing", async () => {
    const { communication } = clients(admin);
    const updated = await communication.communicationServices.update(rg(), name(), {
      identity: { type: "systemassigned" },
    });
    expect(updated.identity?.type).toBe("SystemAssigned");
    await communication.communicationServices.update(rg(), name(), { identity: { type: "None" } });
    expect(emu.arm.resource.identityType).toBe("None");
  });

  it("HMAC requests are bound to date, host, path, query and body: a replay 20 minutes later or a changed body gets 401", async () => {
    const key = Buffer.from(emu.arm.connectionString().split("accesskey=")[1] ?? "", "base64");
    const url = new URL(`${emu.endpoint}/sms?api-version=2021-03-07`);
    const send = (body: string, date: Date, signedBody = body) =>
      new Promise<number>((resolve, reject) => {
        const hash = createHash("sha256").update(signedBody).digest("base64");
        const toSign = `POST\n${url.pathname}?${url.searchParams.toString()}\n${date.toUTCString()};${url.host};${hash}`;
        const signature = createHmac("sha256", key).update(toSign).digest("base64");
        const req = request(
          url,
          {
            method: "POST",
            ca: emu.caCertificatePem,
            headers: {
              "content-type": "application/json",
              "x-ms-date": date.toUTCString(),
              "x-ms-content-sha256": hash,
              authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const body = JSON.stringify({ from: "+14255550100", smsRecipients: [{ to: "+14255550123" }], message: "hi" });
    expect(await send(body, new Date())).toBe(202);
    expect(await send(body, new Date(Date.now() - 20 * 60_000))).toBe(401);
    expect(await send(body.replace("hi", "ho"), new Date(), body)).toBe(401);
  });

  it("an api-version older than 2025-05-01 neither returns nor sets disableLocalAuth", async () => {
    const credential = credentialFor(admin);
    const old = new CommunicationServiceManagementClient(credential, emu.arm.subscriptionId, {
      endpoint: emu.arm.endpoint,
      $host: emu.arm.endpoint,
      apiVersion: "2023-04-01",
      tlsOptions: { ca: emu.caCertificatePem },
    });
    const r = await old.communicationServices.update(rg(), name(), { disableLocalAuth: true });
    expect(r.disableLocalAuth).toBeUndefined();
    expect(emu.arm.resource.disableLocalAuth).toBe(false);
  });
});

describe("emulator ARM: Microsoft.Insights diagnosticSettings (arm-monitor 8.x)", () => {
  it("create or update with categoryGroup, list, get, delete; a setting without destination is refused", async () => {
    const { monitor } = clients(admin);
    const resourceUri = rid().slice(1);
    const workspaceId = `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/ws`;
    await monitor.diagnosticSettings.createOrUpdate(resourceUri, "all", {
      workspaceId,
      logs: [{ categoryGroup: "allLogs", enabled: true }],
    });
    const listed = [];
    for await (const s of monitor.diagnosticSettings.list(resourceUri)) listed.push(s);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: "all", workspaceId, logs: [{ categoryGroup: "allLogs", enabled: true }] });
    await expect(
      monitor.diagnosticSettings.createOrUpdate(resourceUri, "none", {
        logs: [{ category: "AuthOperational", enabled: true }],
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await monitor.diagnosticSettings.delete(resourceUri, "all");
    const after = [];
    for await (const s of monitor.diagnosticSettings.list(resourceUri)) after.push(s);
    expect(after).toHaveLength(0);
  });
});

describe("emulator ARM: Microsoft.Authorization (arm-authorization)", () => {
  it("listForScope with atScope() returns assignments at and above the resource (RG, subscription, management group), paged by nextLink", async () => {
    const { authorization } = clients(admin);
    const mine = [
      emu.arm.assignRole({
        principalId: "00000000-0000-0000-0000-00000000000a",
        role: "Contributor",
        scope: "resource",
      }),
      emu.arm.assignRole({
        principalId: "00000000-0000-0000-0000-00000000000b",
        role: "Reader",
        scope: "resourceGroup",
      }),
      emu.arm.assignRole({
        principalId: "00000000-0000-0000-0000-00000000000c",
        role: "Owner",
        scope: "managementGroup",
      }),
      emu.arm.assignRole({
        principalId: "00000000-0000-0000-0000-00000000000d",
        role: "Reader",
        scope: `${rid()}/domains/x`,
      }),
    ];
    emu.arm.setPageSize(2);
    try {
      const at = [];
      for await (const a of authorization.roleAssignments.listForScope(rid().slice(1), { filter: "atScope()" }))
        at.push(a);
      const ids = at.map((a) => a.principalId);
      expect(ids).toEqual(
        expect.arrayContaining([
          admin.objectId,
          "00000000-0000-0000-0000-00000000000a",
          "00000000-0000-0000-0000-00000000000b",
          "00000000-0000-0000-0000-00000000000c",
        ]),
      );
      expect(ids).not.toContain("00000000-0000-0000-0000-00000000000d");
      const mg = at.find((a) => a.principalId === "00000000-0000-0000-0000-00000000000c");
      expect(mg?.scope).toBe(emu.arm.scopes.managementGroup);
      expect(mg?.roleDefinitionId).toMatch(
        /\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/8e3af657-a8ff-443c-a75c-2fe8c4bcb635$/,
      );

      const byPrincipal = [];
      for await (const a of authorization.roleAssignments.listForScope(rid().slice(1), {
        filter: "principalId eq '00000000-0000-0000-0000-00000000000d'",
      }))
        byPrincipal.push(a);
      expect(byPrincipal.map((a) => a.scope)).toEqual([`${rid()}/domains/x`]);
    } finally {
      emu.arm.setPageSize(100);
      for (const a of mine) emu.arm.removeRoleAssignment(a.id);
    }
  });

  it("role definitions by id carry the published action lists (built-in casing), and custom roles round-trip", async () => {
    const { authorization } = clients(admin);
    const owner = await authorization.roleDefinitions.getById(
      `subscriptions/${emu.arm.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/09976791-48a7-449e-bb21-39d1a415f350`,
    );
    expect(owner.roleName).toBe("Communication and Email Service Owner");
    expect(owner.roleType).toBe("BuiltInRole");
    expect(owner.permissions?.[0]?.actions).toContain("Microsoft.Communication/CommunicationServices/ListKeys/action");
    const contributor = await authorization.roleDefinitions.get(
      `subscriptions/${emu.arm.subscriptionId}`,
      "b24988ac-6180-42a0-ab88-20f7382dd24c",
    );
    expect(contributor.permissions?.[0]?.notActions).toContain("Microsoft.Authorization/*/Write");
    const custom = emu.arm.defineRole({
      roleName: "ACS sender",
      actions: ["Microsoft.Communication/communicationServices/*"],
      notActions: ["Microsoft.Communication/communicationServices/listKeys/action"],
    });
    const read = await authorization.roleDefinitions.getById(
      `subscriptions/${emu.arm.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${custom.name}`,
    );
    expect(read).toMatchObject({
      roleName: "ACS sender",
      roleType: "CustomRole",
      permissions: [
        {
          actions: ["Microsoft.Communication/communicationServices/*"],
          notActions: ["Microsoft.Communication/communicationServices/listKeys/action"],
        },
      ],
    });
  });

  it("tokens are issued for the ARM audience only at {armEndpoint}/.default; ARM refuses an ACS token", async () => {
    const credential = credentialFor(app);
    const arm = await credential.getToken(emu.arm.tokenScope);
    const payload = JSON.parse(Buffer.from((arm?.token ?? "").split(".")[1] ?? "", "base64url").toString()) as {
      aud: string;
      oid: string;
    };
    expect(payload.aud).toBe(emu.arm.endpoint);
    expect(payload.oid).toBe(app.objectId);
    await expect(credential.getToken("https://management.azure.com/.default")).rejects.toThrow(/AADSTS70011/);
    const acs = await credential.getToken(emu.tokenScope);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${emu.arm.endpoint}${rid()}?api-version=2025-09-01`,
        { ca: emu.caCertificatePem, headers: { authorization: `Bearer ${acs?.token ?? ""}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(401);
  });
});
