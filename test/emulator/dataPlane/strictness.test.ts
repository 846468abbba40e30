// Every new data-plane service is as strict as SMS: Bearer Entra tokens with the ACS audience, unexpired; access keys
// (HMAC) only while local auth is on and never for chat; chat takes only unexpired user tokens of this resource with
// the chat scope. Raw HTTPS requests, so nothing in a client can soften what the emulator answers.
import { ClientCertificateCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../packages/emulator/src/index.js";
import { startEmulator } from "../../../packages/emulator/src/index.js";
import { accessKeyOf, acsRequest, hmacHeaders } from "../../support/acsRequest.js";
import { useEmulator } from "../../support/useEmulator.js";

const env = useEmulator();
const V = (v: string) => `?api-version=${v}`;
const emailBody = {
  senderAddress: "a@contoso.example",
  content: { subject: "s", plainText: "p" },
  recipients: { to: [{ address: "b@contoso.example" }] },
};
const OPERATIONS: { service: string; method: string; path: string; body?: unknown }[] = [
  { service: "rooms", method: "GET", path: `/rooms${V("2025-03-13")}` },
  { service: "email", method: "POST", path: `/emails:send${V("2025-09-01")}`, body: emailBody },
  { service: "callAutomation", method: "GET", path: `/calling/callConnections/none${V("2026-03-12")}` },
  { service: "phoneNumbers", method: "GET", path: `/phoneNumbers${V("2025-06-01")}` },
  {
    service: "numberLookup",
    method: "POST",
    path: `/operatorInformation/:search${V("2025-06-01")}`,
    body: { phoneNumbers: ["+14255550123"] },
  },
];
const CHAT = `/chat/threads${V("2025-03-15")}`;

let other: Emulator;
beforeAll(async () => {
  other = await startEmulator();
});
afterAll(() => other.close());

function credential(emu: Emulator = env.emu) {
  return new ClientCertificateCredential(
    emu.tenantId,
    env.app.clientId,
    { certificatePath: env.app.certificatePath },
    {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caCertificatePem },
    },
  );
}

async function bearer(scope: string): Promise<string> {
  return `Bearer ${(await credential().getToken(scope))?.token ?? ""}`;
}

async function userToken(emu: Emulator, scopes: string[]): Promise<string> {
  const app = emu === env.emu ? env.app : await emu.createTestApplication();
  const entra = new ClientCertificateCredential(
    emu.tenantId,
    app.clientId,
    { certificatePath: app.certificatePath },
    { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caCertificatePem } },
  );
  const auth = `Bearer ${(await entra.getToken(emu.tokenScope))?.token ?? ""}`;
  const created = await acsRequest(emu, "POST", `/identities${V("2023-10-01")}`, {
    authorization: auth,
    body: { createTokenWithScopes: scopes },
  });
  return `Bearer ${(created.body as { accessToken: { token: string } }).accessToken.token}`;
}

describe("strictness of every new service", () => {
  it.each(OPERATIONS)(
    "$service: a valid Entra token is served; no Authorization, a wrong audience or a user token is 401",
    async (op) => {
      const ok = await acsRequest(env.emu, op.method, op.path, {
        authorization: await bearer(env.emu.tokenScope),
        body: op.body,
      });
      expect(ok.status, op.service).toBeLessThan(405);
      expect(ok.status === 401 || ok.status === 403).toBe(false);
      expect((await acsRequest(env.emu, op.method, op.path, { body: op.body })).status).toBe(401);
      const armToken = await bearer(`${env.emu.arm.endpoint}/.default`);
      expect(await acsRequest(env.emu, op.method, op.path, { authorization: armToken, body: op.body })).toMatchObject({
        status: 401,
        code: "InvalidAuthenticationTokenAudience",
      });
      const user = await userToken(env.emu, ["chat"]);
      expect((await acsRequest(env.emu, op.method, op.path, { authorization: user, body: op.body })).status).toBe(401);
    },
  );

  it.each(OPERATIONS)(
    "$service: HMAC is served only with a real key while local auth is on, and refused once it is off",
    async (op) => {
      const key = accessKeyOf(env.emu.arm.connectionString());
      const signed = () => ({ headers: hmacHeaders(env.emu, op.method, op.path, op.body, key), body: op.body });
      expect([401, 403]).not.toContain((await acsRequest(env.emu, op.method, op.path, signed())).status);
      const forged = hmacHeaders(env.emu, op.method, op.path, op.body, Buffer.alloc(64, 7).toString("base64"));
      expect((await acsRequest(env.emu, op.method, op.path, { headers: forged, body: op.body })).status).toBe(401);
      env.emu.arm.resource.disableLocalAuth = true;
      try {
        expect(await acsRequest(env.emu, op.method, op.path, signed())).toMatchObject({
          status: 401,
          code: "LocalAuthDisabled",
        });
      } finally {
        env.emu.arm.resource.disableLocalAuth = false;
      }
    },
  );

  it("an expired Entra token is refused by every service", async () => {
    env.emu.setTokenLifetime(1);
    try {
      const expired = await bearer(env.emu.tokenScope);
      await new Promise((r) => setTimeout(r, 2100));
      for (const op of OPERATIONS) {
        expect(
          await acsRequest(env.emu, op.method, op.path, { authorization: expired, body: op.body }),
          op.service,
        ).toMatchObject({ status: 401, code: "InvalidAuthenticationTokenExpired" });
      }
    } finally {
      env.emu.setTokenLifetime(3600);
    }
  });
});

describe("strictness of chat", () => {
  it("serves a user token with the chat scope; refuses Entra tokens, HMAC with a real key, other scopes and other resources", async () => {
    expect((await acsRequest(env.emu, "GET", CHAT, { authorization: await userToken(env.emu, ["chat"]) })).status).toBe(
      200,
    );
    expect((await acsRequest(env.emu, "GET", CHAT)).status).toBe(401);
    expect((await acsRequest(env.emu, "GET", CHAT, { authorization: await bearer(env.emu.tokenScope) })).status).toBe(
      401,
    );
    const key = accessKeyOf(env.emu.arm.connectionString());
    expect(
      (await acsRequest(env.emu, "GET", CHAT, { headers: hmacHeaders(env.emu, "GET", CHAT, undefined, key) })).status,
    ).toBe(401);
    expect(await acsRequest(env.emu, "GET", CHAT, { authorization: await userToken(env.emu, ["voip"]) })).toMatchObject(
      { status: 403, code: "InsufficientScope" },
    );
    expect(await acsRequest(env.emu, "GET", CHAT, { authorization: await userToken(other, ["chat"]) })).toMatchObject({
      status: 401,
    });
  });

  it("refuses an expired user token and the tokens of a revoked user", async () => {
    env.emu.acs.setUserTokenLifetime(1);
    let expired: string;
    try {
      expired = await userToken(env.emu, ["chat"]);
    } finally {
      env.emu.acs.setUserTokenLifetime(undefined);
    }
    await new Promise((r) => setTimeout(r, 2100));
    expect(await acsRequest(env.emu, "GET", CHAT, { authorization: expired })).toMatchObject({
      status: 401,
      code: "InvalidAuthenticationTokenExpired",
    });

    const token = await userToken(env.emu, ["chat"]);
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { skypeid: string };
    const revoke = await acsRequest(
      env.emu,
      "POST",
      `/identities/${encodeURIComponent(`8:${payload.skypeid}`)}/:revokeAccessTokens${V("2023-10-01")}`,
      { authorization: await bearer(env.emu.tokenScope) },
    );
    expect(revoke.status).toBe(204);
    expect(await acsRequest(env.emu, "GET", CHAT, { authorization: token })).toMatchObject({
      status: 401,
      code: "InvalidAuthenticationTokenRevoked",
    });
  });
});
