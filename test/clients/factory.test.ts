// End-to-end: AcsClientFactory with the real SDK clients against the emulator over TLS.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { CallAutomationClient } from "@azure/communication-call-automation";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { RoomsClient } from "@azure/communication-rooms";
import { SmsClient } from "@azure/communication-sms";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import type { AcsClientConstructor, AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { createCertificate, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-factory-test-");
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "factory test" };

function base(extra: Partial<AcsClientFactoryOptions> = {}): AcsClientFactoryOptions {
  return emulatorFactoryOptions(emu, app, extra);
}

useEmulator({ onStarted: (started) => ({ emu, app } = started) });

describe("AcsClientFactory against the emulator", () => {
  it("certificate → SMS send and identity createUserAndToken", async () => {
    const factory = new AcsClientFactory(base());
    expect(factory.credentialType).toBe("certificate");
    const [sent] = await factory.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    const { user, token } = await factory.createIdentityClient().createUserAndToken(["chat"]);
    expect(user.communicationUserId).toMatch(/^8:acs:/);
    expect(token.length).toBeGreaterThan(0);
    const tokenRequests = emu.requests.filter(
      (r) => r.side === "entra" && r.path.endsWith("/token") && r.clientId === app.clientId && r.status === 200,
    );
    expect(tokenRequests.at(-1)?.certificateThumbprint).toBe(app.thumbprint);
    await factory.close();
  });

  it("loads an encrypted private key with its password (PKCS#8 and PKCS#1)", async () => {
    for (const keyFormat of ["pkcs8", "pkcs1"] as const) {
      const encrypted = await emu.createTestApplication({ password: "pw-Enc-123", keyFormat, directory: dir });
      const factory = new AcsClientFactory(
        base({
          clientId: encrypted.clientId,
          certificate: { path: encrypted.certificatePath, password: "pw-Enc-123" },
        }),
      );
      const [sent] = await factory.createSmsClient().send(SMS);
      expect(sent?.successful).toBe(true);
      await factory.close();
    }
  });

  it("falls back to a client secret, flagged as such", async () => {
    const clientId = "5a0f6c1e-8f7e-4c86-9a2b-0c1d2e3f4a5b";
    emu.registerApplication({ clientId, secret: "fallback-Secret-Value-42" });
    const file = join(dir, "secret-audit.log");
    const factory = new AcsClientFactory(
      base({
        clientId,
        certificate: undefined,
        clientSecret: "fallback-Secret-Value-42",
        audit: { destination: file },
      }),
    );
    expect(factory.credentialType).toBe("secret");
    const [sent] = await factory.createSmsClient().send(SMS);
    expect(sent?.successful).toBe(true);
    await factory.close();
    const log = readFileSync(file, "utf8");
    expect(log).not.toContain("fallback-Secret-Value-42");
    const resolve = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => (r.event as { action: string }).action === "credential.resolve");
    expect(resolve?.level).toBe("warn");
    expect((resolve?.principal as { credentialType: string }).credentialType).toBe("secret");
  });

  it("one token request serves every client of a factory, also under concurrency", async () => {
    const fresh = await emu.createTestApplication({ directory: dir });
    const factory = new AcsClientFactory(
      base({ clientId: fresh.clientId, certificate: { path: fresh.certificatePath } }),
    );
    const before = emu.requests.filter((r) => r.clientId === fresh.clientId && r.path.endsWith("/token")).length;
    const sms = factory.createSmsClient();
    const identity = factory.createIdentityClient();
    const calls = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? sms.send(SMS) : identity.createUser()));
    await Promise.all(calls);
    const after = emu.requests.filter((r) => r.clientId === fresh.clientId && r.path.endsWith("/token")).length;
    expect(after - before).toBe(1);
    await factory.close();
  });

  const forgeHmac: PipelinePolicy = {
    name: "forgeHmac",
    sendRequest: (request, next) => {
      request.headers.set(
        "Authorization",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=Zm9yZ2Vk",
      );
      return next(request);
    },
  };

  const classes = [
    ["SmsClient", SmsClient, (c: SmsClient) => c.send(SMS)],
    ["CommunicationIdentityClient", CommunicationIdentityClient, (c: CommunicationIdentityClient) => c.createUser()],
    [
      "EmailClient",
      EmailClient,
      (c: EmailClient) =>
        c.beginSend({
          senderAddress: "a@b.c",
          content: { subject: "s", plainText: "t" },
          recipients: { to: [{ address: "d@e.f" }] },
        }),
    ],
    ["RoomsClient", RoomsClient, (c: RoomsClient) => c.createRoom()],
    ["PhoneNumbersClient", PhoneNumbersClient, (c: PhoneNumbersClient) => c.getPurchasedPhoneNumber("+14255550123")],
    [
      "CallAutomationClient",
      CallAutomationClient,
      (c: CallAutomationClient) => c.getCallConnection("abc").getCallConnectionProperties(),
    ],
  ] as const;

  it.each(classes)(
    "createClient(%s) carries the guard: a forged HMAC-SHA256 header is blocked before the wire",
    async (_name, ClientClass, call) => {
      const factory = new AcsClientFactory(
        base({
          clientOptions: {
            tlsOptions: { ca: emu.caCertificatePem },
            additionalPolicies: [{ policy: forgeHmac, position: "perRetry" }],
          },
        }),
      );
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it for the union of client classes
      const client: unknown = factory.createClient(ClientClass as AcsClientConstructor<unknown, object>);
      const acsBefore = emu.requests.filter((r) => r.side === "acs").length;
      const error = await (call as (c: unknown) => Promise<unknown>)(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BaselineViolationError);
      expect((error as BaselineViolationError).code).toBe("KEY_AUTH_BLOCKED");
      expect(emu.requests.filter((r) => r.side === "acs").length).toBe(acsBefore);
      await factory.close();
    },
  );

  it("RoomsClient still gets tlsOptions and talks to the emulator (its options are honoured)", async () => {
    const factory = new AcsClientFactory(base());
    const rooms = factory.createClient(RoomsClient);
    // A room created by the emulator proves the request went out over TLS (its CA) with a Bearer token.
    expect((await rooms.createRoom()).id).toMatch(/^\d+$/);
    expect(emu.requests.at(-1)).toMatchObject({ side: "acs", authScheme: "Bearer", status: 201 });
    await factory.close();
  });

  it("shows nothing secret in util.inspect or JSON.stringify", async () => {
    const secretApp = await emu.createTestApplication({ password: "Inspect-Pass-77", directory: dir });
    const factory = new AcsClientFactory(
      base({
        clientId: secretApp.clientId,
        certificate: { path: secretApp.certificatePath, password: "Inspect-Pass-77" },
        clientSecret: "Ignored-Secret-88",
      }),
    );
    for (const text of [
      inspect(factory, { depth: 10, showHidden: true }),
      JSON.stringify(factory),
      inspect(factory.credential, { depth: 10, showHidden: true }),
    ]) {
      expect(text).not.toContain("Inspect-Pass-77");
      expect(text).not.toContain("Ignored-Secret-88");
      expect(text).not.toContain("PRIVATE KEY");
    }
    expect(JSON.parse(JSON.stringify(factory))).toMatchObject({
      credentialType: "certificate",
      certificateThumbprint: secretApp.thumbprint,
    });
    await factory.close();
  });

  it("an expired or not yet valid certificate is refused with CERTIFICATE_EXPIRED", async () => {
    const expired = await createCertificate({
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(() => new AcsClientFactory(base({ certificate: { pem: expired.pem } }))).toThrow(
      expect.objectContaining({ code: "CERTIFICATE_EXPIRED" }),
    );
    const future = await createCertificate({ notBefore: new Date(Date.now() + 86_400_000) });
    expect(() => new AcsClientFactory(base({ certificate: { pem: future.pem } }))).toThrow(
      expect.objectContaining({ code: "CERTIFICATE_EXPIRED" }),
    );
  });

  it("a connection string in per-client options is refused by createClient", () => {
    const factory = new AcsClientFactory(base());
    expect(() =>
      factory.createSmsClient({
        userAgentOptions: { userAgentPrefix: "endpoint=https://x.communication.azure.com/;accesskey=UGVyQ2xpZW50S2V5" },
      }),
    ).toThrow(expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }));
  });

  it("accepts the certificate as PEM text", async () => {
    const factory = new AcsClientFactory(base({ certificate: { pem: app.pem } }));
    expect(factory.credentialType).toBe("certificate");
    await factory.close();
  });
});
