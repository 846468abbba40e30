// Only upstream code talks to the emulator here: @azure/identity credentials and ACS SDK clients, unmodified.
import { request } from "node:https";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { SmsClient } from "@azure/communication-sms";
import { ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { SignJWT, importPKCS8 } from "jose";
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { createCertificate } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "hello from the test" };

function credentialOptions() {
  return { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caCertificatePem } };
}

/** POSTs a form to the emulator's token endpoint with node:https (trusting the emulator CA). */
function postToken(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`);
  const data = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", ca: emu.caCertificatePem, headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function assertion(
  a: { clientId: string; privateKeyPem: string; certificatePem: string },
  claims: { exp?: number; aud?: string; iss?: string } = {},
): Promise<string> {
  const key = await importPKCS8(a.privateKeyPem, "PS256");
  const thumb = createHash("sha256").update(new X509Certificate(a.certificatePem).raw).digest("base64url");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": thumb })
    .setIssuer(claims.iss ?? a.clientId)
    .setSubject(a.clientId)
    .setAudience(claims.aud ?? `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(claims.exp ?? now + 600)
    .setJti(randomUUID())
    .sign(key);
}

const form = (clientId: string, clientAssertion: string) => ({
  grant_type: "client_credentials",
  client_id: clientId,
  scope: "https://communication.azure.com//.default",
  client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
  client_assertion: clientAssertion,
});

useEmulator({ onStarted: (started) => ({ emu, app } = started) });

describe("emulator with the unmodified upstream SDK", () => {
  it("ClientCertificateCredential → SmsClient.send succeeds", async () => {
    const credential = new ClientCertificateCredential(
      emu.tenantId,
      app.clientId,
      { certificatePath: app.certificatePath },
      credentialOptions(),
    );
    const sms = new SmsClient(emu.endpoint, credential, { tlsOptions: { ca: emu.caCertificatePem } });
    const [result] = await sms.send(SMS);
    expect(result?.successful).toBe(true);
    expect(result?.httpStatusCode).toBe(202);
    expect(result?.messageId).toMatch(/^Outgoing_/);
    expect(emu.smsMessages.at(-1)?.message).toBe(SMS.message);
    const tokenRequest = emu.requests.find((r) => r.side === "entra" && r.path.endsWith("/token") && r.status === 200);
    expect(tokenRequest?.certificateThumbprint).toBe(app.thumbprint);
  });

  it("ClientCertificateCredential → CommunicationIdentityClient.createUserAndToken succeeds", async () => {
    const credential = new ClientCertificateCredential(
      emu.tenantId,
      app.clientId,
      { certificatePath: app.certificatePath },
      credentialOptions(),
    );
    const identity = new CommunicationIdentityClient(emu.endpoint, credential, {
      tlsOptions: { ca: emu.caCertificatePem },
    });
    const { user, token, expiresOn } = await identity.createUserAndToken(["chat"]);
    expect(user.communicationUserId).toMatch(/^8:acs:/);
    expect(token.split(".")).toHaveLength(3);
    expect(expiresOn.getTime()).toBeGreaterThan(Date.now());
    const issued = await identity.getToken(user, ["voip"]);
    expect(issued.token.length).toBeGreaterThan(0);
    await identity.revokeTokens(user);
    await identity.deleteUser(user);
    await expect(identity.deleteUser(user)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("ClientSecretCredential succeeds", async () => {
    const clientId = randomUUID();
    emu.registerApplication({ clientId, secret: "s3cr3t-value-for-test" });
    const credential = new ClientSecretCredential(emu.tenantId, clientId, "s3cr3t-value-for-test", credentialOptions());
    const token = await credential.getToken("https://communication.azure.com//.default");
    expect(token.token.split(".")).toHaveLength(3);
    const wrong = new ClientSecretCredential(emu.tenantId, clientId, "wrong-secret", credentialOptions());
    await expect(wrong.getToken("https://communication.azure.com//.default")).rejects.toThrow(/AADSTS7000215/);
  });

  it("refuses an unregistered certificate", async () => {
    const other = await createCertificate();
    const { status, body } = await postToken(form(app.clientId, await assertion({ ...other, clientId: app.clientId })));
    expect(status).toBe(401);
    expect(body.error).toBe("invalid_client");
    expect(String(body.error_description)).toMatch(/AADSTS700027/);
  });

  it("refuses a tampered assertion", async () => {
    const good = await assertion(app);
    const [h, p, s] = good.split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    payload.sub = randomUUID();
    const tampered = [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
    const { status, body } = await postToken(form(app.clientId, tampered));
    expect(status).toBe(401);
    expect(String(body.error_description)).toMatch(/AADSTS7000274/);
  });

  it("refuses an expired assertion and one for another audience", async () => {
    const expired = await assertion(app, { exp: Math.floor(Date.now() / 1000) - 600 });
    const r1 = await postToken(form(app.clientId, expired));
    expect(r1.status).toBe(401);
    expect(String(r1.body.error_description)).toMatch(/AADSTS700024/);
    const otherAudience = await assertion(app, { aud: "https://login.microsoftonline.com/other/oauth2/v2.0/token" });
    const r2 = await postToken(form(app.clientId, otherAudience));
    expect(r2.status).toBe(401);
  });

  it("accepts the same assertion again until it expires, and counts the reuse", async () => {
    const a = await assertion(app);
    const before = emu.stats.assertionReuses;
    expect((await postToken(form(app.clientId, a))).status).toBe(200);
    expect((await postToken(form(app.clientId, a))).status).toBe(200);
    expect(emu.stats.assertionReuses).toBe(before + 1);
  });

  it("answers 401 to a connection-string SmsClient with a wrong key, and to any key once local auth is disabled", async () => {
    const port = new URL(emu.endpoint).port;
    const sms = new SmsClient(
      `endpoint=https://127.0.0.1:${port}/;accesskey=${Buffer.from("k".repeat(32)).toString("base64")}`,
      {
        tlsOptions: { ca: emu.caCertificatePem },
      },
    );
    await expect(sms.send(SMS)).rejects.toMatchObject({ statusCode: 401, code: "Unauthorized" });
    expect(emu.requests.at(-1)?.authScheme).toBe("HMAC-SHA256");
    emu.arm.resource.disableLocalAuth = true;
    try {
      const leaked = new SmsClient(emu.arm.connectionString(), { tlsOptions: { ca: emu.caCertificatePem } });
      await expect(leaked.send(SMS)).rejects.toMatchObject({ statusCode: 401, code: "LocalAuthDisabled" });
    } finally {
      emu.arm.resource.disableLocalAuth = false;
    }
  });

  it("answers 403 to an application without the data-plane role", async () => {
    const noRole = await emu.createTestApplication({ roles: [] });
    const credential = new ClientCertificateCredential(
      emu.tenantId,
      noRole.clientId,
      { certificatePath: noRole.certificatePath },
      credentialOptions(),
    );
    const sms = new SmsClient(emu.endpoint, credential, { tlsOptions: { ca: emu.caCertificatePem } });
    await expect(sms.send(SMS)).rejects.toMatchObject({ statusCode: 403 });
  });
});
